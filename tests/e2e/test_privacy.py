"""Privacy (issue 12, decision 0008): an ID number is never a key to someone
else's record, full numbers leave only through reveal, personal reads are
audited and the audit log can be read, and no answer says whether someone
exists outside the caller's view.

Two areas: the worker, committee and police of the district's first station
(grids 0 and 1), and `elsewhere`, a grid of the other community with its own
station, worker and police.
"""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from server.store.models import AuditEvent
from tests.builders import citizen_id
from tests.e2e.landlord_helpers import PASSWORD, active_landlord
from tests.e2e.registry_helpers import house, person, residence
from tests.e2e.submission_helpers import envelope, resident, visit

BIRTH = date(1990, 5, 11)  # what registry_helpers.person registers


@pytest.fixture
def elsewhere(build, district, login):
    station = build.station()
    grid = build.grid(district.other_community, station, (120.03, 30.00, 120.04, 30.01))
    return SimpleNamespace(
        worker=login("grid_worker", grids=[grid.code]),
        police=login("police", station=station.code),
        location={"lon": 120.035, "lat": 30.005},
        grid=grid,
    )


@pytest.fixture
def registered(elsewhere):
    """Someone living in the other area, with a phone: what nobody here may learn from their number."""
    number = citizen_id(BIRTH, "male")
    p = person(elsewhere.worker, name="钱真名", document_number=number, phone="13912345678")
    h = house(elsewhere.worker, location=elsewhere.location)
    residence(elsewhere.worker, p["id"], h["id"])
    return SimpleNamespace(id=p["id"], number=number, name="钱真名", phone="13912345678", house_id=h["id"])


@pytest.fixture
def landlord(anon, as_worker, as_police):
    return active_landlord(anon, as_worker, as_police, username="li.landlord", name="李房东")


def _leaks(response, who) -> bool:
    text = response.get_data(as_text=True)
    return any(part in text for part in (who.name, who.phone, who.number, who.id))


def _events(session, action, **where):
    query = select(AuditEvent).where(AuditEvent.action == action)
    for key, value in where.items():
        query = query.where(getattr(AuditEvent, key) == value)
    return list(session.scalars(query.order_by(AuditEvent.id)))


# -- finding 1: a visit cannot pull a person of another area in ---------------------


def test_a_visit_naming_someone_registered_elsewhere_links_and_shows_nothing(as_worker, registered, session):
    h = house(as_worker)
    body = visit(h, [resident(name="化名", birth=BIRTH, number=registered.number)])
    r = as_worker.post("/api/v1/submissions", json=body)
    assert r.status_code == 201, r.get_json()
    assert not _leaks(r, registered)
    [created] = [c for c in r.get_json()["result"]["created"] if c["type"] == "person"]
    assert created["id"] != registered.id and r.get_json()["result"]["conflicts"] == []

    assert as_worker.get(f"/api/v1/persons/{registered.id}").status_code == 404  # still
    residents = as_worker.get(f"/api/v1/houses/{h['id']}/residents")
    assert [x["person"]["name"] for x in residents.get_json()["items"]] == ["化名"]  # what was typed
    assert not _leaks(residents, registered)
    assert not _leaks(as_worker.get(f"/api/v1/submissions/{body['instance_id']}"), registered)
    assert not _leaks(as_worker.get("/api/v1/sync/changes", query_string={"limit": 500}), registered)
    found = as_worker.get("/api/v1/persons", query_string={"q": registered.number}).get_json()["items"]
    assert [p["id"] for p in found] == [created["id"]]  # their own record of what they typed
    [event] = _events(session, "identity.match_outside_area")
    assert event.subject_ids == [registered.id] and event.actor_id == as_worker.account_id


