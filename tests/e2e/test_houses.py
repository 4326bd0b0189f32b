"""Actual houses at standard addresses."""

from tests.e2e.registry_helpers import IN_G0, address, house


def test_a_worker_registers_a_rented_house_at_an_address(as_worker):
    addr = address(as_worker)
    r = as_worker.post(
        "/api/v1/houses",
        json={
            "address_id": addr["id"],
            "use": "rented",
            "rental_mode": "by_bed",
            "rooms": 3,
            "floor_area_m2": 62.5,
            "rented_since": "2026-01-01",
            "agreement_signed_on": None,
        },
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["address"]["id"] == addr["id"] and body["rental_mode"] == "by_bed"
    assert body["floor_area_m2"] == 62.5 and body["agreement_signed_on"] is None


def test_one_house_per_address(as_worker):
    h = house(as_worker)
    r = as_worker.post("/api/v1/houses", json={"address_id": h["address"]["id"], "use": "vacant"})
    assert r.status_code == 409 and r.get_json()["existing_id"] == h["id"]


def test_inconsistent_rental_facts_are_refused_by_field(as_worker):
    addr = address(as_worker)
    r = as_worker.post("/api/v1/houses", json={"address_id": addr["id"], "use": "rented"})
    assert r.status_code == 422 and "rental_mode" in r.get_json()["errors"]
    r = as_worker.post("/api/v1/houses", json={"address_id": addr["id"], "use": "vacant", "rental_mode": "whole"})
    assert r.status_code == 422 and "rental_mode" in r.get_json()["errors"]
    r = as_worker.post(
        "/api/v1/houses",
        json={"address_id": addr["id"], "use": "rented", "rental_mode": "whole", "agreement_signed_on": "2999-01-01"},
    )
    assert r.get_json()["errors"] == {"agreement_signed_on": ["不能是将来的日期。"]}


def test_changing_use_from_rented_drops_the_rental_mode(as_worker):
    h = house(as_worker, rental_mode="whole")
    r = as_worker.patch(f"/api/v1/houses/{h['id']}", json={"use": "self_occupied"})
    assert r.status_code == 200 and r.get_json()["rental_mode"] is None


def test_list_filters_by_grid_use_and_address_text(as_committee, district):
    rented = house(as_committee)
    house(as_committee, use="vacant", location={"lon": 120.015, "lat": 30.005})
    items = as_committee.get("/api/v1/houses", query_string={"use": "rented"}).get_json()["items"]
    assert [h["id"] for h in items] == [rented["id"]]
    items = as_committee.get("/api/v1/houses", query_string={"grid": district.grids[1].code}).get_json()["items"]
    assert [h["use"] for h in items] == ["vacant"]
    door = rented["address"]["door"]
    items = as_committee.get("/api/v1/houses", query_string={"q": f"幸福路{door}号"}).get_json()["items"]
    assert [h["id"] for h in items] == [rented["id"]]


def test_houses_as_geojson_points(as_worker):
    h = house(as_worker)
    body = as_worker.get("/api/v1/houses", headers={"Accept": "application/geo+json"}).get_json()
    feature = next(f for f in body["features"] if f["id"] == h["id"])
    assert feature["geometry"] == {"type": "Point", "coordinates": [IN_G0["lon"], IN_G0["lat"]]}
    assert feature["properties"]["use"] == "rented"


def test_houses_outside_the_area_are_not_found(as_committee, as_worker):
    other = house(as_committee, location={"lon": 120.015, "lat": 30.005})
    assert as_worker.get(f"/api/v1/houses/{other['id']}").status_code == 404
    assert as_worker.patch(f"/api/v1/houses/{other['id']}", json={"rooms": 2}).status_code == 404


def test_a_mistaken_house_can_be_deleted_until_someone_lived_there(as_worker):
    h = house(as_worker)
    assert as_worker.delete(f"/api/v1/houses/{h['id']}").status_code == 204
    assert as_worker.get(f"/api/v1/houses/{h['id']}").status_code == 404


def test_landlords_see_only_their_own_houses(as_worker, login):
    landlord = login("landlord")
    mine = house(as_worker, landlord_account_id=str(landlord.account_id))
    house(as_worker)
    items = landlord.get("/api/v1/houses").get_json()["items"]
    assert [h["id"] for h in items] == [mine["id"]]
