"""Visits as officers and workers read them: lists, house timelines, maps, plausibility flags, scope."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from server.store.models import AuditEvent
from tests.e2e.photo_helpers import camera_jpeg, only_visit, put, visit_with_photos
from tests.e2e.registry_helpers import IN_G0, house
from tests.e2e.submission_helpers import envelope, resident, visit


def _submit(client, body):
    r = client.post("/api/v1/submissions", json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _at(minutes_ago: float) -> dict:
    now = datetime.now(UTC)
    return {
        "started_at": (now - timedelta(minutes=minutes_ago + 5)).isoformat(),
        "completed_at": (now - timedelta(minutes=minutes_ago)).isoformat(),
    }


def _visits(client, **query):
    r = client.get("/api/v1/visits", query_string=query)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_a_visit_shows_subject_actor_outcome_times_place_form_findings_photos_and_flags(as_worker):
    h = house(as_worker)
    body = visit_with_photos(h, {"door.jpg": camera_jpeg()})
    body["answers"]["hazards"] = ["coal_stove"]
    _submit(as_worker, body)
    v = only_visit(as_worker, h)
    assert v["subject"] == {"type": "house", "id": h["id"], "address": h["address"]["full_text"]}
    assert v["actor"]["id"] == str(as_worker.account_id) and v["actor"]["role"] == "grid_worker"
    assert (v["kind"], v["outcome"], v["hazards"], v["instance_id"]) == (
        "visit",
        "met",
        ["coal_stove"],
        body["instance_id"],
    )
    assert v["visited_at"][:19] == body["completed_at"][:19] and v["received_at"] >= v["visited_at"]
    assert v["location"] == {"lon": 120.005, "lat": 30.005, "accuracy_m": 8.0}
    assert v["form"] == {"id": "household_visit", "version": "2026.1"}
    assert [(p["name"], p["status"]) for p in v["photos"]] == [("door.jpg", "missing")]
    assert (v["flags"], v["flag_details"]) == ([], {})


def test_a_visit_far_from_the_house_with_poor_gps_is_flagged_not_refused(as_worker):
    h = house(as_worker)  # at 120.005, 30.005
    body = visit(h, [resident()], location={"lon": 120.0085, "lat": 30.005, "accuracy_m": 80})
    _submit(as_worker, body)
    v = only_visit(as_worker, h)
    assert v["flags"] == ["far_from_subject", "poor_accuracy"]
    assert 320 < v["flag_details"]["far_from_subject"]["measured"] < 350  # on the geography, in metres
    assert v["flag_details"]["far_from_subject"]["limit"] == 100.0
    assert v["flag_details"]["poor_accuracy"] == {"measured": 80.0, "limit": 50.0, "unit": "m"}


def test_the_distance_limit_is_a_setting(as_worker, app, monkeypatch):
    monkeypatch.setitem(app.config, "VISIT_MAX_DISTANCE_M", 500)
    h = house(as_worker)
    _submit(as_worker, visit(h, [resident()], location={"lon": 120.0085, "lat": 30.005, "accuracy_m": 8}))
    assert only_visit(as_worker, h)["flags"] == []


def test_a_form_synced_days_after_it_was_filled_is_a_late_sync(as_worker):
    h = house(as_worker)
    _submit(as_worker, visit(h, [resident()], **_at(minutes_ago=4 * 24 * 60)))
    v = only_visit(as_worker, h)
    assert v["flags"] == ["late_sync"]
    assert 95 < v["flag_details"]["late_sync"]["measured"] < 97 and v["flag_details"]["late_sync"]["unit"] == "h"


def test_photo_flags_are_computed_whether_the_photo_comes_before_or_after_the_submission(as_worker):
    for early in (True, False):
        h = house(as_worker)
        far = camera_jpeg(gps=(IN_G0["lon"], IN_G0["lat"] + 0.01))  # ~1.1 km north
        old = camera_jpeg(at=datetime.now(UTC) - timedelta(hours=2))
        fine = camera_jpeg()
        files = {"far.jpg": far, "old.jpg": old, "fine.jpg": fine}
        body = visit_with_photos(h, files)
        if early:
            for name, data in files.items():
                assert put(as_worker, body["instance_id"], name, data).status_code == 201
        _submit(as_worker, body)
        if not early:
            assert only_visit(as_worker, h)["flags"] == []
            for name, data in files.items():
                assert put(as_worker, body["instance_id"], name, data).status_code == 201
        v = only_visit(as_worker, h)
        assert v["flags"] == ["photo_far_from_visit", "photo_time_off"], early
        assert list(v["flag_details"]["photo_far_from_visit"]["photos"]) == ["far.jpg"]
        assert 1050 < v["flag_details"]["photo_far_from_visit"]["photos"]["far.jpg"] < 1150
        assert 115 < v["flag_details"]["photo_time_off"]["photos"]["old.jpg"] < 125
        assert {p["name"]: p["flags"] for p in v["photos"]} == {
            "far.jpg": ["photo_far_from_visit"],
            "old.jpg": ["photo_time_off"],
            "fine.jpg": [],
        }


def test_visits_are_listed_newest_first_and_filtered(as_worker, as_police, district, login):
    h1, h2 = house(as_worker), house(as_worker)
    older = visit(h1, [resident()], **_at(minutes_ago=120))
    newer = visit(h2, [resident()], location={"lon": 120.005, "lat": 30.005, "accuracy_m": 90}, **_at(minutes_ago=5))
    _submit(as_worker, older)
    _submit(as_worker, newer)
    colleague = login("grid_worker", grids=[district.grids[0].code])
    mine = [v["instance_id"] for v in _visits(colleague, actor=str(as_worker.account_id))["items"]]
    assert mine == [newer["instance_id"], older["instance_id"]]
    assert [v["instance_id"] for v in _visits(as_police, house=h1["id"])["items"]] == [older["instance_id"]]
    assert [
        v["instance_id"] for v in _visits(as_police, flag="poor_accuracy", actor=str(as_worker.account_id))["items"]
    ] == [newer["instance_id"]]
    since = (datetime.now(UTC) - timedelta(minutes=60)).isoformat()
    assert [
        v["instance_id"] for v in _visits(as_police, actor=str(as_worker.account_id), **{"from": since})["items"]
    ] == [newer["instance_id"]]
    assert [v["instance_id"] for v in _visits(as_police, actor=str(as_worker.account_id), to=since)["items"]] == [
        older["instance_id"]
    ]
    today = datetime.now(UTC).astimezone().date().isoformat()
    assert len(_visits(as_police, actor=str(as_worker.account_id), grid=district.grids[0].code)["items"]) == 2
    assert _visits(as_police, actor=str(as_worker.account_id), grid=district.grids[1].code)["items"] == []
    assert _visits(as_police, grid="no-such-grid")["items"] == []
    assert as_police.get("/api/v1/visits", query_string={"flag": "pretty"}).status_code == 422
    assert as_police.get("/api/v1/visits", query_string={"from": "yesterday"}).status_code == 422
    assert as_police.get("/api/v1/visits", query_string={"to": today}).status_code == 200


def test_a_day_in_from_and_to_means_the_whole_local_day(as_worker, app):
    from zoneinfo import ZoneInfo

    h = house(as_worker)
    _submit(as_worker, visit(h, [resident()], **_at(minutes_ago=1)))
    local_today = datetime.now(ZoneInfo(app.config["TIMEZONE"])).date()
    for day, expected in ((local_today, 1), (local_today - timedelta(days=1), 0)):
        found = _visits(as_worker, house=h["id"], **{"from": day.isoformat(), "to": day.isoformat()})["items"]
        assert len(found) == expected, day


def test_pages_follow_the_cursor_without_repeats(as_worker):
    h = house(as_worker)
    sent = []
    for minutes in (30, 20, 10):
        body = visit(h, [resident()], **_at(minutes_ago=minutes))
        _submit(as_worker, body)
        sent.append(body["instance_id"])
    seen, cursor = [], None
    while True:
        query = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = as_worker.get(f"/api/v1/houses/{h['id']}/visits", query_string=query).get_json()
        seen += [v["instance_id"] for v in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(sent))
    bad = as_worker.get(f"/api/v1/houses/{h['id']}/visits", query_string={"cursor": "nonsense"})
    assert (bad.status_code, list(bad.get_json()["errors"])) == (422, ["cursor"])


def test_visits_come_as_geojson_points_for_a_map(as_worker):
    h = house(as_worker)
    body = visit(h, [resident()])
    _submit(as_worker, body)
    r = as_worker.get("/api/v1/visits", query_string={"house": h["id"]}, headers={"Accept": "application/geo+json"})
    assert r.status_code == 200 and r.mimetype == "application/geo+json"
    [feature] = r.get_json()["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [120.005, 30.005]}
    assert feature["properties"]["instance_id"] == body["instance_id"]
    timeline = as_worker.get(f"/api/v1/houses/{h['id']}/visits", headers={"Accept": "application/geo+json"})
    assert timeline.get_json()["type"] == "FeatureCollection"


def test_another_grids_worker_sees_neither_the_visits_nor_the_timeline(as_worker, login, district):
    h = house(as_worker)
    _submit(as_worker, visit(h, [resident()]))
    elsewhere = login("grid_worker", grids=[district.grids[2].code])
    assert _visits(elsewhere, house=h["id"])["items"] == []
    assert elsewhere.get(f"/api/v1/houses/{h['id']}/visits").status_code == 404


def test_a_landlord_sees_their_own_self_checks_but_not_the_visits_of_others(as_worker, login):
    landlord = login("landlord")
    h = house(as_worker, landlord_account_id=str(landlord.account_id))
    worker_visit = visit(h, [resident()])
    _submit(as_worker, worker_visit)
    data = camera_jpeg()
    answers = {
        "extinguisher_present": "yes",
        "exits_clear": "yes",
        "wiring_safe": "yes",
        "tenants_all_reported": "yes",
        "hazards": ["none"],
        "photo": "self.jpg",
    }
    from tests.e2e.photo_helpers import manifest

    check = envelope(
        "landlord_self_check", answers, {"type": "house", "id": h["id"]}, attachments=manifest({"self.jpg": data})
    )
    _submit(landlord, check)
    assert put(landlord, check["instance_id"], "self.jpg", data).status_code == 201
    [own] = _visits(landlord)["items"]
    assert (own["instance_id"], own["kind"]) == (check["instance_id"], "self_check")
    assert [v["instance_id"] for v in landlord.get(f"/api/v1/houses/{h['id']}/visits").get_json()["items"]] == [
        check["instance_id"]
    ]
    [photo] = own["photos"]
    assert landlord.get(photo["urls"]["320"]).status_code == 200
    other = login("landlord")
    assert _visits(other)["items"] == []
    assert other.get(f"/api/v1/houses/{h['id']}/visits").status_code == 404
    assert other.get(photo["urls"]["320"]).status_code == 404
    listed = {v["instance_id"] for v in _visits(as_worker, house=h["id"])["items"]}
    assert listed == {worker_visit["instance_id"], check["instance_id"]}


def test_reading_visits_is_audited(as_police, as_worker, session):
    h = house(as_worker)
    _submit(as_worker, visit(h, [resident()]))
    [v] = _visits(as_police, house=h["id"])["items"]
    events = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "visit.read", AuditEvent.actor_id == uuid.UUID(str(as_police.account_id))
        )
    )
    assert [e.subject_ids for e in events] == [[v["id"]]]


def test_visits_photos_and_uploads_need_a_token(anon):
    some = uuid.uuid4()
    for method, url in (
        ("get", "/api/v1/visits"),
        ("get", f"/api/v1/houses/{some}/visits"),
        ("get", f"/api/v1/photos/{some}"),
        ("put", f"/api/v1/submissions/{some}/attachments/a.jpg"),
    ):
        r = getattr(anon, method)(url)
        assert (r.status_code, r.get_json()["code"]) == (401, "auth.required"), url
