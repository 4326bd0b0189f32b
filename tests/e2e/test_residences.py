"""Residence registration: arrivals and departures, lateness, 以房找人 and 以人找房, landlords' reduced view."""

from datetime import date, timedelta

from tests.e2e.registry_helpers import house, person, residence


def test_find_people_from_a_house_and_houses_from_a_person(as_worker):
    h = house(as_worker)
    p = person(as_worker)
    res = residence(as_worker, p["id"], h["id"], arrived_on=date.today() - timedelta(days=3))
    assert res["current"] is True and res["verification"] == "confirmed"
    residents = as_worker.get(f"/api/v1/houses/{h['id']}/residents", query_string={"current": "true"}).get_json()[
        "items"
    ]
    assert [(r["person"]["id"], r["category"]) for r in residents] == [(p["id"], "floating")]
    homes = as_worker.get(f"/api/v1/persons/{p['id']}/residences").get_json()["items"]
    assert [r["house_id"] for r in homes] == [h["id"]]


def test_a_person_has_one_open_residence_per_house(as_worker):
    h, p = house(as_worker), person(as_worker)
    first = residence(as_worker, p["id"], h["id"])
    r = as_worker.post(
        "/api/v1/residences",
        json={
            "person_id": p["id"],
            "house_id": h["id"],
            "category": "floating",
            "arrived_on": date.today().isoformat(),
        },
    )
    assert r.status_code == 409 and r.get_json()["existing_id"] == first["id"]


def test_registering_a_departure_closes_the_residence(as_worker):
    h, p = house(as_worker), person(as_worker)
    res = residence(as_worker, p["id"], h["id"], arrived_on=date.today() - timedelta(days=30))
    r = as_worker.patch(f"/api/v1/residences/{res['id']}", json={"left_on": date.today().isoformat()})
    assert r.status_code == 200 and r.get_json()["current"] is False
    assert (
        as_worker.get(f"/api/v1/houses/{h['id']}/residents", query_string={"current": "true"}).get_json()["items"] == []
    )
    assert len(as_worker.get(f"/api/v1/houses/{h['id']}/residents").get_json()["items"]) == 1
    again = as_worker.patch(f"/api/v1/residences/{res['id']}", json={"left_on": date.today().isoformat()})
    assert again.status_code == 409
    residence(as_worker, p["id"], h["id"])  # moving back in opens a new residence


def test_a_departure_before_the_arrival_is_refused(as_worker):
    h, p = house(as_worker), person(as_worker)
    res = residence(as_worker, p["id"], h["id"], arrived_on=date.today() - timedelta(days=2))
    r = as_worker.patch(
        f"/api/v1/residences/{res['id']}", json={"left_on": (date.today() - timedelta(days=5)).isoformat()}
    )
    assert r.status_code == 422 and "left_on" in r.get_json()["errors"]


def test_late_reports_show_how_late(as_worker):
    h, p = house(as_worker), person(as_worker)
    on_time = residence(as_worker, p["id"], h["id"], arrived_on=date.today() - timedelta(days=7))
    assert on_time["days_late"] == 0
    h2 = house(as_worker)
    late = residence(as_worker, p["id"], h2["id"], arrived_on=date.today() - timedelta(days=10))
    assert late["days_late"] == 3
    assert late["report_due_on"] == (date.today() - timedelta(days=3)).isoformat()


def test_arrivals_in_the_future_are_refused(as_worker):
    h, p = house(as_worker), person(as_worker)
    r = as_worker.post(
        "/api/v1/residences",
        json={
            "person_id": p["id"],
            "house_id": h["id"],
            "category": "floating",
            "arrived_on": (date.today() + timedelta(days=30)).isoformat(),
        },
    )
    assert r.status_code == 422 and "arrived_on" in r.get_json()["errors"]


def test_landlords_see_their_tenants_with_a_reduced_field_set(as_worker, login):
    landlord = login("landlord")
    mine = house(as_worker, landlord_account_id=str(landlord.account_id))
    tenant = person(as_worker, hukou_address="四川省成都市", ethnicity="汉族")
    residence(as_worker, tenant["id"], mine["id"])
    residents = landlord.get(f"/api/v1/houses/{mine['id']}/residents").get_json()["items"]
    shown = residents[0]["person"]
    assert shown["name"] == tenant["name"] and shown["document_number_masked"] == tenant["document_number_masked"]
    assert "hukou_address" not in shown and "ethnicity" not in shown and "birth_date" not in shown


def test_landlords_cannot_see_other_houses_or_people(as_worker, login):
    landlord = login("landlord")
    other = house(as_worker)
    stranger = person(as_worker)
    residence(as_worker, stranger["id"], other["id"])
    assert landlord.get(f"/api/v1/houses/{other['id']}/residents").status_code == 404
    assert landlord.get(f"/api/v1/persons/{stranger['id']}").status_code == 404
