"""The actual population: checked documents, masked numbers, no silent duplicates, audited reads."""

from datetime import date

from sqlalchemy import select

from server.store.models import AuditEvent
from tests.builders import citizen_id
from tests.e2e.registry_helpers import house, person, residence


def test_a_person_is_registered_with_a_masked_id_number(as_worker):
    number = citizen_id(date(1985, 3, 9), "female")
    r = as_worker.post(
        "/api/v1/persons",
        json={"name": "李娜", "document_type": "citizen_id", "document_number": number, "phone": "13800000000"},
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["document_number_masked"] == number[:4] + "*" * 10 + number[-4:]
    assert number not in r.get_data(as_text=True)
    assert (body["birth_date"], body["sex"]) == ("1985-03-09", "female")  # read from the number


def test_an_invalid_id_number_says_exactly_what_is_wrong(as_worker):
    number = citizen_id(date(1990, 5, 11), "male")
    wrong_check = number[:17] + ("0" if number[17] != "0" else "1")
    r = as_worker.post(
        "/api/v1/persons", json={"name": "王五", "document_type": "citizen_id", "document_number": wrong_check}
    )
    assert r.status_code == 422
    [message] = r.get_json()["errors"]["document_number"]
    assert f"校验码应为 {number[17]}" in message
    r = as_worker.post(
        "/api/v1/persons",
        json={
            "name": "王五",
            "sex": "female",
            "birth_date": "1990-05-11",
            "document_type": "citizen_id",
            "document_number": number,
        },
    )
    assert any("性别" in m for m in r.get_json()["errors"]["document_number"])
    r = as_worker.post(
        "/api/v1/persons",
        json={"name": "王五", "document_type": "citizen_id", "document_number": wrong_check},
        headers={"Accept-Language": "en"},
    )
    assert f"check character should be {number[17]}, not {wrong_check[17]}" in r.get_json()["errors"]["document_number"]


def test_a_legacy_15_digit_number_is_upgraded(as_worker):
    r = as_worker.post(
        "/api/v1/persons", json={"name": "老张", "document_type": "citizen_id", "document_number": "110105491231002"}
    )
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["birth_date"] == "1949-12-31"
    assert (
        r.get_json()["document_number_masked"].startswith("1101") and len(r.get_json()["document_number_masked"]) == 18
    )


def test_the_same_document_twice_is_a_conflict_pointing_at_the_first(as_worker):
    first = person(as_worker)
    number_holder = as_worker.post(
        "/api/v1/persons", json={"name": "copy", "document_type": "citizen_id", "document_number": "11010519491231002X"}
    )
    assert number_holder.status_code == 201
    again = as_worker.post(
        "/api/v1/persons",
        json={"name": "copy 2", "document_type": "citizen_id", "document_number": "11010519491231002x"},
    )
    assert again.status_code == 409
    assert again.get_json()["existing_id"] == number_holder.get_json()["id"]
    assert first["id"] != number_holder.get_json()["id"]


def test_a_duplicate_outside_your_area_is_accepted_without_pointing_at_it(as_worker, login, district):
    """It answers like a new registration; the police confirm the identity (test_privacy.py, decision 0008)."""
    other_worker = login("grid_worker", grids=[district.grids[2].code])
    number = citizen_id()
    first = other_worker.post(
        "/api/v1/persons", json={"name": "甲", "document_type": "citizen_id", "document_number": number}
    )
    assert first.status_code == 201
    r = as_worker.post("/api/v1/persons", json={"name": "甲", "document_type": "citizen_id", "document_number": number})
    assert r.status_code == 201 and r.get_json()["id"] != first.get_json()["id"]


def test_likely_duplicates_are_listed_for_review(as_worker):
    a = person(as_worker, name="陈明", birth=date(1970, 1, 2))
    b = as_worker.post("/api/v1/persons", json={"name": "陈明", "sex": "male", "birth_date": "1970-01-02"}).get_json()
    person(as_worker, name="陈明", birth=date(1971, 1, 2))
    groups = as_worker.get("/api/v1/persons/duplicates").get_json()["groups"]
    group = next(g for g in groups if g["name"] == "陈明")
    assert group["birth_date"] == "1970-01-02" and {p["id"] for p in group["persons"]} == {a["id"], b["id"]}


def test_search_by_name_and_by_exact_number_which_is_audited(as_worker, session):
    number = citizen_id(date(1988, 8, 8), "female")
    p = person(as_worker, name="周芳", birth=date(1988, 8, 8), sex="female", document_number=number)
    assert [x["id"] for x in as_worker.get("/api/v1/persons", query_string={"q": "周"}).get_json()["items"]] == [
        p["id"]
    ]
    found = as_worker.get("/api/v1/persons", query_string={"q": number}).get_json()["items"]
    assert [x["id"] for x in found] == [p["id"]]
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "person.search_by_document")).one()
    assert event.subject_ids == [p["id"]] and event.actor_id == as_worker.account_id