def test_police_of_either_area_confirm_the_identity_and_disagreements_become_a_conflict(
    as_worker, as_police, registered, elsewhere, login, build
):
    h = house(as_worker)
    body = visit(h, [resident(name="化名", birth=BIRTH, number=registered.number)])
    assert as_worker.post("/api/v1/submissions", json=body).status_code == 201
    assert as_worker.get("/api/v1/identity-checks").status_code == 403  # police decide, not workers
    [mine] = as_police.get("/api/v1/identity-checks").get_json()["items"]
    [theirs] = elsewhere.police.get("/api/v1/identity-checks").get_json()["items"]
    assert mine["id"] == theirs["id"] and mine["status"] == "open"
    assert mine["typed"]["name"] == "化名" and mine["registered_person"]["name"] == "钱真名"
    assert registered.number not in str(mine) and mine["document_number_masked"].count("*") == 10
    third = login("police", station=build.station().code)  # a station with no grids here
    assert third.get("/api/v1/identity-checks").get_json()["items"] == []

    r = elsewhere.police.post(
        f"/api/v1/identity-checks/{mine['id']}/decision", json={"decision": "same_person", "note": "本人到所核实"}
    )
    assert r.status_code == 200 and r.get_json()["status"] == "same_person"
    assert (
        as_police.post(
            f"/api/v1/identity-checks/{mine['id']}/decision", json={"decision": "different_person"}
        ).status_code
        == 409
    )
    # now linked, openly: the registered person lives in the worker's house, the name is left for an officer
    residents = as_worker.get(f"/api/v1/houses/{h['id']}/residents").get_json()["items"]
    assert [x["person"]["id"] for x in residents] == [registered.id]
    assert residents[0]["person"]["name"] == "钱真名"
    [conflict] = as_worker.get("/api/v1/conflicts").get_json()["items"]
    assert conflict["properties"] == {"name": {"current": "钱真名", "submitted": "化名"}}
    assert [c["id"] for c in elsewhere.worker.get("/api/v1/conflicts").get_json()["items"]] == [conflict["id"]]


def test_a_different_person_keeps_what_was_typed(as_worker, as_police, registered):
    h = house(as_worker)
    assert (
        as_worker.post(
            "/api/v1/submissions", json=visit(h, [resident(name="化名", birth=BIRTH, number=registered.number)])
        ).status_code
        == 201
    )
    [check] = as_police.get("/api/v1/identity-checks").get_json()["items"]
    r = as_police.post(f"/api/v1/identity-checks/{check['id']}/decision", json={"decision": "different_person"})
    assert r.status_code == 200
    residents = as_worker.get(f"/api/v1/houses/{h['id']}/residents").get_json()["items"]
    assert [x["person"]["name"] for x in residents] == ["化名"]
    assert as_worker.get(f"/api/v1/persons/{registered.id}").status_code == 404


def test_the_same_resident_at_the_next_visit_is_the_same_provisional_person(as_worker, registered):
    h = house(as_worker)
    entry = resident(name="化名", birth=BIRTH, number=registered.number)
    assert as_worker.post("/api/v1/submissions", json=visit(h, [entry])).status_code == 201
    again = as_worker.post("/api/v1/submissions", json=visit(h, [entry]))
    assert again.status_code == 201 and not [c for c in again.get_json()["result"]["created"] if c["type"] == "person"]
    assert len(as_worker.get(f"/api/v1/houses/{h['id']}/residents").get_json()["items"]) == 1


# -- finding 2: landlords learn nothing from an ID number ---------------------------


def test_a_landlord_arrival_with_someone_elses_number_shows_only_what_was_typed(landlord, registered, as_police):
    client, h = landlord
    body = {
        "tenant": {
            "name": "化名租客",
            "sex": "male",
            "phone": "13700009999",
            "document_type": "citizen_id",
            "document_number": registered.number,
        },
        "category": "floating",
        "arrived_on": date.today().isoformat(),
    }
    r = client.post(f"/api/v1/landlord/houses/{h['id']}/arrivals", json=body)
    assert r.status_code == 201, r.get_json()
    assert (r.get_json()["person"]["name"], r.get_json()["person"]["phone"]) == ("化名租客", "13700009999")
    assert not _leaks(r, registered)
    mine = client.get("/api/v1/landlord/houses")
    assert not _leaks(mine, registered)
    [tenant] = mine.get_json()["items"][0]["tenants"]
    assert tenant["person"]["name"] == "化名租客"
    [check] = as_police.get("/api/v1/identity-checks").get_json()["items"]
    assert check["source"] == "landlord_report" and check["typed"]["phone"] == "13700009999"


