"""Pages read through the flask test client with the pages' cookie (the browser tests cover the stories)."""

from datetime import date

from tests.builders import citizen_id
from tests.e2e.registry_helpers import person


def _as_page(app, api_client):
    client = app.test_client()
    client.set_cookie("gw_session", api_client.token)
    return client


def test_possible_duplicates_show_both_people_masked(app, as_worker):
    number = citizen_id(date(1970, 1, 2))
    person(as_worker, name="陈明", birth=date(1970, 1, 2), document_number=number)
    as_worker.post("/api/v1/persons", json={"name": "陈明", "sex": "male", "birth_date": "1970-01-02"})
    html = _as_page(app, as_worker).get("/web/duplicates").get_data(as_text=True)
    assert html.count("<strong>陈明</strong>") == 2 and "无证件" in html
    assert number not in html and number[-4:] in html


def test_a_house_outside_the_area_is_the_same_404_page_as_an_unknown_one(app, as_worker, login, build, district):
    other = build.grid(district.other_community, None, (120.05, 30.05, 120.06, 30.06))
    elsewhere = login("grid_worker", grids=[other.code])
    import uuid

    from tests.e2e.registry_helpers import house

    h = house(as_worker)
    page = _as_page(app, elsewhere)
    outside, unknown = page.get(f"/web/houses/{h['id']}"), page.get(f"/web/houses/{uuid.uuid4()}")
    assert outside.status_code == unknown.status_code == 404
    assert "没有这个房屋" in outside.get_data(as_text=True)
    # no existence oracle: the same page but for the id in the language link
    unknown_text = unknown.get_data(as_text=True).replace(unknown.request.path.rsplit("/", 1)[1], h["id"])
    assert outside.get_data(as_text=True) == unknown_text


def test_a_landlord_may_not_open_the_due_list(app, as_landlord):
    r = _as_page(app, as_landlord).get("/web/due")
    assert r.status_code == 403


def test_residence_permit_reminders_list_a_tenant_from_elsewhere_past_the_limit_masked(app, as_worker):
    from datetime import timedelta

    from tests.e2e.registry_helpers import house, residence

    number = citizen_id(date(1990, 5, 11))
    p = person(as_worker, name="外地租客", document_number=number)
    residence(as_worker, p["id"], house(as_worker)["id"], arrived_on=date.today() - timedelta(days=60))
    html = _as_page(app, as_worker).get("/web/permits").get_data(as_text=True)
    assert "外地租客" in html and "未办理" in html
    assert number not in html and p["document_number_masked"] in html


def test_a_landlord_reports_a_departure_on_the_page_and_is_told_it_was_on_time(app, anon, as_worker, as_police):
    import re
    from datetime import timedelta

    from tests.e2e.landlord_helpers import active_landlord

    landlord, h = active_landlord(anon, as_worker, as_police, username="web.landlord", name="李房东")
    tenant = {
        "name": "赵六",
        "sex": "male",
        "document_type": "citizen_id",
        "document_number": citizen_id(date(1990, 5, 5), "male"),
    }
    arrived = (date.today() - timedelta(days=10)).isoformat()
    r = landlord.post(
        f"/api/v1/landlord/houses/{h['id']}/arrivals",
        json={"tenant": tenant, "category": "floating", "arrived_on": arrived},
    )
    assert r.status_code == 201, r.get_json()
    page = _as_page(app, landlord)
    home = page.get("/web/landlord").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', home).group(1)
    left_on = (date.today() - timedelta(days=1)).isoformat()
    done = page.post(
        f"/web/landlord/houses/{h['id']}/departures",
        data={"residence_id": r.get_json()["residence"]["id"], "left_on": left_on, "csrf_token": csrf},
    )
    assert done.status_code == 200
    assert 'id="departed"' in done.get_data(as_text=True) and 'class="ok"' in done.get_data(as_text=True)
    [mine] = landlord.get("/api/v1/landlord/houses").get_json()["items"]
    assert mine["tenants"] == []


def test_the_audit_page_shows_who_read_a_person_which_fields_and_when_in_local_time(app, as_worker, as_admin, session):
    from zoneinfo import ZoneInfo

    from sqlalchemy import select

    from server.store.models import AuditEvent

    p = person(as_worker)
    as_worker.get(f"/api/v1/persons/{p['id']}")
    read = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "person.read", AuditEvent.actor_id == as_worker.account_id)
        .order_by(AuditEvent.id.desc())
    ).first()

    html = _as_page(app, as_admin).get("/web/audit", query_string={"action": "person.read"}).get_data(as_text=True)

    row = next(r for r in html.split("<tr>") if as_worker.username in r)
    assert read.at.astimezone(ZoneInfo(app.config["TIMEZONE"])).strftime("%Y-%m-%d %H:%M") in row
    assert "网格员" in row and ", ".join(read.fields) in row
