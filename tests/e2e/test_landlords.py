"""The landlord story: an account, houses, tenants in and out within 7 days,
verification at the next visit, the compliance record, and permit reminders."""

from datetime import date, timedelta

import pytest

from server.store.models import Person
from tests.builders import citizen_id
from tests.e2e.landlord_helpers import PASSWORD, active_landlord, sign_in
from tests.e2e.registry_helpers import IN_G0, house
from tests.e2e.submission_helpers import envelope, resident, visit

LANDLORD_ID = citizen_id(date(1968, 3, 14), "female")


def _request(anon, username="fang.landlord", **more):
    body = {
        "username": username,
        "password": PASSWORD,
        "name": "方丽",
        "phone": "13800001111",
        "document_type": "citizen_id",
        "document_number": LANDLORD_ID,
        "houses": [{"address": "幸福路 12号 501", "location": IN_G0}],
    } | more
    return anon.post("/api/v1/landlord/account-requests", json=body)


@pytest.fixture
def landlord(anon, as_worker, as_police):
    """An active landlord holding one rented house of the worker's grid (created by the police)."""
    return active_landlord(anon, as_worker, as_police, username="wang.landlord", name="王建国")


def _arrival(client, house_id, arrived_on, name="刘洋", birth=date(1995, 6, 1), sex="male", number=None, **more):
    body = {
        "tenant": {
            "name": name,
            "sex": sex,
            "birth_date": birth.isoformat(),
            "phone": "13700003333",
            "document_type": "citizen_id",
            "document_number": number or citizen_id(birth, sex),
        },
        "category": "floating",
        "arrived_on": arrived_on.isoformat(),
    } | more
    return client.post(f"/api/v1/landlord/houses/{house_id}/arrivals", json=body)