def test_police_reveal_a_number_with_a_reason_and_it_is_audited(as_police, as_worker, session, app):
    number = citizen_id(date(1990, 5, 11))  # the birth date person() registers
    h = house(as_worker)
    p = person(as_worker, document_number=number)
    residence(as_worker, p["id"], h["id"])
    r = as_police.post(f"/api/v1/persons/{p['id']}/reveal", json={"reason": "案件核查 2026-118"})
    assert r.status_code == 200 and r.get_json()["document_number"] == number
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "person.reveal_id")).one()
    assert event.purpose == "案件核查 2026-118" and event.fields == ["document_number"]


def test_workers_cannot_reveal_and_a_reason_is_required(as_police, as_worker):
    p = person(as_worker)
    assert as_worker.post(f"/api/v1/persons/{p['id']}/reveal", json={"reason": "curious"}).status_code == 403
    r = as_police.post(f"/api/v1/persons/{p['id']}/reveal", json={})
    assert r.status_code == 422 and "reason" in r.get_json()["errors"]


def test_reveals_are_rationed_per_day(as_police, as_worker, app):
    h = house(as_worker)
    p = person(as_worker)
    residence(as_worker, p["id"], h["id"])
    limit = app.config["REVEAL_DAILY_LIMIT"]
    for _ in range(limit):
        assert as_police.post(f"/api/v1/persons/{p['id']}/reveal", json={"reason": "核查身份"}).status_code == 200
    r = as_police.post(f"/api/v1/persons/{p['id']}/reveal", json={"reason": "核查身份"})
    assert r.status_code == 429 and r.get_json()["code"] == "person.reveal_limit"


def test_the_reveal_limit_says_when_to_try_again_local_midnight(as_police, as_worker, app, monkeypatch):
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    monkeypatch.setitem(app.config, "REVEAL_DAILY_LIMIT", 1)
    h = house(as_worker)
    p = person(as_worker)
    residence(as_worker, p["id"], h["id"])
    assert as_police.post(f"/api/v1/persons/{p['id']}/reveal", json={"reason": "核查身份"}).status_code == 200
    r = as_police.post(f"/api/v1/persons/{p['id']}/reveal", json={"reason": "核查身份"})
    assert r.status_code == 429
    zone = ZoneInfo(app.config["TIMEZONE"])
    local_now = datetime.now(zone)
    midnight = datetime.combine(local_now.date() + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    assert abs(int(r.headers["Retry-After"]) - (midnight - datetime.now(UTC)).total_seconds()) < 60


def test_every_read_of_a_person_is_audited_with_the_fields_shown(as_worker, session):
    p = person(as_worker)
    as_worker.get(f"/api/v1/persons/{p['id']}")
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "person.read", AuditEvent.subject_ids == [p["id"]])
    ).one()
    assert "document_number_masked" in event.fields and "ethnicity" in event.fields


def test_people_outside_your_area_are_not_found(as_worker, login, district):
    other = login("grid_worker", grids=[district.grids[2].code])
    p = person(other)
    assert as_worker.get(f"/api/v1/persons/{p['id']}").status_code == 404
    assert as_worker.get("/api/v1/persons", query_string={"q": p["name"]}).get_json()["items"] == []


def test_a_name_with_digits_is_searched_as_a_name_not_as_a_document_number(build, as_admin):
    """Chinese characters never stand in a document number: 审计123456 is part of a name."""
    person = build.person(name="审计123456甲")
    found = as_admin.get("/api/v1/persons", query_string={"q": "审计123456"}).get_json()["items"]
    assert [p["id"] for p in found] == [str(person.id)]
