"""Landlords the way the police register them, for tests that need one signed in."""

from datetime import date

from tests.builders import citizen_id
from tests.e2e.registry_helpers import house

PASSWORD = "landlord secret 1"


def sign_in(anon, username):
    return anon.post("/api/v1/auth/tokens", json={"username": username, "password": PASSWORD})


def active_landlord(anon, as_worker, as_police, *, username, name):
    """(client signed in as an active landlord, the one rented house of the worker's grid they hold),
    created by the police."""
    h = house(as_worker, use="rented", rental_mode="shared")
    r = as_police.post(
        "/api/v1/landlords",
        json={
            "username": username,
            "password": PASSWORD,
            "name": name,
            "phone": "13900002222",
            "document_type": "citizen_id",
            "document_number": citizen_id(date(1970, 1, 2), "male"),
            "house_ids": [h["id"]],
        },
    )
    assert r.status_code == 201, r.get_json()
    token = sign_in(anon, username).get_json()["token"]
    return type(anon)(anon.client, token), h
