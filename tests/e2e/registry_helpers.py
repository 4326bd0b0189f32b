"""Small steps the registry stories share: register an address, a house, a person, a residence."""

from datetime import date

from tests.builders import citizen_id, ref

IN_G0 = {"lon": 120.005, "lat": 30.005}


def address(client, location=IN_G0, **parts):
    body = {"street": "幸福路", "door": f"{secrets_door()}号", "location": location} | parts
    r = client.post("/api/v1/addresses", json=body)
    assert r.status_code in (200, 201), r.get_json()
    return r.get_json()


def secrets_door() -> str:
    import secrets

    return str(secrets.randbelow(9000) + 100)


def house(client, use="rented", rental_mode="shared", location=IN_G0, **fields):
    addr = address(client, location=location)
    body = {"address_id": addr["id"], "use": use} | ({"rental_mode": rental_mode} if use == "rented" else {}) | fields
    r = client.post("/api/v1/houses", json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def person(client, name=None, birth=date(1990, 5, 11), sex="male", **fields):
    body = {
        "name": name or f"张{ref()}",
        "sex": sex,
        "birth_date": birth.isoformat(),
        "document_type": "citizen_id",
        "document_number": citizen_id(birth, sex),
    } | fields
    r = client.post("/api/v1/persons", json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def residence(client, person_id, house_id, arrived_on=None, category="floating"):
    arrived_on = arrived_on or date.today()
    r = client.post(
        "/api/v1/residences",
        json={"person_id": person_id, "house_id": house_id, "category": category, "arrived_on": arrived_on.isoformat()},
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()
