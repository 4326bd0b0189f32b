"""Officers in a real browser: committee staff resolve a conflict, a grid worker activates a landlord's
request, an administrator creates a worker; and the pages in English."""

from __future__ import annotations

from datetime import date

from tests.browser.conftest import no_sideways_scroll, sign_in
from tests.builders import citizen_id
from tests.e2e.registry_helpers import house, person
from tests.e2e.submission_helpers import resident, visit

PASSWORD = "landlord secret 1"


def test_committee_staff_resolve_a_conflict_taking_the_phones_name(committed, page, shots):
    d = committed.district
    worker = committed.login("grid_worker", grids=[d.grids[0].code])
    committee = committed.login("committee", community=d.community.code)
    h = house(worker, use="rented", rental_mode="shared")
    number = citizen_id(date(1970, 1, 2))
    p = person(worker, name="陈明", birth=date(1970, 1, 2), document_number=number)
    submitted = worker.post(
        "/api/v1/submissions", json=visit(h, [resident(name="陈明明", birth=date(1970, 1, 2), number=number)])
    ).get_json()
    [conflict_id] = submitted["result"]["conflicts"]

    sign_in(page, committee.username)
    page.click("text=数据冲突")
    card = page.locator(f"#conflict-{conflict_id}")
    assert "陈明明" in card.inner_text() and number not in page.content()
    page.screenshot(path=str(shots / "committee-conflicts.png"), full_page=True)
    card.locator("input[name='choose.name'][value='submitted']").check()
    card.locator("input[name='note']").fill("与身份证核对")
    card.locator("button[type=submit]").click()
    page.wait_for_selector("text=没有待处理的冲突")
    assert worker.get(f"/api/v1/persons/{p['id']}").get_json()["name"] == "陈明明"


def test_a_landlord_asks_for_an_account_and_a_grid_worker_activates_it_confirming_the_house(
    committed, anon_api, page, phone, shots
):
    d = committed.district
    worker = committed.login("grid_worker", grids=[d.grids[0].code])
    h = house(worker, use="rented", rental_mode="whole")

    phone.goto("/web/login")
    phone.click("text=房东：申请账户")
    phone.fill("#r-username", "web.request")
    phone.fill("#r-password", PASSWORD)
    phone.fill("#r-name", "方丽")
    phone.fill("#r-phone", "13800001111")
    phone.select_option("#r-sex", "female")
    phone.fill("#r-number", citizen_id(date(1968, 3, 14), "female"))
    phone.fill("#r-address", h["address"]["full_text"])
    phone.click("#request-form button[type=submit]")
    assert phone.locator("#err-lon").count() == 1  # where the house is, is required
    phone.fill("#r-password", PASSWORD)
    phone.fill("#r-lon", "120.005")
    phone.fill("#r-lat", "30.005")
    phone.click("#request-form button[type=submit]")
    assert "申请已提交" in phone.locator("#request-done").inner_text()
    assert no_sideways_scroll(phone)
    refused = anon_api.post("/api/v1/auth/tokens", json={"username": "web.request", "password": PASSWORD})
    assert refused.status_code == 401  # not yet active

    sign_in(page, worker.username)
    page.click("text=房东申请")
    card = page.locator("section.card", has_text="方丽")
    card.locator("select").select_option(label=f"确认为 {h['address']['full_text']}")
    page.screenshot(path=str(shots / "worker-landlord-requests.png"), full_page=True)
    card.locator("button[type=submit]").click()
    page.wait_for_selector("text=没有等待处理的申请")
    token = anon_api.post("/api/v1/auth/tokens", json={"username": "web.request", "password": PASSWORD})
    assert token.status_code == 201
    houses = anon_api.get("/api/v1/landlord/houses", headers={"Authorization": f"Bearer {token.get_json()['token']}"})
    assert [x["id"] for x in houses.get_json()["items"]] == [h["id"]]


