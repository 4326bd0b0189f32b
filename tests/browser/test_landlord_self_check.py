"""A landlord fills the monthly self-check on a phone: labels from field_schema, errors next to the fields,
a photo from the phone's camera, no sideways scrolling."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image

from tests.browser.conftest import LANDLORD_PASSWORD, landlord_of_a_rental, no_sideways_scroll

PASSWORD = LANDLORD_PASSWORD


def _photo() -> dict:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 140, 190)).save(out, "JPEG")
    return {"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def test_a_landlord_fills_the_self_check_on_a_phone_sees_the_errors_then_sends_it_with_a_photo(
    committed, phone, shots, anon_api
):
    landlord_of_a_rental(
        committed, phone, username="check.landlord", name="周房东", phone="13900004444", born=date(1968, 3, 3)
    )
    phone.click("text=填写自查")
    phone.wait_for_url("**/self-check")
    assert "配备灭火器且在有效期内" in phone.inner_text("#self-check-form")  # the form's own labels
    assert no_sideways_scroll(phone)

    phone.check("input[name=hazards][value=none]")
    phone.check("input[name=hazards][value=coal_stove]")
    phone.click("#self-check-form button[type=submit]")
    assert "“无隐患”不能与其他选项同时选择" in phone.locator("#err-hazards").inner_text()
    assert phone.locator("#err-extinguisher_present").inner_text() == "此项为必填。"
    assert phone.locator("#err-photo").is_visible()
    assert no_sideways_scroll(phone)
    phone.screenshot(path=str(shots / "landlord-self-check-errors-phone.png"), full_page=True)

    for name in ("extinguisher_present", "exits_clear", "wiring_safe", "tenants_all_reported"):
        phone.check(f"input[name={name}][value=yes]")
    phone.uncheck("input[name=hazards][value=coal_stove]")
    phone.set_input_files("#f-photo", _photo())
    phone.click("#self-check-form button[type=submit]")
    assert "自查已提交" in phone.locator("#self-check-result").inner_text()
    assert no_sideways_scroll(phone)
    phone.screenshot(path=str(shots / "landlord-self-check-done-phone.png"), full_page=True)

    token = anon_api.post("/api/v1/auth/tokens", json={"username": "check.landlord", "password": PASSWORD})
    landlord = type(anon_api)(anon_api.client, token.get_json()["token"])
    [mine] = landlord.get("/api/v1/landlord/houses").get_json()["items"]
    assert mine["last_self_check_at"] is not None
