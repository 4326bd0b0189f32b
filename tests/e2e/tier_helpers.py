"""Steps the tier and due-list stories share."""

from datetime import date, timedelta

from tests.e2e.registry_helpers import house
from tests.e2e.submission_helpers import envelope

LONG_AGO = (date.today() - timedelta(days=400)).isoformat()


def rental(client, rental_mode="shared", signed=True, **fields):
    """A let house in grids[0], let for over a year; the agreement signed unless told otherwise."""
    extra = {"rented_since": LONG_AGO, "rooms": 3} | ({"agreement_signed_on": LONG_AGO} if signed else {})
    return house(client, rental_mode=rental_mode, **(extra | fields))


def inspect(client, house_id, hazards=("none",), **extra):
    answers = {
        "outcome": "met",
        "extinguisher_present": "yes",
        "exits_clear": "yes",
        "wiring_safe": "yes",
        "tenant_register_kept": "yes",
        "tenants_match_register": "yes",
        "hazards": list(hazards),
    }
    if list(hazards) != ["none"]:
        # the inspector's own judgement; the tier policy grades each hazard itself
        answers |= {"severity": "minor", "rectify_by": (date.today() + timedelta(days=7)).isoformat()}
    r = client.post(
        "/api/v1/submissions", json=envelope("inspection", answers, {"type": "house", "id": house_id}, **extra)
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def self_check(client, house_id):
    answers = {
        "extinguisher_present": "yes",
        "exits_clear": "yes",
        "wiring_safe": "yes",
        "tenants_all_reported": "yes",
        "hazards": ["none"],
        "photo": "room.jpg",
    }
    manifest = [{"name": "room.jpg", "sha256": "b" * 64, "bytes": 2048, "content_type": "image/jpeg"}]
    r = client.post(
        "/api/v1/submissions",
        json=envelope("landlord_self_check", answers, {"type": "house", "id": house_id}, attachments=manifest),
    )
    assert r.status_code == 201, r.get_json()


def tier(client, house_id):
    r = client.get(f"/api/v1/houses/{house_id}/tier")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def rules(body):
    return [r["rule"] for r in body["reasons"]]
