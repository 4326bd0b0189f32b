"""Actual units and the people they employ."""

from datetime import date, timedelta

from tests.e2e.registry_helpers import address, person


def _unit(client, **fields):
    addr = address(client)
    r = client.post("/api/v1/units", json={"address_id": addr["id"], "name": "好又多超市", "kind": "shop"} | fields)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_a_shop_is_registered_and_reports_its_employees(as_worker):
    shop = _unit(as_worker)
    assert shop["grid"]["code"] and shop["kind"] == "shop"
    clerk = person(as_worker)
    r = as_worker.post(
        f"/api/v1/units/{shop['id']}/employees",
        json={"person_id": clerk["id"], "started_on": (date.today() - timedelta(days=9)).isoformat()},
    )
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["days_late"] == 2
    staff = as_worker.get(f"/api/v1/units/{shop['id']}/employees", query_string={"current": "true"}).get_json()["items"]
    assert [(e["person"]["id"], e["current"]) for e in staff] == [(clerk["id"], True)]


def test_an_employment_ends_once(as_worker):
    shop = _unit(as_worker)
    clerk = person(as_worker)
    job = as_worker.post(
        f"/api/v1/units/{shop['id']}/employees", json={"person_id": clerk["id"], "started_on": date.today().isoformat()}
    ).get_json()
    url = f"/api/v1/units/{shop['id']}/employees/{job['id']}"
    assert as_worker.patch(url, json={"ended_on": date.today().isoformat()}).get_json()["current"] is False
    assert as_worker.patch(url, json={"ended_on": date.today().isoformat()}).status_code == 409


def test_units_are_found_by_name_and_kind(as_worker):
    mine = _unit(as_worker, name="建华五金店")
    _unit(as_worker, name="建华工地", kind="site")
    found = as_worker.get("/api/v1/units", query_string={"q": "五金", "kind": "shop"}).get_json()["items"]
    assert [u["id"] for u in found] == [mine["id"]]


def test_units_outside_the_area_are_not_found(as_committee, as_worker):
    far = address(as_committee, location={"lon": 120.015, "lat": 30.005})
    unit = as_committee.post(
        "/api/v1/units", json={"address_id": far["id"], "name": "远处工厂", "kind": "company"}
    ).get_json()
    assert as_worker.get(f"/api/v1/units/{unit['id']}").status_code == 404
    assert as_worker.get(f"/api/v1/units/{unit['id']}/employees").status_code == 404
