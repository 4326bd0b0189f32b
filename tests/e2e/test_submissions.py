"""Phones send filled forms: nothing duplicated, nothing lost, every error explained."""

from datetime import date, timedelta

from tests.e2e.registry_helpers import house
from tests.e2e.submission_helpers import envelope, registration, resident, visit


def test_forms_are_fetched_with_an_etag(as_worker, as_landlord):
    r = as_worker.get("/api/v1/forms")
    assert r.status_code == 200
    ids = {f["id"] for f in r.get_json()["items"]}
    assert {"household_visit", "address_house_registration", "inspection", "unit_registration"} <= ids
    assert "tenant_report" not in ids
    again = as_worker.get("/api/v1/forms", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304
    assert {f["id"] for f in as_landlord.get("/api/v1/forms").get_json()["items"]} >= {"tenant_report"}
    one = as_worker.get("/api/v1/forms/household_visit/versions/2026.1").get_json()
    assert one["definition"]["fields"][1]["name"] == "outcome"
    assert as_worker.get("/api/v1/forms/household_visit/versions/1999.1").status_code == 404


def test_a_registration_creates_the_address_and_house(as_worker):
    body = registration(street="学院路", door="88", use="rented", rental_mode="by_bed", rooms=6)
    r = as_worker.post("/api/v1/submissions", json=body)
    assert r.status_code == 201, r.get_json()
    created = {c["type"] for c in r.get_json()["result"]["created"]}
    assert created == {"address", "house"}
    houses = as_worker.get("/api/v1/houses", query_string={"q": "学院路88号"}).get_json()["items"]
    assert [(h["rental_mode"], h["rooms"]) for h in houses] == [("by_bed", 6)]


def test_a_household_visit_registers_the_residents(as_worker):
    h = house(as_worker)
    body = visit(h, [resident(name="刘洋"), resident(name="王芳", sex="female", birth=date(1995, 1, 2))])
    r = as_worker.post("/api/v1/submissions", json=body)
    assert r.status_code == 201, r.get_json()
    residents = as_worker.get(f"/api/v1/houses/{h['id']}/residents", query_string={"current": "true"}).get_json()[
        "items"
    ]
    assert sorted(x["person"]["name"] for x in residents) == ["刘洋", "王芳"]
    assert all(x["verification"] == "confirmed" for x in residents)


def test_an_exact_replay_answers_the_same_and_stores_nothing_new(as_worker):
    h = house(as_worker)
    body = visit(h, [resident()])
    first = as_worker.post("/api/v1/submissions", json=body)
    second = as_worker.post("/api/v1/submissions", json=body | {"device_time": "2026-11-23T10:00:00+08:00"})
    assert first.status_code == 201 and second.status_code == 200
    assert second.get_json()["status"] == "duplicate"
    assert second.get_json()["result"] == first.get_json()["result"]
    assert len(as_worker.get(f"/api/v1/houses/{h['id']}/residents").get_json()["items"]) == 1


def test_the_same_instance_with_different_content_is_refused(as_worker):
    h = house(as_worker)
    body = visit(h, [resident()])
    as_worker.post("/api/v1/submissions", json=body)
    changed = body | {"answers": {"outcome": "not_home"}}
    r = as_worker.post("/api/v1/submissions", json=changed)
    assert r.status_code == 409 and r.get_json()["code"] == "submission.instance_conflict"


def test_validation_errors_name_every_field_at_once(as_worker):
    h = house(as_worker)
    bad = resident(number="110105194912310021")  # wrong check character
    bad.pop("category")
    future = resident(arrived=date.today() + timedelta(days=3))
    r = as_worker.post("/api/v1/submissions", json=visit(h, [resident(), bad, future]))
    assert r.status_code == 422
    errors = r.get_json()["errors"]
    assert "residents[1].document_number" in errors
    assert "residents[1].category" in errors
    assert errors["residents[2].arrived_on"] == ["日期不能晚于今天"]  # the form's own words, in Chinese by default


def test_an_answer_the_forms_rule_refuses_is_explained_in_the_forms_words_in_the_callers_language(as_worker):
    body = visit(house(as_worker), [resident(arrived=date.today() + timedelta(days=3))])

    by_default = as_worker.post("/api/v1/submissions", json=body)
    in_english = as_worker.post("/api/v1/submissions", json=body, headers={"Accept-Language": "en-GB,en;q=0.9"})

    assert by_default.status_code == in_english.status_code == 422
    assert by_default.get_json()["errors"]["residents[0].arrived_on"] == ["日期不能晚于今天"]
    assert in_english.get_json()["errors"]["residents[0].arrived_on"] == ["The date cannot be in the future."]


def test_wrong_types_unknown_fields_and_choices_are_explained(as_worker):
    h = house(as_worker)
    body = visit(h, [resident()])
    body["answers"] |= {"outcome": "maybe", "mood": "good"}
    r = as_worker.post("/api/v1/submissions", json=body)
    assert r.status_code == 422
    assert {"outcome", "mood"} <= set(r.get_json()["errors"])


def test_an_unknown_form_version_and_a_form_for_another_role(as_worker):
    body = registration() | {"form_version": "1999.1"}
    r = as_worker.post("/api/v1/submissions", json=body)
    assert r.status_code == 422 and r.get_json()["code"] == "form.unknown_version"
    r = as_worker.post(
        "/api/v1/submissions", json=envelope("tenant_report", {}, {"type": "house", "id": house(as_worker)["id"]})
    )
    assert r.status_code == 403 and r.get_json()["code"] == "form.role_not_allowed"


def test_a_house_outside_the_area_is_not_found(as_worker, as_committee):
    far = house(as_committee, location={"lon": 120.015, "lat": 30.005})
    r = as_worker.post("/api/v1/submissions", json=visit(far, [resident()]))
    assert r.status_code == 404


def test_an_edit_replaces_the_current_version_and_keeps_history(as_worker):
    h = house(as_worker)
    liu = resident(name="刘洋")
    first = visit(h, [liu])
    as_worker.post("/api/v1/submissions", json=first)
    edit = visit(h, [liu, resident(name="张伟", birth=date(1980, 2, 3))], deprecated_id=first["instance_id"])
    r = as_worker.post("/api/v1/submissions", json=edit)
    assert r.status_code == 201, r.get_json()
    old = as_worker.get(f"/api/v1/submissions/{first['instance_id']}").get_json()
    assert old["superseded_by"] == edit["instance_id"]
    names = sorted(
        x["person"]["name"] for x in as_worker.get(f"/api/v1/houses/{h['id']}/residents").get_json()["items"]
    )
    assert names == ["刘洋", "张伟"]
    again = visit(h, [resident()], deprecated_id=first["instance_id"])
    r = as_worker.post("/api/v1/submissions", json=again)
    assert r.status_code == 409 and r.get_json()["code"] == "submission.not_current"


def test_a_departure_seen_at_a_visit_closes_the_residence(as_worker):
    h = house(as_worker)
    person = resident(name="赵磊")
    as_worker.post("/api/v1/submissions", json=visit(h, [person]))
    as_worker.post("/api/v1/submissions", json=visit(h, [person | {"present": "no"}]))
    current = as_worker.get(f"/api/v1/houses/{h['id']}/residents", query_string={"current": "true"}).get_json()["items"]
    assert current == []


def test_an_out_of_date_record_gets_a_conflict_not_an_overwrite(as_worker, as_police):
    h = house(as_worker, rental_mode="whole", rooms=2)
    as_worker.patch(f"/api/v1/houses/{h['id']}", json={"rooms": 3})  # changed after the phone last synced
    reg = registration(
        street=h["address"]["street"], door=h["address"]["door"], use="rented", rental_mode="whole", rooms=5
    )  # the phone registers the same address with what it saw
    r = as_worker.post("/api/v1/submissions", json=reg)
    assert r.status_code == 201, r.get_json()
    [conflict_id] = r.get_json()["result"]["conflicts"]
    assert as_worker.get(f"/api/v1/houses/{h['id']}").get_json()["rooms"] == 3  # not overwritten
    conflict = as_police.get(f"/api/v1/conflicts/{conflict_id}").get_json()
    assert conflict["properties"] == {"rooms": {"current": 3, "submitted": 5}}
    assert [
        c["id"] for c in as_police.get("/api/v1/conflicts", query_string={"status": "open"}).get_json()["items"]
    ] == [conflict_id]
    r = as_police.post(f"/api/v1/conflicts/{conflict_id}/resolution", json={"choose": {"rooms": "submitted"}})
    assert r.status_code == 200 and r.get_json()["status"] == "resolved"
    assert as_worker.get(f"/api/v1/houses/{h['id']}").get_json()["rooms"] == 5
    again = as_police.post(f"/api/v1/conflicts/{conflict_id}/resolution", json={"choose": {"rooms": "current"}})
    assert again.status_code == 409


def test_a_visit_that_saw_the_current_version_changes_the_house(as_worker):
    h = house(as_worker, rental_mode="whole")
    body = visit(h, [resident()]) | {"subject": {"type": "house", "id": h["id"], "base_version": 1}}
    body["answers"] |= {"house_use": "rented", "rental_mode": "by_bed"}
    r = as_worker.post("/api/v1/submissions", json=body)
    assert r.status_code == 201 and r.get_json()["result"]["conflicts"] == []
    assert as_worker.get(f"/api/v1/houses/{h['id']}").get_json()["rental_mode"] == "by_bed"


def test_a_visit_that_saw_an_old_version_raises_a_conflict_instead(as_worker, as_police):
    h = house(as_worker, rental_mode="whole")
    as_worker.patch(f"/api/v1/houses/{h['id']}", json={"rental_mode": "shared"})  # version 2 meanwhile
    body = visit(h, [resident()]) | {"subject": {"type": "house", "id": h["id"], "base_version": 1}}
    body["answers"] |= {"house_use": "rented", "rental_mode": "by_bed"}
    r = as_worker.post("/api/v1/submissions", json=body)
    [conflict_id] = r.get_json()["result"]["conflicts"]
    assert as_worker.get(f"/api/v1/houses/{h['id']}").get_json()["rental_mode"] == "shared"
    conflict = as_police.get(f"/api/v1/conflicts/{conflict_id}").get_json()
    assert conflict["properties"] == {"rental_mode": {"current": "shared", "submitted": "by_bed"}}
    assert (conflict["base_version"], conflict["current_version"]) == (1, 2)


def test_a_batch_reports_each_item_and_one_bad_item_blocks_nothing(as_worker):
    h = house(as_worker)
    good = visit(h, [resident(name="甲")])
    duplicate = good
    bad = visit(h, [resident(name="乙")]) | {"answers": {"outcome": "met", "residents": [], "hazards": ["none"]}}
    conflicting = good | {"answers": {"outcome": "refused"}}
    malformed = {"instance_id": "not-a-uuid"}
    r = as_worker.post("/api/v1/sync/submissions", json={"submissions": [good, duplicate, bad, conflicting, malformed]})
    assert r.status_code == 200
    outcomes = [(i["outcome"], i["status"]) for i in r.get_json()["items"]]
    assert outcomes == [("created", 201), ("duplicate", 200), ("rejected", 422), ("conflict", 409), ("rejected", 422)]
    assert len(as_worker.get(f"/api/v1/houses/{h['id']}/residents").get_json()["items"]) == 1


def test_a_device_clock_far_off_is_flagged(as_worker):
    h = house(as_worker)
    r = as_worker.post(
        "/api/v1/submissions", json=visit(h, [resident()]), headers={"X-Device-Time": "2020-01-01T08:00:00+08:00"}
    )
    assert r.status_code == 201 and r.get_json()["flags"] == ["device_clock_off"]
    r = as_worker.post("/api/v1/submissions", json=visit(h, [resident()]))
    assert r.get_json()["flags"] == []


def test_declared_attachments_are_listed_as_missing_until_uploaded(as_worker):
    h = house(as_worker)
    body = visit(h, [resident()]) | {
        "attachments": [{"name": "door.jpg", "sha256": "a" * 64, "bytes": 1234, "content_type": "image/jpeg"}]
    }
    body["answers"]["photo_1"] = "door.jpg"
    r = as_worker.post("/api/v1/submissions", json=body)
    assert r.status_code == 201, r.get_json()
    assert as_worker.get(f"/api/v1/submissions/{body['instance_id']}").get_json()["missing_attachments"] == ["door.jpg"]


def test_the_status_a_submission_answers_is_one_the_contract_lists(as_worker):
    spec = as_worker.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]

    def documented(path, method, status):
        ref = spec["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]["$ref"]
        return schemas[ref.rsplit("/", 1)[1]]["properties"]["status"].get("enum")

    body = visit(house(as_worker), [resident()])
    sent = as_worker.post("/api/v1/submissions", json=body).get_json()
    again = as_worker.post("/api/v1/submissions", json=body).get_json()
    fetched = as_worker.get(f"/api/v1/submissions/{body['instance_id']}").get_json()
    assert sent["status"] in documented("/api/v1/submissions", "post", "201")
    assert again["status"] in documented("/api/v1/submissions", "post", "200")
    assert fetched["status"] in documented("/api/v1/submissions/{instance_id}", "get", "200")


def test_a_batch_item_answers_what_post_submissions_would_and_the_contract_says_so(as_worker):
    h = house(as_worker)
    single, batched = visit(h, [resident(name="甲")]), visit(h, [resident(name="乙")])
    alone = as_worker.post("/api/v1/submissions", json=single).get_json()
    [item] = as_worker.post("/api/v1/sync/submissions", json={"submissions": [batched]}).get_json()["items"]
    assert set(item["result"]) == set(alone)
    assert item["result"]["instance_id"] == batched["instance_id"] and item["result"]["status"] == "created"
    spec = as_worker.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    documented = spec["BatchItem"]["properties"]["result"]["anyOf"]
    assert {"$ref": "#/components/schemas/SubmissionResult"} in documented
    assert set(spec["SubmissionResult"]["properties"]) == set(alone)


def test_an_answer_refused_by_the_form_is_explained_in_chinese_unless_english_is_asked_for(as_worker):
    h = house(as_worker)
    body = visit(h, [resident()]) | {"answers": {"outcome": "met", "residents": [], "hazards": ["none"]}}
    zh = as_worker.post("/api/v1/submissions", json=body)
    en = as_worker.post("/api/v1/submissions", json=body, headers={"Accept-Language": "en"})
    assert (zh.status_code, en.status_code) == (422, 422)
    assert zh.get_json()["errors"]["residents"] == ["至少需要 1 条，实际 0 条。"]
    assert en.get_json()["errors"]["residents"] == ["At least 1 entry is needed, 0 given."]


def test_a_batch_may_repeat_an_item_and_edit_one_sent_earlier_in_it(as_worker):
    h = house(as_worker)
    first = visit(h, [], outcome="not_home")
    edit = visit(h, [], outcome="not_home", deprecated_id=first["instance_id"])
    r = as_worker.post("/api/v1/sync/submissions", json={"submissions": [first, first, edit]})
    assert r.status_code == 200, r.get_json()
    assert [(i["outcome"], i["status"]) for i in r.get_json()["items"]] == [
        ("created", 201),
        ("duplicate", 200),
        ("created", 201),
    ]
    shown = as_worker.get(f"/api/v1/submissions/{first['instance_id']}").get_json()
    assert shown["superseded_by"] == edit["instance_id"]
    visits = as_worker.get(f"/api/v1/houses/{h['id']}/visits").get_json()["items"]
    assert len(visits) == 1  # the edit updated the visit of the version it replaces