def test_a_confirmed_tenant_becomes_the_registered_person_with_the_report_on_record(
    landlord, registered, elsewhere, as_police
):
    client, h = landlord
    body = {
        "tenant": {
            "name": registered.name,
            "sex": "male",
            "phone": registered.phone,
            "document_type": "citizen_id",
            "document_number": registered.number,
        },
        "category": "floating",
        "arrived_on": (date.today() - timedelta(days=9)).isoformat(),
    }
    assert client.post(f"/api/v1/landlord/houses/{h['id']}/arrivals", json=body).status_code == 201
    [check] = elsewhere.police.get("/api/v1/identity-checks").get_json()["items"]
    assert (
        elsewhere.police.post(
            f"/api/v1/identity-checks/{check['id']}/decision", json={"decision": "same_person"}
        ).status_code
        == 200
    )
    [tenant] = client.get("/api/v1/landlord/houses").get_json()["items"][0]["tenants"]
    assert tenant["person"]["id"] == registered.id  # confirmed by the police: now openly their tenant
    record = as_police.get(f"/api/v1/houses/{h['id']}/compliance").get_json()
    assert [e["kind"] for e in record["events"]] == ["arrival_late"]  # the report still counts
    assert as_police.get("/api/v1/conflicts").get_json()["items"] == []  # typed the same: nothing to decide


def test_a_tenant_report_with_someone_elses_number_shows_only_what_was_typed(landlord, registered):
    client, h = landlord
    arrival = {
        "event": "arrival",
        "name": "化名租客",
        "sex": "male",
        "document_type": "citizen_id",
        "document_number": registered.number,
        "phone": "13700009999",
        "category": "floating",
        "arrived_on": date.today().isoformat(),
        "expected_stay_months": 3,
    }
    body = envelope("tenant_report", arrival, {"type": "house", "id": h["id"]})
    r = client.post("/api/v1/submissions", json=body)
    assert r.status_code == 201, r.get_json()
    assert not _leaks(r, registered)
    assert not _leaks(client.get("/api/v1/landlord/houses"), registered)
    assert not _leaks(client.get(f"/api/v1/submissions/{body['instance_id']}"), registered)


def test_a_landlord_typing_another_name_for_their_own_tenant_raises_a_conflict(landlord, as_police):
    client, h = landlord
    number = citizen_id(date(1995, 6, 1), "male")
    first = {
        "tenant": {
            "name": "刘洋",
            "sex": "male",
            "phone": "13700003333",
            "document_type": "citizen_id",
            "document_number": number,
        },
        "category": "floating",
        "arrived_on": (date.today() - timedelta(days=2)).isoformat(),
    }
    r = client.post(f"/api/v1/landlord/houses/{h['id']}/arrivals", json=first)
    assert r.status_code == 201
    client.post(
        f"/api/v1/landlord/houses/{h['id']}/departures",
        json={"residence_id": r.get_json()["residence"]["id"], "left_on": date.today().isoformat()},
    )
    again = first | {"tenant": first["tenant"] | {"name": "刘阳"}, "arrived_on": date.today().isoformat()}
    assert client.post(f"/api/v1/landlord/houses/{h['id']}/arrivals", json=again).status_code == 201
    [conflict] = as_police.get("/api/v1/conflicts").get_json()["items"]
    assert conflict["properties"] == {"name": {"current": "刘洋", "submitted": "刘阳"}}


# -- finding 3: full numbers in submissions, unaudited ------------------------------


