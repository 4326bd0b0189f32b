"""A landlord on a phone: their houses, and an arrival report whose ID number error is shown in Chinese
next to the field, fixed, and counted on time."""

from __future__ import annotations

from datetime import date

from tests.browser.conftest import LANDLORD_PASSWORD, landlord_of_a_rental, no_sideways_scroll
from tests.builders import citizen_id

PASSWORD = LANDLORD_PASSWORD


def _wrong_check_character(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


def test_a_landlord_reports_an_arrival_sees_the_id_error_in_chinese_fixes_it_and_is_on_time(committed, phone, shots):
    h = landlord_of_a_rental(
        committed, phone, username="web.landlord", name="李房东", phone="13900002222", born=date(1970, 5, 5)
    )
    assert h["address"]["full_text"] in phone.inner_text("main")
    assert no_sideways_scroll(phone)
    phone.screenshot(path=str(shots / "landlord-houses-phone.png"), full_page=True)

    phone.click("text=报告入住")
    tenant_number = citizen_id(date(1995, 6, 1), "female")
    phone.fill("#a-name", "赵丽")
    phone.select_option("#a-sex", "female")
    phone.fill("#a-number", _wrong_check_character(tenant_number))
    phone.fill("#a-phone", "13700003333")
    phone.select_option("#a-category", "floating")
    phone.fill("#a-arrived", date.today().isoformat())
    phone.click("#arrival-form button[type=submit]")
    error = phone.locator("#err-document_number").inner_text()
    assert "校验码" in error
    assert no_sideways_scroll(phone)
    phone.screenshot(path=str(shots / "landlord-arrival-error-phone.png"), full_page=True)

    phone.fill("#a-number", tenant_number)
    phone.click("#arrival-form button[type=submit]")
    assert "按时" in phone.locator("#on-time").inner_text()
    assert tenant_number not in phone.inner_text("main")  # shown masked
    phone.screenshot(path=str(shots / "landlord-arrival-on-time-phone.png"), full_page=True)
    phone.click("text=返回我的房屋")
    assert "赵丽" in phone.inner_text("main")
    assert no_sideways_scroll(phone)

    # the tenant moves out: a day before moving in is refused next to the form, then today is on time
    tenant = phone.locator("li[data-residence]", has_text="赵丽")
    tenant.locator("summary").click()
    tenant.locator("input[name=left_on]").fill("2000-01-01")
    tenant.locator("button[type=submit]").click()
    tenant = phone.locator("li[data-residence]", has_text="赵丽")
    assert "今天" in tenant.locator(".field-error").inner_text()
    tenant.locator("summary").click()
    tenant.locator("input[name=left_on]").fill(date.today().isoformat())
    tenant.locator("button[type=submit]").click()
    assert "按时" in phone.locator("#departed").inner_text()
    assert "赵丽" not in phone.inner_text("main")  # no longer a current tenant