def test_an_administrator_creates_a_grid_worker_in_english(committed, page, shots):
    d = committed.district
    admin = committed.login("admin")
    page.goto("/web/lang/en")
    sign_in(page, admin.username)
    page.click("text=Users")
    assert page.locator("h1").inner_text() == "Users"
    page.fill("#u-username", "new.worker")
    page.fill("#u-password", "short")
    page.select_option("#u-role", "grid_worker")
    page.fill("#u-grids", d.grids[1].code)
    page.click("#create-user button[type=submit]")
    assert page.locator("#create-user .field-error").count() == 1  # the password is too short, said by the field
    page.fill("#u-password", "a long enough password")
    page.click("#create-user button[type=submit]")
    assert "new.worker" in page.locator("#created").inner_text()
    row = page.locator("#user-new\\.worker")
    assert d.grids[1].code in row.inner_text() and "Grid worker" in row.inner_text()
    page.screenshot(path=str(shots / "admin-users-en.png"), full_page=True)
    signed_in = committed.app.test_client().post(
        "/api/v1/auth/tokens", json={"username": "new.worker", "password": "a long enough password"}
    )
    assert signed_in.status_code == 201

    # moved to the first grid, then disabled: the worker can no longer sign in
    row.locator("summary").click()
    row.locator("input[name=grids]").fill(d.grids[0].code)
    row.locator("button[value=area]").click()
    row = page.locator("#user-new\\.worker")
    assert d.grids[0].code in row.inner_text() and d.grids[1].code not in row.inner_text()
    row.locator("button[value=disable]").click()
    assert "disabled" in page.locator("#user-new\\.worker").inner_text()
    refused = committed.app.test_client().post(
        "/api/v1/auth/tokens", json={"username": "new.worker", "password": "a long enough password"}
    )
    assert refused.status_code == 401


def test_a_grid_worker_sees_their_visits_of_the_week_on_a_phone(committed, phone, shots):
    d = committed.district
    worker = committed.login("grid_worker", grids=[d.grids[0].code])
    h = house(worker, use="rented", rental_mode="shared")
    assert worker.post("/api/v1/submissions", json=visit(h, [resident()])).status_code == 201
    sign_in(phone, worker.username)
    phone.click("text=本周走访")
    week = phone.locator("#week")
    assert h["address"]["full_text"] in week.inner_text()
    assert no_sideways_scroll(phone)
    phone.screenshot(path=str(shots / "worker-week-phone.png"), full_page=True)
    week.locator("a").first.click()
    assert phone.locator("#house-address").inner_text() == h["address"]["full_text"]
    assert no_sideways_scroll(phone)
    phone.screenshot(path=str(shots / "worker-house-phone.png"), full_page=True)


def test_an_administrator_uploads_a_grid_outline_and_sees_it_on_the_map(committed, page, shots, tmp_path):
    import json

    d = committed.district
    admin = committed.login("admin")
    square = [[120.05, 30.05], [120.06, 30.05], [120.06, 30.06], [120.05, 30.06], [120.05, 30.05]]
    outline = tmp_path / "grid.geojson"
    outline.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [square]}}
                ],
            }
        )
    )
    not_json = tmp_path / "notes.geojson"
    not_json.write_text("this is not json")
    sign_in(page, admin.username)
    page.click("nav >> text=网格")
    page.fill("#g-code", "G-WEB-1")
    page.fill("#g-name", "网页网格")
    page.fill("#g-community", d.community.code)
    page.set_input_files("#g-polygon", str(not_json))
    page.click("#create-grid button[type=submit]")
    assert "GeoJSON" in page.locator("#err-polygon").inner_text()
    page.set_input_files("#g-polygon", str(outline))
    page.click("#create-grid button[type=submit]")
    assert "G-WEB-1" in page.locator("#grid-done").inner_text()
    assert "网页网格" in page.locator("#grids-table").inner_text()
    page.screenshot(path=str(shots / "admin-grids.png"), full_page=True)
    page.click("text=在地图上查看")
    page.wait_for_selector("#map[data-ready='1']")
    assert page.locator("path.leaflet-interactive").count() == 4  # the district's three grids and the new one