def test_submissions_show_document_numbers_masked_to_everyone_and_reading_them_is_audited(
    as_worker, as_committee, as_police, as_admin, landlord, session
):
    h = house(as_worker)
    numbers = [citizen_id(date(1992, 4, 5), "male"), citizen_id(date(1993, 4, 5), "female")]
    body = visit(
        h,
        [
            resident(name="甲", birth=date(1992, 4, 5), number=numbers[0]),
            resident(name="乙", sex="female", birth=date(1993, 4, 5), number=numbers[1]),
        ],
    )
    assert as_worker.post("/api/v1/submissions", json=body).status_code == 201
    for client in (as_worker, as_committee, as_police, as_admin):
        r = client.get(f"/api/v1/submissions/{body['instance_id']}")
        assert r.status_code == 200
        shown = [x["document_number"] for x in r.get_json()["answers"]["residents"]]
        assert shown == [n[:4] + "*" * 10 + n[-4:] for n in numbers]
        assert not any(n in r.get_data(as_text=True) for n in numbers)
        [event] = _events(session, "submission.read", actor_id=client.account_id)
        assert event.subject_ids == [body["instance_id"]] and "residents.document_number" in event.fields
        assert len(event.person_ids) == 2

    client, lh = landlord
    number = citizen_id(date(1997, 7, 7), "male")
    report = envelope(
        "tenant_report",
        {
            "event": "arrival",
            "name": "郑伟",
            "sex": "male",
            "document_type": "citizen_id",
            "document_number": number,
            "phone": "13600004444",
            "category": "floating",
            "arrived_on": date.today().isoformat(),
            "expected_stay_months": 3,
        },
        {"type": "house", "id": lh["id"]},
    )
    assert client.post("/api/v1/submissions", json=report).status_code == 201
    r = client.get(f"/api/v1/submissions/{report['instance_id']}")
    assert r.get_json()["answers"]["document_number"] == number[:4] + "*" * 10 + number[-4:]
    assert number not in r.get_data(as_text=True)


# -- finding 5: no existence oracles -------------------------------------------------


def test_registering_someone_registered_elsewhere_answers_like_a_new_registration(as_worker, registered, as_police):
    new = as_worker.post(
        "/api/v1/persons",
        json={"name": "新人", "document_type": "citizen_id", "document_number": citizen_id(BIRTH, "male")},
    )
    dup = as_worker.post(
        "/api/v1/persons", json={"name": "新人", "document_type": "citizen_id", "document_number": registered.number}
    )
    assert (new.status_code, dup.status_code) == (201, 201)
    assert set(new.get_json()) == set(dup.get_json())
    assert dup.get_json()["id"] != registered.id and dup.get_json()["name"] == "新人"
    assert dup.get_json()["document_number_masked"] == registered.number[:4] + "*" * 10 + registered.number[-4:]
    assert not _leaks(dup, registered)
    [check] = as_police.get("/api/v1/identity-checks").get_json()["items"]  # the duplicate goes to review
    assert check["source"] == "person_create" and check["registered_person"]["id"] == registered.id
    # an in-area duplicate (here: their own record) still answers 409 naming it
    again = as_worker.post(
        "/api/v1/persons", json={"name": "新人", "document_type": "citizen_id", "document_number": registered.number}
    )
    assert again.status_code == 409 and again.get_json()["existing_id"] == dup.get_json()["id"]


def test_correcting_a_provisional_number_withdraws_its_identity_check(as_worker, as_police, registered):
    dup = as_worker.post(
        "/api/v1/persons", json={"name": "新人", "document_type": "citizen_id", "document_number": registered.number}
    ).get_json()
    fixed = citizen_id(BIRTH, "male")
    r = as_worker.patch(f"/api/v1/persons/{dup['id']}", json={"document_number": fixed})
    assert r.status_code == 200 and r.get_json()["document_number_masked"] == fixed[:4] + "*" * 10 + fixed[-4:]
    [check] = as_police.get("/api/v1/identity-checks").get_json()["items"]
    assert check["status"] == "different_person"
    renamed = as_worker.patch(f"/api/v1/persons/{dup['id']}", json={"name": "新人甲"})
    assert renamed.status_code == 200 and renamed.get_json()["document_number_masked"].endswith(fixed[-4:])


