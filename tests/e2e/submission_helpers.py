"""Building submissions the way a phone does."""

import uuid
from datetime import UTC, date, datetime, timedelta

from tests.builders import citizen_id

VERSION = "2026.1"


def envelope(form_id, answers, subject=None, **extra):
    now = datetime.now(UTC)
    return {
        "instance_id": str(uuid.uuid4()),
        "form_id": form_id,
        "form_version": VERSION,
        "subject": subject or {"type": "none"},
        "device_id": "test-phone",
        "started_at": (now - timedelta(minutes=9)).isoformat(),
        "completed_at": (now - timedelta(minutes=1)).isoformat(),
        "location": {"lon": 120.005, "lat": 30.005, "accuracy_m": 8},
        "answers": answers,
        "attachments": [],
    } | extra


def resident(name="刘洋", sex="male", birth=date(1992, 4, 5), present="yes", arrived=None, number=None):
    return {
        "name": name,
        "sex": sex,
        "document_type": "citizen_id",
        "document_number": number or citizen_id(birth, sex),
        "birth_date": birth.isoformat(),
        "category": "floating",
        "arrived_on": (arrived or date.today() - timedelta(days=20)).isoformat(),
        "present": present,
    }


def visit(house, residents, outcome="met", **extra):
    answers = {"outcome": outcome} | ({"residents": residents, "hazards": ["none"]} if outcome == "met" else {})
    return envelope("household_visit", answers, {"type": "house", "id": house["id"]}, **extra)


def registration(street="学院路", door=None, use="rented", rental_mode="whole", lon=120.005, lat=30.005, **more):
    answers = {
        "street": street,
        "door": door or str(uuid.uuid4().int % 900 + 100),
        "house_use": use,
        "location": {"lon": lon, "lat": lat, "accuracy_m": 6},
    } | more
    if use in ("rented", "mixed"):
        answers["rental_mode"] = rental_mode
    return envelope("address_house_registration", answers)
