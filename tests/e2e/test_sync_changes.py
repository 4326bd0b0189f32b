"""The change feed: a phone gets its whole area from nothing, then only what changed; never another grid's data."""

from tests.e2e.registry_helpers import house, person, residence


def _drain(client, cursor=None):
    items, more = [], True
    while more:
        body = client.get(
            "/api/v1/sync/changes", query_string={"limit": 3} | ({"cursor": cursor} if cursor else {})
        ).get_json()
        items += body["items"]
        cursor, more = body["next_cursor"], body["more"]
    return items, cursor


def test_a_new_phone_receives_its_area_and_then_only_changes(as_worker):
    h = house(as_worker)
    p = person(as_worker)
    residence(as_worker, p["id"], h["id"])
    items, cursor = _drain(as_worker)
    kinds = {(i["type"], i["op"]) for i in items}
    assert {("address", "upsert"), ("house", "upsert"), ("residence", "upsert")} <= kinds
    resident = next(i for i in items if i["type"] == "residence")["data"]
    assert resident["person"]["document_number_masked"] == p["document_number_masked"]
    assert "*" in resident["person"]["document_number_masked"]

    again, same_cursor = _drain(as_worker, cursor)
    assert again == [] and same_cursor == cursor  # nothing new; replaying is safe

    as_worker.patch(f"/api/v1/houses/{h['id']}", json={"rooms": 4})
    changed, _ = _drain(as_worker, cursor)
    assert [(i["type"], i["id"], i["data"]["rooms"]) for i in changed] == [("house", h["id"], 4)]


def test_replaying_a_cursor_gives_the_same_changes(as_worker):
    _, start = _drain(as_worker)
    house(as_worker)
    first = as_worker.get("/api/v1/sync/changes", query_string={"cursor": start}).get_json()
    second = as_worker.get("/api/v1/sync/changes", query_string={"cursor": start}).get_json()
    assert first == second and first["items"]


def test_deleted_records_arrive_as_tombstones(as_worker):
    h = house(as_worker)
    _, cursor = _drain(as_worker)
    assert as_worker.delete(f"/api/v1/houses/{h['id']}").status_code == 204
    items, _ = _drain(as_worker, cursor)
    assert {"type": "house", "id": h["id"], "op": "delete", "data": None} in items


def test_a_worker_never_receives_another_grids_data(as_worker, as_committee):
    house(as_committee, location={"lon": 120.015, "lat": 30.005})  # grid 1: the committee's, not the worker's
    mine = house(as_worker)
    items, _ = _drain(as_worker)
    house_ids = {i["id"] for i in items if i["type"] == "house"}
    assert house_ids == {mine["id"]}


def test_a_changed_area_resets_the_phone(as_admin, login, district):
    worker = login("grid_worker", grids=[district.grids[0].code])
    _, cursor = _drain(worker)
    as_admin.patch(f"/api/v1/users/{worker.account_id}", json={"grids": [district.grids[1].code]})
    r = worker.post("/api/v1/auth/tokens", json={"username": worker.username, "password": "correct horse battery"})
    worker.token = r.get_json()["token"]
    body = worker.get("/api/v1/sync/changes", query_string={"cursor": cursor}).get_json()
    assert body["reset"] is True


def test_a_tampered_cursor_is_a_field_error(as_worker):
    r = as_worker.get("/api/v1/sync/changes", query_string={"cursor": "bm9wZQ"})
    assert r.status_code == 422 and "cursor" in r.get_json()["errors"]


def test_dates_in_the_feed_are_iso_like_everywhere_else(as_worker):
    h = house(as_worker, agreement_signed_on="2026-03-01", rented_since="2025-12-31")
    items, _ = _drain(as_worker)
    record = next(i for i in items if i["type"] == "house" and i["id"] == h["id"])["data"]
    assert (record["agreement_signed_on"], record["rented_since"]) == ("2026-03-01", "2025-12-31")
    assert record["created_at"] == h["created_at"]


def test_an_empty_cursor_means_from_the_start(as_worker):
    h = house(as_worker)
    r = as_worker.get("/api/v1/sync/changes?cursor=")
    assert r.status_code == 200, r.get_json()
    assert h["id"] in {i["id"] for i in r.get_json()["items"] if i["type"] == "house"}


def test_a_cursor_from_before_epochs_starts_over(as_worker):
    import base64
    import json

    h = house(as_worker)
    old = base64.urlsafe_b64encode(json.dumps([987654, 12, "0123456789abcdef"]).encode()).decode().rstrip("=")
    body = as_worker.get("/api/v1/sync/changes", query_string={"cursor": old}).get_json()
    assert body["reset"] is True and h["id"] in {i["id"] for i in body["items"]}