def _account_request(anon, username, number, **more):
    return anon.post(
        "/api/v1/landlord/account-requests",
        json={
            "username": username,
            "password": PASSWORD,
            "name": "方丽",
            "phone": "13800001111",
            "document_type": "citizen_id",
            "document_number": number,
            "houses": [{"address": "幸福路 12号 501", "location": {"lon": 120.005, "lat": 30.005}}],
        }
        | more,
    )


def test_an_account_request_never_says_whether_a_username_exists(anon, as_worker):
    taken = _account_request(anon, as_worker.username, citizen_id(date(1968, 3, 14), "female"))
    free = _account_request(anon, "fang.free", citizen_id(date(1969, 3, 14), "female"))
    assert (taken.status_code, free.status_code) == (201, 201), taken.get_json()
    assert set(taken.get_json()) == set(free.get_json())
    assert taken.get_json()["username"] == as_worker.username

    pending = {x["account_id"]: x for x in as_worker.get("/api/v1/landlord/account-requests").get_json()["items"]}
    request = pending[taken.get_json()["account_id"]]
    assert request["username_taken"] is True and pending[free.get_json()["account_id"]]["username_taken"] is False
    activation = f"/api/v1/landlord/account-requests/{request['account_id']}/activation"
    refused = as_worker.post(activation, json={})
    assert refused.status_code == 422 and "username" in refused.get_json()["errors"]
    assert as_worker.post(activation, json={"username": "fang.li"}).status_code == 200
    assert anon.post("/api/v1/auth/tokens", json={"username": "fang.li", "password": PASSWORD}).status_code == 201


def test_the_account_request_limit_counts_every_attempt(anon):
    for n in range(5):
        bad = _account_request(anon, f"probe{n}", "330106199001011234")  # refused: a wrong check character
        assert bad.status_code == 422
    r = _account_request(anon, "honest", citizen_id(date(1980, 1, 9), "male"))
    assert r.status_code == 429 and r.get_json()["code"] == "landlord.too_many_requests"


def test_reveal_attempts_count_against_the_daily_limit_found_or_not(as_police, as_worker, app, registered):
    h = house(as_worker)
    p = person(as_worker)
    residence(as_worker, p["id"], h["id"])
    for _ in range(app.config["REVEAL_DAILY_LIMIT"]):
        assert as_police.post(f"/api/v1/persons/{registered.id}/reveal", json={"reason": "核查身份"}).status_code == 404
    r = as_police.post(f"/api/v1/persons/{p['id']}/reveal", json={"reason": "核查身份"})
    assert r.status_code == 429 and r.get_json()["code"] == "person.reveal_limit"


def test_a_residence_for_someone_elsewhere_answers_like_one_for_nobody(as_worker, registered):
    h = house(as_worker)
    body = {"house_id": h["id"], "category": "floating", "arrived_on": date.today().isoformat()}
    elsewhere = as_worker.post("/api/v1/residences", json=body | {"person_id": registered.id})
    nobody = as_worker.post("/api/v1/residences", json=body | {"person_id": "01a21361-0000-7000-8000-000000000000"})
    assert (elsewhere.status_code, elsewhere.get_json()["errors"]) == (nobody.status_code, nobody.get_json()["errors"])


def test_a_search_by_number_is_on_record_even_when_it_finds_nobody(as_worker, registered, session):
    r = as_worker.get("/api/v1/persons", query_string={"q": registered.number})
    assert r.status_code == 200 and r.get_json()["items"] == []
    [event] = _events(session, "person.search_by_document", actor_id=as_worker.account_id)
    assert event.details == {"found": 0} and event.subject_ids == []


# -- finding 6: where conflicts are filed -------------------------------------------


