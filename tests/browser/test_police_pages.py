"""A police officer in a real browser: sign in, the due list and its filters, the map, a house, an override."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select, update

from server.services import tiers as tier_service
from server.store.models import AuditEvent, TierState
from tests.browser.conftest import no_sideways_scroll, sign_in
from tests.e2e.registry_helpers import person, residence
from tests.e2e.tier_helpers import rental

TODAY = date.today()


def _overdue(committed, house_id, days):
    """Make the house's focus tier `days` old, so its weekly inspection is overdue."""

    def age(b):
        b.session.execute(
            update(TierState)
            .where(TierState.house_id == house_id)
            .values(tier_since=TODAY - timedelta(days=days), computed_since=TODAY - timedelta(days=days))
        )
        tier_service.refresh_houses(b.session, [house_id], TODAY)

    committed.build(age)


def _world(committed):
    d = committed.district
    worker = committed.login("grid_worker", grids=[d.grids[0].code])
    police = committed.login("police", station=d.station.code)
    late = rental(worker, rental_mode="by_bed")  # focus: the police inspect it weekly
    fresh = rental(worker, rental_mode="by_bed")
    _overdue(committed, late["id"], 10)
    tenant = person(worker, name="王小明")
    residence(worker, tenant["id"], late["id"])
    return late, fresh, tenant, police


def test_police_sign_in_filter_the_due_list_open_the_map_and_a_house_and_set_an_override(committed, page, shots):
    late, fresh, tenant, police = _world(committed)
    sign_in(page, police.username)
    page.wait_for_url("**/web/due")
    rows = page.locator("#due-table tbody tr")
    assert rows.count() == 2
    # most overdue first, with how late it is
    assert late["address"]["full_text"] in rows.nth(0).inner_text()
    assert "逾期" in rows.nth(0).inner_text() and "10 天" in rows.nth(0).inner_text()
    page.screenshot(path=str(shots / "police-due-list.png"), full_page=True)

    page.select_option("#f-status", "overdue")
    page.click(".filters button[type=submit]")
    page.wait_for_url("**status=overdue**")
    assert page.locator("#due-table tbody tr").count() == 1

    # the download is the API's export of the same list
    with page.expect_download() as download:
        page.click("text=CSV")
    csv_text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert late["address"]["full_text"] in csv_text and fresh["address"]["full_text"] not in csv_text

    page.goto("/web/map")
    page.wait_for_selector("#map[data-ready='1']")
    assert page.locator("path.leaflet-interactive").count() >= 2  # the station's grid polygons
    page.select_option("#map-grid", committed.district.grids[0].code)
    page.wait_for_selector(f"#map[data-loaded='{committed.district.grids[0].code}']")
    markers = page.locator("path.due-marker")
    assert markers.count() == 2
    page.screenshot(path=str(shots / "police-map.png"))
    markers.first.click(force=True)
    page.wait_for_selector(".leaflet-popup-content a.house-link")
    page.click(".leaflet-popup-content a.house-link")
    page.wait_for_url("**/web/houses/**")

    page.goto(f"/web/houses/{late['id']}")
    assert page.locator("#house-address").inner_text() == late["address"]["full_text"]
    assert "重点户" in page.locator("#tier-now").inner_text()
    assert "按床位出租" in page.locator("#tier .reasons").inner_text()  # the rule, its fact and threshold in words
    assert "出租方式 = 按床位出租" in page.locator("#tier .reasons").inner_text()
    assert "王小明" in page.locator("#residents").inner_text()
    number = tenant["document_number_masked"]
    assert number in page.locator("#residents").inner_text()  # masked
    page.screenshot(path=str(shots / "police-house.png"), full_page=True)

    # an override without a reason is refused next to the field, then set with one
    page.select_option("#ov-tier", "uncertain")
    page.fill("#ov-expires", (TODAY + timedelta(days=30)).isoformat())
    page.click("#override-form button[type=submit]")
    assert page.locator("#override-form .field-error").count() == 1
    page.fill("#ov-reason", "整改完成，暂降一级")
    page.click("#override-form button[type=submit]")
    assert "不放心户" in page.locator("#tier-now").inner_text()
    assert "整改完成" in page.locator("#override-now").inner_text()


def test_police_reveal_a_number_with_a_reason_see_the_quota_and_the_reveal_is_audited(committed, page):
    late, _fresh, tenant, police = _world(committed)
    sign_in(page, police.username)
    page.wait_for_url("**/web/due")
    page.goto(f"/web/houses/{late['id']}")
    assert "20" in page.locator("#reveals-left").inner_text()
    page.click(f"[data-person='{tenant['id']}'] summary")
    page.fill(f"#why-{tenant['id']}", "核对身份")
    page.click(f"[data-person='{tenant['id']}'] form button")
    revealed = page.locator("mark.revealed").inner_text()
    assert len(revealed) == 18 and revealed.endswith(tenant["document_number_masked"][-4:])
    assert "19" in page.locator("#reveals-left").inner_text()

    def reveals(b):
        return b.session.scalars(
            select(AuditEvent.purpose).where(
                AuditEvent.action == "person.reveal_id", AuditEvent.actor_id == police.account_id
            )
        ).all()

    assert committed.build(reveals) == ["核对身份"]
    page.click("text=审计日志")
    page.fill("#f-action", "person.reveal_id")
    page.click(".filters button[type=submit]")
    assert "核对身份" in page.locator("#audit-table").inner_text()


def test_the_due_list_fits_a_phone_without_sideways_scrolling(committed, phone, shots):
    _late, _fresh, _tenant, police = _world(committed)
    sign_in(phone, police.username)
    phone.wait_for_url("**/web/due")
    assert no_sideways_scroll(phone)
    phone.screenshot(path=str(shots / "police-due-phone.png"), full_page=True)