def test_a_requested_account_works_only_after_an_officer_of_the_area_activates_it(anon, as_worker, login, district):
    r = _request(anon)
    assert r.status_code == 201, r.get_json()
    request = r.get_json()
    assert request["active"] is False and request["claims"][0]["status"] == "pending"
    assert (request["username"], request["name"], request["phone"]) == ("fang.landlord", "方丽", "13800001111")
    assert request["requested_at"] and request["claims"][0]["address"] == "幸福路 12号 501"
    assert sign_in(anon, "fang.landlord").status_code == 401  # not yet

    elsewhere = login("grid_worker", grids=[district.grids[2].code])
    assert elsewhere.get("/api/v1/landlord/account-requests").get_json()["items"] == []
    assert (
        elsewhere.post(f"/api/v1/landlord/account-requests/{request['account_id']}/activation", json={}).status_code
        == 404
    )

    pending = as_worker.get("/api/v1/landlord/account-requests").get_json()["items"]
    assert [p["account_id"] for p in pending] == [request["account_id"]]
    h = house(as_worker, use="rented")
    claim_id = pending[0]["claims"][0]["id"]
    r = as_worker.post(
        f"/api/v1/landlord/account-requests/{request['account_id']}/activation",
        json={"confirm": [{"claim_id": claim_id, "house_id": h["id"]}]},
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["active"] is True and r.get_json()["claims"][0]["status"] == "confirmed"

    token = sign_in(anon, "fang.landlord").get_json()["token"]
    me = type(anon)(anon.client, token)
    houses = me.get("/api/v1/landlord/houses").get_json()["items"]
    assert [(x["id"], x["address"]) for x in houses] == [(h["id"], h["address"]["full_text"])]


def test_a_later_house_claim_stays_pending_until_confirmed(landlord, as_worker, login, district):
    client, first = landlord
    r = client.post("/api/v1/landlord/claims", json={"address": "幸福路 14号", "location": IN_G0})
    assert r.status_code == 201 and r.get_json()["status"] == "pending"
    claim = r.get_json()
    assert [x["id"] for x in client.get("/api/v1/landlord/houses").get_json()["items"]] == [first["id"]]

    elsewhere = login("grid_worker", grids=[district.grids[2].code])
    assert (
        elsewhere.post(f"/api/v1/landlord/claims/{claim['id']}/decision", json={"decision": "reject"}).status_code
        == 422
    )
    second = house(as_worker, use="rented")
    r = as_worker.post(
        f"/api/v1/landlord/claims/{claim['id']}/decision", json={"decision": "confirm", "house_id": second["id"]}
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "confirmed"
    assert {x["id"] for x in client.get("/api/v1/landlord/houses").get_json()["items"]} == {first["id"], second["id"]}
    again = as_worker.post(f"/api/v1/landlord/claims/{claim['id']}/decision", json={"decision": "reject"})
    assert again.status_code == 409


def test_an_arrival_on_time_is_acknowledged_and_the_identity_read_back_masked(landlord):
    client, h = landlord
    r = _arrival(client, h["id"], date.today() - timedelta(days=7), expected_stay_months=6)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["report"] == {"on_time": True, "due_on": date.today().isoformat(), "days_late": 0}
    assert body["residence"]["source"] == "landlord" and body["residence"]["verification"] == "pending"
    assert body["residence_permit_required"] is True and "居住证" in body["notice"]
    number = citizen_id(date(1995, 6, 1), "male")
    assert body["person"]["document_number_masked"] != number and "*" in body["person"]["document_number_masked"]
    assert set(body["person"]) == {"id", "version", "name", "sex", "document_type", "document_number_masked", "phone"}

    [mine] = client.get("/api/v1/landlord/houses").get_json()["items"]
    [tenant] = mine["tenants"]
    assert tenant["person"]["name"] == "刘洋" and number not in str(mine)
    assert (tenant["residence_id"], tenant["category"]) == (body["residence"]["id"], "floating")
    assert mine["pending_reports"] == 1 and mine["compliance"]["reports_on_time"] == 1
    # the full number is never read back, not even by asking for it
    assert (
        client.post(f"/api/v1/persons/{tenant['person']['id']}/reveal", json={"reason": "I want to see it"}).status_code
        == 403
    )


def test_a_late_arrival_says_how_late_and_counts_against_the_house(landlord, as_police):
    client, h = landlord
    r = _arrival(client, h["id"], date.today() - timedelta(days=10))
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["report"]["on_time"] is False and r.get_json()["report"]["days_late"] == 3
    assert r.get_json()["residence_permit_required"] is False  # no stay announced
    record = as_police.get(f"/api/v1/houses/{h['id']}/compliance").get_json()
    assert record["compliance"]["reports_late"] == 1
    assert [(e["kind"], e["days_late"]) for e in record["events"]] == [("arrival_late", 3)]
    assert record["house_id"] == h["id"] and record["events"][0]["residence_id"] == r.get_json()["residence"]["id"]
    assert r.get_json()["notice"] is None


def test_an_arrival_is_checked_exactly_like_the_registry(landlord):
    client, h = landlord
    good = citizen_id(date(1995, 6, 1), "male")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    body = {
        "tenant": {"name": "刘洋", "document_type": "citizen_id", "document_number": bad},
        "category": "floating",
        "arrived_on": date.today().isoformat(),
    }
    r = client.post(f"/api/v1/landlord/houses/{h['id']}/arrivals", json=body)
    assert r.status_code == 422 and "校验码" in r.get_json()["errors"]["tenant.document_number"][0]
    future = _arrival(client, h["id"], date.today() + timedelta(days=2))
    assert future.status_code == 422 and "arrived_on" in future.get_json()["errors"]
    no_document = client.post(
        f"/api/v1/landlord/houses/{h['id']}/arrivals",
        json={"tenant": {"name": "无证"}, "category": "floating", "arrived_on": date.today().isoformat()},
    )
    assert no_document.status_code == 422 and "tenant.document_number" in no_document.get_json()["errors"]
    first = _arrival(client, h["id"], date.today())
    assert first.status_code == 201
    same = {
        "tenant": {"name": "刘洋", "document_type": "citizen_id", "document_number": good},
        "category": "floating",
        "arrived_on": date.today().isoformat(),
    }
    assert client.post(f"/api/v1/landlord/houses/{h['id']}/arrivals", json=same).status_code == 201
    assert client.post(f"/api/v1/landlord/houses/{h['id']}/arrivals", json=same).status_code == 409


def test_a_departure_closes_the_residence_on_time_or_late(landlord):
    client, h = landlord
    a = _arrival(client, h["id"], date.today() - timedelta(days=40)).get_json()
    b = _arrival(
        client, h["id"], date.today() - timedelta(days=40), name="王芳", birth=date(1996, 2, 3), sex="female"
    ).get_json()
    r = client.post(
        f"/api/v1/landlord/houses/{h['id']}/departures",
        json={"residence_id": a["residence"]["id"], "left_on": (date.today() - timedelta(days=2)).isoformat()},
    )
    assert r.status_code == 201 and r.get_json()["report"]["on_time"] is True
    assert r.get_json()["residence"]["current"] is False
    late = client.post(
        f"/api/v1/landlord/houses/{h['id']}/departures",
        json={"residence_id": b["residence"]["id"], "left_on": (date.today() - timedelta(days=9)).isoformat()},
    )
    assert late.get_json()["report"] == {
        "on_time": False,
        "days_late": 2,
        "due_on": (date.today() - timedelta(days=2)).isoformat(),
    }
    again = client.post(
        f"/api/v1/landlord/houses/{h['id']}/departures",
        json={"residence_id": a["residence"]["id"], "left_on": date.today().isoformat()},
    )
    assert again.status_code == 409
    [mine] = client.get("/api/v1/landlord/houses").get_json()["items"]
    assert mine["tenants"] == []
    assert (mine["compliance"]["reports_on_time"], mine["compliance"]["reports_late"]) == (1, 3)


def test_reports_for_someone_elses_house_answer_404_and_reveal_nothing(landlord, as_worker):
    client, _ = landlord
    other = house(as_worker, use="rented")
    assert _arrival(client, other["id"], date.today()).status_code == 404
    assert (
        client.post(
            f"/api/v1/landlord/houses/{other['id']}/departures",
            json={"residence_id": other["id"], "left_on": date.today().isoformat()},
        ).status_code
        == 404
    )
    assert client.get(f"/api/v1/houses/{other['id']}").status_code == 404
    assert client.get(f"/api/v1/houses/{other['id']}/compliance").status_code == 404
    assert client.get("/api/v1/residence-permits/due").status_code == 403


def test_the_next_visit_confirms_reports_and_records_a_missed_departure(landlord, as_worker, as_police):
    client, h = landlord
    liu, wang = citizen_id(date(1995, 6, 1), "male"), citizen_id(date(1996, 2, 3), "female")
    stays = _arrival(
        client, h["id"], date.today() - timedelta(days=3), name="刘洋", birth=date(1995, 6, 1), number=liu
    ).get_json()
    gone = _arrival(
        client,
        h["id"],
        date.today() - timedelta(days=3),
        name="王芳",
        birth=date(1996, 2, 3),
        sex="female",
        number=wang,
    ).get_json()
    feed = as_worker.get("/api/v1/sync/changes", query_string={"limit": 500}).get_json()
    to_verify = {i["data"]["id"] for i in feed["items"] if i["type"] == "residence" and i["data"]["to_verify"]}
    assert {stays["residence"]["id"], gone["residence"]["id"]} <= to_verify

    body = visit(
        h,
        [
            resident(name="刘洋", birth=date(1995, 6, 1), present="yes", number=liu),
            resident(name="王芳", sex="female", birth=date(1996, 2, 3), present="no", number=wang),
        ],
    )
    assert as_worker.post("/api/v1/submissions", json=body).status_code == 201
    residents = {
        x["person"]["name"]: x for x in as_worker.get(f"/api/v1/houses/{h['id']}/residents").get_json()["items"]
    }
    assert residents["刘洋"]["verification"] == "confirmed" and residents["刘洋"]["current"] is True
    assert residents["王芳"]["verification"] == "rejected" and residents["王芳"]["current"] is False
    record = as_police.get(f"/api/v1/houses/{h['id']}/compliance").get_json()
    assert record["compliance"]["missed_departures"] == 1
    [mine] = client.get("/api/v1/landlord/houses").get_json()["items"]
    assert mine["pending_reports"] == 0 and mine["compliance"]["missed_departures"] == 1


def test_a_tenant_found_long_after_arriving_and_never_reported_is_a_missed_arrival(landlord, as_worker, as_police):
    _, h = landlord
    unreported = resident(name="赵强", birth=date(1990, 9, 9), arrived=date.today() - timedelta(days=20))
    recent = resident(name="钱进", birth=date(1991, 9, 9), arrived=date.today() - timedelta(days=3))
    assert as_worker.post("/api/v1/submissions", json=visit(h, [unreported, recent])).status_code == 201
    record = as_police.get(f"/api/v1/houses/{h['id']}/compliance").get_json()
    assert record["compliance"]["missed_arrivals"] == 1  # the recent one is still within the landlord's 7 days
    [event] = record["events"]
    assert event["kind"] == "missed_arrival" and event["days_late"] == 13


def test_a_self_check_through_the_submission_api_counts_as_the_landlords_self_check(landlord):
    client, h = landlord
    form = client.get("/api/v1/forms/landlord_self_check/versions/2026.1").get_json()["definition"]
    answers, attachments = _self_check_answers(form)
    r = client.post(
        "/api/v1/submissions",
        json=envelope("landlord_self_check", answers, {"type": "house", "id": h["id"]}, attachments=attachments),
    )
    assert r.status_code == 201, r.get_json()
    [mine] = client.get("/api/v1/landlord/houses").get_json()["items"]
    assert mine["last_self_check_at"] is not None
    # no signed safety agreement: a focus rental, inspected by the police; no monthly self-check is owed
    assert mine["tier"] == "focus" and mine["next_self_check_due"] is None
    visits = client.get("/api/v1/visits").get_json()["items"]
    assert [(v["kind"], v["form"]["id"]) for v in visits] == [("self_check", "landlord_self_check")]


def _self_check_answers(form):
    answers, attachments = {}, []
    for field in form["fields"]:
        if field["type"] == "image":
            answers[field["name"]] = f"{field['name']}.jpg"
            attachments.append(
                {"name": f"{field['name']}.jpg", "sha256": "ab" * 32, "bytes": 1000, "content_type": "image/jpeg"}
            )
        if field["type"] == "select_one":
            answers[field["name"]] = (
                "yes" if any(c["value"] == "yes" for c in field["choices"]) else field["choices"][0]["value"]
            )
        elif field["type"] == "select_multiple":
            answers[field["name"]] = ["none"]
    return answers, attachments


def test_permit_reminders_list_stays_past_a_month_and_expiring_permits(landlord, as_worker, as_police, build, session):
    client, h = landlord
    long_stay = _arrival(
        client, h["id"], date.today() - timedelta(days=45), name="孙立", birth=date(1993, 3, 3)
    ).get_json()
    _arrival(client, h["id"], date.today() - timedelta(days=5), name="周新", birth=date(1994, 4, 4))
    renewing = _arrival(
        client, h["id"], date.today() - timedelta(days=5), name="吴敏", birth=date(1992, 2, 2), sex="female"
    ).get_json()
    session.get(Person, renewing["person"]["id"]).permit_expires_on = date.today() + timedelta(days=10)
    session.flush()
    for client_ in (as_worker, as_police):
        due = client_.get("/api/v1/residence-permits/due").get_json()["items"]
        statuses = {d["person"]["name"]: d["status"] for d in due}
        assert statuses == {"孙立": "missing", "吴敏": "renewal_due"}
        renewal = next(d for d in due if d["status"] == "renewal_due")
        assert renewal["residence"]["id"] == renewing["residence"]["id"]
        assert renewal["permit_expires_on"] == (date.today() + timedelta(days=10)).isoformat()
    assert long_stay["residence_permit_required"] is False


def test_permit_reminders_page_through_everyone_due_instead_of_stopping_at_200(build, session, district, as_police):
    address = build.address(district.grids[0], 120.005, 30.005)
    house = build.house(address)
    due = set()
    for i in range(203):
        person = build.person()
        person.permit_expires_on = date.today() + timedelta(days=i % 7) if i % 3 else None
        build.residence(person, house, arrived_on=date.today() - timedelta(days=60 + i))
        due.add(str(person.id))
    session.flush()

    first = as_police.get("/api/v1/residence-permits/due").get_json()
    assert len(first["items"]) == 200 and first["links"][0]["rel"] == "next"
    rest = as_police.get(first["links"][0]["href"]).get_json()
    assert len(rest["items"]) == 3 and rest["next_cursor"] is None
    assert {d["person"]["id"] for d in first["items"] + rest["items"]} == due
    missing_first = [d["permit_expires_on"] for d in first["items"]][:5]
    assert missing_first == [None] * 5


def test_the_tenant_report_form_counts_like_the_landlord_api(landlord, as_police):
    client, h = landlord
    number = citizen_id(date(1997, 7, 7), "male")
    arrival = {
        "event": "arrival",
        "name": "郑伟",
        "sex": "male",
        "document_type": "citizen_id",
        "document_number": number,
        "phone": "13600004444",
        "category": "floating",
        "arrived_on": (date.today() - timedelta(days=9)).isoformat(),
        "expected_stay_months": 3,
    }
    r = client.post("/api/v1/submissions", json=envelope("tenant_report", arrival, {"type": "house", "id": h["id"]}))
    assert r.status_code == 201, r.get_json()
    record = as_police.get(f"/api/v1/houses/{h['id']}/compliance").get_json()
    assert [(e["kind"], e["days_late"]) for e in record["events"]] == [("arrival_late", 2)]
    [mine] = client.get("/api/v1/landlord/houses").get_json()["items"]
    assert [t["person"]["name"] for t in mine["tenants"]] == ["郑伟"] and mine["pending_reports"] == 1


def test_account_requests_from_one_address_are_limited(anon):
    for n in range(5):
        r = _request(anon, username=f"spam{n}", document_number=citizen_id(date(1980, 1, 1 + n), "male"))
        assert r.status_code == 201, r.get_json()
    r = _request(anon, username="spam5", document_number=citizen_id(date(1980, 1, 9), "male"))
    assert r.status_code == 429 and r.get_json()["code"] == "landlord.too_many_requests"
    assert r.headers["Retry-After"] == "3600"


def test_a_request_names_each_invalid_field(anon):
    r = _request(anon, document_number="330106199001011234", houses=[])
    assert r.status_code == 422
    assert set(r.get_json()["errors"]) >= {"houses"}
    r = _request(anon, document_number="330106199001011234")
    assert r.status_code == 422 and "document_number" in r.get_json()["errors"]


def test_police_see_a_landlords_record_over_all_their_houses(landlord, as_police, as_worker, login, district):
    client, h = landlord
    _arrival(client, h["id"], date.today() - timedelta(days=12))  # 5 days late
    _arrival(client, h["id"], date.today() - timedelta(days=1), name="王芳", birth=date(1996, 2, 3), sex="female")
    account_id = as_police.get(f"/api/v1/houses/{h['id']}").get_json()["landlord_account_id"]
    record = as_police.get(f"/api/v1/landlords/{account_id}/compliance").get_json()
    assert (record["compliance"]["reports_on_time"], record["compliance"]["reports_late"]) == (1, 1)
    assert [x["house_id"] for x in record["houses"]] == [h["id"]]
    outsider = login("grid_worker", grids=[district.grids[2].code])
    assert outsider.get(f"/api/v1/landlords/{account_id}/compliance").status_code == 404


def test_an_unreported_tenant_found_at_a_visit_puts_the_rental_in_focus(as_worker, as_police, anon):
    signed = (date.today() - timedelta(days=400)).isoformat()
    h = house(as_worker, use="rented", rental_mode="whole", agreement_signed_on=signed, rented_since=signed)
    as_police.post(
        "/api/v1/landlords",
        json={
            "username": "zhou.landlord",
            "password": PASSWORD,
            "name": "周安",
            "phone": "13900005555",
            "document_type": "citizen_id",
            "document_number": citizen_id(date(1966, 6, 6), "male"),
            "house_ids": [h["id"]],
        },
    )
    before = as_police.get(f"/api/v1/houses/{h['id']}/tier").get_json()
    assert before["tier"] == "uncertain" and "not_inspected" in {r["rule"] for r in before["reasons"]}
    unreported = resident(name="冯涛", birth=date(1989, 8, 8), arrived=date.today() - timedelta(days=30))
    assert as_worker.post("/api/v1/submissions", json=visit(h, [unreported])).status_code == 201
    after = as_police.get(f"/api/v1/houses/{h['id']}/tier").get_json()
    assert after["tier"] == "focus"
    assert "unreported_tenants" in {r["rule"] for r in after["reasons"]}
    token = sign_in(anon, "zhou.landlord").get_json()["token"]
    [mine] = type(anon)(anon.client, token).get("/api/v1/landlord/houses").get_json()["items"]
    assert mine["tier"] == "focus" and mine["compliance"]["missed_arrivals"] == 1


# -- the 180-day record: events are dated when reported or found, one window for every count ----


def _local_today(app):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(app.config["TIMEZONE"])).date()


@pytest.mark.parametrize("days", [180, 200])
def test_an_arrival_reported_very_late_counts_in_the_record_and_in_the_tier_alike(landlord, as_police, app, days):
    client, h = landlord
    today = _local_today(app)
    r = _arrival(client, h["id"], today - timedelta(days=days))
    assert r.status_code == 201 and r.get_json()["report"]["days_late"] == days - 7
    record = as_police.get(f"/api/v1/houses/{h['id']}/compliance").get_json()
    assert record["compliance"]["reports_late"] == 1  # the later the report, the more it counts: not less
    assert [(e["kind"], e["occurred_on"]) for e in record["events"]] == [("arrival_late", today.isoformat())]
    facts = as_police.get(f"/api/v1/houses/{h['id']}/tier").get_json()["facts"]
    assert facts["late_reports"] == 1


def test_a_tenant_hidden_for_200_days_and_found_at_a_visit_is_a_missed_arrival_in_the_record_and_tier(
    landlord, as_worker, as_police, app
):
    _, h = landlord
    today = _local_today(app)
    hidden = resident(name="赵强", birth=date(1990, 9, 9), arrived=today - timedelta(days=200))
    assert as_worker.post("/api/v1/submissions", json=visit(h, [hidden])).status_code == 201
    record = as_police.get(f"/api/v1/houses/{h['id']}/compliance").get_json()
    assert record["compliance"]["missed_arrivals"] == 1
    [event] = record["events"]
    assert (event["kind"], event["occurred_on"], event["days_late"]) == ("missed_arrival", today.isoformat(), 193)
    tier = as_police.get(f"/api/v1/houses/{h['id']}/tier").get_json()
    assert tier["facts"]["missed_arrivals"] == 1 and "unreported_tenants" in {r["rule"] for r in tier["reasons"]}


def test_the_record_and_the_tier_count_over_the_same_days(landlord, as_police, app, session):
    """An event recorded on the window's first day counts in both; one the day before, in neither."""
    from sqlalchemy import select, update

    from server.services import tiers as tier_service
    from server.store.models import ComplianceEvent

    client, h = landlord
    today = _local_today(app)
    _arrival(client, h["id"], today - timedelta(days=10))
    _arrival(client, h["id"], today - timedelta(days=10), name="王芳", birth=date(1996, 2, 3), sex="female")
    first, second = session.scalars(select(ComplianceEvent.id).where(ComplianceEvent.house_id == h["id"])).all()
    session.execute(
        update(ComplianceEvent).where(ComplianceEvent.id == first).values(occurred_on=today - timedelta(days=179))
    )  # the 180th day, counting today: in
    session.execute(
        update(ComplianceEvent).where(ComplianceEvent.id == second).values(occurred_on=today - timedelta(days=180))
    )  # the 181st: out
    tier_service.refresh_houses(session, [h["id"]], today, zone=app.config["TIMEZONE"])  # the nightly recompute
    record = as_police.get(f"/api/v1/houses/{h['id']}/compliance").get_json()
    assert record["compliance"]["window_days"] == 180
    assert record["compliance"]["reports_late"] == 1
    assert [e["occurred_on"] for e in record["events"]] == [(today - timedelta(days=179)).isoformat()]
    assert as_police.get(f"/api/v1/houses/{h['id']}/tier").get_json()["facts"]["late_reports"] == 1
