"""Police inspect work units on their tier's schedule with the unit inspection form."""

from datetime import date, timedelta

from tests.e2e.registry_helpers import address
from tests.e2e.submission_helpers import envelope

TODAY = date.today()


def _unit(client, kind):
    r = client.post("/api/v1/units", json={"address_id": address(client)["id"], "name": f"单位-{kind}", "kind": kind})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _inspect(client, unit_id, hazards=("none",)):
    answers = {
        "outcome": "met",
        "staff_register_kept": "yes",
        "fire_equipment_ok": "yes",
        "exits_clear": "yes",
        "hazards": list(hazards),
    }
    if list(hazards) != ["none"]:
        answers["rectify_by"] = (TODAY + timedelta(days=10)).isoformat()
    r = client.post("/api/v1/submissions", json=envelope("unit_inspection", answers, {"type": "unit", "id": unit_id}))
    assert r.status_code == 201, r.get_json()


def _police_item(client, unit_id):
    items = client.get("/api/v1/inspections/due", query_string={"limit": 200}).get_json()["items"]
    return next(i for i in items if i["unit_id"] == unit_id)


def test_a_police_inspection_of_a_key_unit_moves_its_weekly_due_date(as_worker, as_police):
    hotel = _unit(as_worker, "hotel")
    before = _police_item(as_police, hotel["id"])
    assert (before["tier"], before["every_days"], before["due_on"]) == ("key", 7, TODAY.isoformat())
    assert before["last_visit_at"] is None
    _inspect(as_police, hotel["id"])
    after = _police_item(as_police, hotel["id"])
    assert after["due_on"] == (TODAY + timedelta(days=7)).isoformat() and after["last_visit_at"] is not None
    visits = as_police.get("/api/v1/visits", query_string={"unit": hotel["id"]}).get_json()["items"]
    assert [(v["kind"], v["form"]["id"], v["subject"]["type"]) for v in visits] == [
        ("inspection", "unit_inspection", "unit")
    ]


def test_a_serious_hazard_found_at_a_shop_makes_it_a_key_unit(as_worker, as_police):
    shop = _unit(as_worker, "shop")
    assert as_police.get(f"/api/v1/units/{shop['id']}/tier").get_json()["tier"] == "general"
    _inspect(as_police, shop["id"], hazards=("blocked_exit",))
    body = as_police.get(f"/api/v1/units/{shop['id']}/tier").get_json()
    assert body["tier"] == "key" and "serious_hazard" in {r["rule"] for r in body["reasons"]}
    assert _police_item(as_police, shop["id"])["every_days"] == 7


def test_grid_workers_cannot_see_a_unit_of_another_grid_to_inspect(as_worker, login, district):
    hotel = _unit(as_worker, "hotel")
    elsewhere = login("grid_worker", grids=[district.grids[2].code])
    r = elsewhere.post(
        "/api/v1/submissions",
        json=envelope("unit_inspection", {"outcome": "not_home"}, {"type": "unit", "id": hotel["id"]}),
    )
    assert r.status_code == 404