def test_a_person_conflict_is_seen_by_who_raised_it_and_by_the_persons_area(as_worker, as_admin, elsewhere):
    number = citizen_id(BIRTH, "male")
    p = person(as_worker, name="原名", document_number=number)  # the worker registered them: theirs to see
    far = house(as_admin, location=elsewhere.location)
    residence(as_admin, p["id"], far["id"])  # ... and they live in the other area now
    h = house(as_worker)
    r = as_worker.post("/api/v1/submissions", json=visit(h, [resident(name="新名", birth=BIRTH, number=number)]))
    [conflict_id] = r.get_json()["result"]["conflicts"]
    assert [c["id"] for c in as_worker.get("/api/v1/conflicts").get_json()["items"]] == [conflict_id]
    assert [c["id"] for c in elsewhere.worker.get("/api/v1/conflicts").get_json()["items"]] == [conflict_id]
    for phone in (as_worker, elsewhere.worker):  # and it reaches both grids' phones
        feed = phone.get("/api/v1/sync/changes", query_string={"limit": 500}).get_json()["items"]
        assert conflict_id in {i["id"] for i in feed if i["type"] == "conflict"}


# -- finding 7: reading the audit log ------------------------------------------------


def test_an_admin_finds_who_saw_a_persons_record(as_worker, as_admin, as_police, elsewhere, session):
    h = house(as_worker)
    p = person(as_worker)
    residence(as_worker, p["id"], h["id"])
    as_worker.get(f"/api/v1/persons/{p['id']}")
    as_police.post(f"/api/v1/persons/{p['id']}/reveal", json={"reason": "案件核查 2026-118"})

    r = as_admin.get("/api/v1/audit-events", query_string={"person": p["id"], "limit": 3})
    assert r.status_code == 200, r.get_json()
    page = r.get_json()
    assert [(e["action"], e["actor"]["id"]) for e in page["items"]] == [
        ("person.reveal_id", str(as_police.account_id)),
        ("person.reveal_attempt", str(as_police.account_id)),
        ("person.read", str(as_worker.account_id)),
    ]
    assert page["items"][0]["purpose"] == "案件核查 2026-118" and page["items"][0]["fields"] == ["document_number"]
    rest = as_admin.get("/api/v1/audit-events", query_string={"person": p["id"], "cursor": page["next_cursor"]})
    assert "person.create" in [e["action"] for e in rest.get_json()["items"]]
    reads = as_admin.get(
        "/api/v1/audit-events",
        query_string={
            "person": p["id"],
            "action": "person.read",
            "actor": str(as_worker.account_id),
            "from": date.today().isoformat(),
        },
    )
    assert [e["action"] for e in reads.get_json()["items"]] == ["person.read"]

    csv = as_admin.get("/api/v1/audit-events", query_string={"person": p["id"]}, headers={"Accept": "text/csv"})
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    import csv as csv_module

    rows = list(csv_module.reader(csv.get_data(as_text=True).lstrip("\ufeff").splitlines()))
    assert rows[0][:3] == ["at", "actor_id", "actor_username"]
    assert any("person.reveal_id" in row for row in rows[1:])
    assert _events(session, "audit.read", actor_id=as_admin.account_id)  # reading the log is itself audited


def test_police_read_the_log_within_their_station_only(as_worker, as_police, elsewhere, registered):
    p = person(as_worker)
    as_worker.get(f"/api/v1/persons/{p['id']}")
    mine = as_police.get("/api/v1/audit-events").get_json()["items"]
    assert str(as_worker.account_id) in {e["actor"]["id"] for e in mine if e["actor"]}
    assert str(elsewhere.worker.account_id) not in {e["actor"]["id"] for e in mine if e["actor"]}
    assert as_police.get("/api/v1/audit-events", query_string={"person": registered.id}).status_code == 404
    about = elsewhere.police.get("/api/v1/audit-events", query_string={"person": registered.id}).get_json()["items"]
    assert {"person.create", "residence.create"} <= {e["action"] for e in about}
    assert as_worker.get("/api/v1/audit-events").status_code == 403
