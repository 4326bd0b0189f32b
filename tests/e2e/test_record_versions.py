"""Every record a submission can change shows its version (and an ETag), so a
phone can send the version it saw as subject.base_version and its edits apply
instead of becoming conflicts."""

from tests.e2e.registry_helpers import address, house, person, residence
from tests.e2e.submission_helpers import resident, visit


def _feed_record(client, kind, record_id):
    items, cursor, more = [], None, True
    while more:
        body = client.get("/api/v1/sync/changes", query_string={"cursor": cursor or ""}).get_json()
        items += body["items"]
        cursor, more = body["next_cursor"], body["more"]
    return next(i["data"] for i in reversed(items) if i["type"] == kind and i["id"] == record_id)


def test_a_house_shows_its_version_and_etag_and_both_move_with_each_change(as_worker):
    h = house(as_worker, rental_mode="whole")
    r = as_worker.get(f"/api/v1/houses/{h['id']}")
    assert r.get_json()["version"] == 1 and r.headers["ETag"]
    first_etag = r.headers["ETag"]
    changed = as_worker.patch(f"/api/v1/houses/{h['id']}", json={"rooms": 4})
    assert changed.get_json()["version"] == 2 and changed.headers["ETag"] != first_etag
    again = as_worker.get(f"/api/v1/houses/{h['id']}")
    assert again.get_json()["version"] == 2 and again.headers["ETag"] == changed.headers["ETag"]
    assert _feed_record(as_worker, "house", h["id"])["version"] == 2


def test_a_visit_sent_with_the_served_version_applies_without_a_conflict(as_worker):
    h = house(as_worker, rental_mode="whole")
    as_worker.patch(f"/api/v1/houses/{h['id']}", json={"rental_mode": "shared"})  # someone else's edit
    seen = _feed_record(as_worker, "house", h["id"])  # the phone syncs, then visits
    body = visit(h, [resident()]) | {"subject": {"type": "house", "id": h["id"], "base_version": seen["version"]}}
    body["answers"] |= {"house_use": "rented", "rental_mode": "by_bed"}
    r = as_worker.post("/api/v1/submissions", json=body)
    assert r.status_code == 201 and r.get_json()["result"]["conflicts"] == [], r.get_json()
    assert as_worker.get(f"/api/v1/houses/{h['id']}").get_json()["rental_mode"] == "by_bed"


def test_units_persons_residences_and_addresses_show_their_versions(as_worker):
    a = address(as_worker)
    assert a["version"] == 1
    r = as_worker.get(f"/api/v1/addresses/{a['id']}")
    assert r.get_json()["version"] == 1 and r.headers["ETag"]

    unit = as_worker.post("/api/v1/units", json={"address_id": a["id"], "name": "小卖部", "kind": "shop"}).get_json()
    assert unit["version"] == 1
    r = as_worker.patch(f"/api/v1/units/{unit['id']}", json={"phone": "13800000000"})
    assert r.get_json()["version"] == 2 and r.headers["ETag"]
    assert as_worker.get(f"/api/v1/units/{unit['id']}").get_json()["version"] == 2

    p = person(as_worker)
    assert p["version"] == 1
    r = as_worker.patch(f"/api/v1/persons/{p['id']}", json={"phone": "13900000000"})
    assert r.get_json()["version"] == 2 and r.headers["ETag"]

    h = house(as_worker)
    res = residence(as_worker, p["id"], h["id"])
    assert res["version"] == 1
    r = as_worker.get(f"/api/v1/residences/{res['id']}")
    assert r.get_json()["version"] == 1 and r.headers["ETag"]
    fed = _feed_record(as_worker, "residence", res["id"])
    assert fed["version"] == 1 and fed["person"]["version"] == 2
