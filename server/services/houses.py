"""Actual houses (实有房屋) at standard addresses."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.auth.verbs import require
from server.domain.addresses import search_text
from server.domain.houses import house_problems
from server.domain.privacy import HOUSE_PERSONAL_FIELDS
from server.errors import Conflict, NotFound, ValidationFailed
from server.services import addresses as address_service
from server.services import tiers as tier_service
from server.store import audit, scoping, unique
from server.store.models import Account, House
from server.store.queries import houses as house_q
from server.store.queries import persons as person_q

FIELDS = (
    "use",
    "rental_mode",
    "rooms",
    "floor_area_m2",
    "rented_since",
    "landlord_person_id",
    "landlord_account_id",
    "agreement_signed_on",
    "note",
)


def get(session: Session, actor: Actor, house_id: uuid.UUID) -> House:
    require(actor, "house.read")
    row = house_q.visible(session, scoping.visible_houses(actor), house_id)
    if row is None:
        raise NotFound("No such house.", code="house.not_found")
    return row


def read(session: Session, actor: Actor, house_id: uuid.UUID) -> House:
    """One house as shown to the caller: its landlord and notes are personal data (audited)."""
    row = get(session, actor, house_id)
    audit_read(session, actor, [row])
    return row


def audit_read(session: Session, actor: Actor, houses, purpose: str | None = None) -> None:
    houses = list(houses)
    if houses:
        audit.record(
            session,
            actor,
            "house.read",
            subject_type="house",
            subject_ids=[h.id for h in houses],
            person_ids=[h.landlord_person_id for h in houses],
            fields=HOUSE_PERSONAL_FIELDS,
            purpose=purpose,
        )


def _check(session: Session, actor: Actor, values: dict, today: date) -> None:
    errors = house_problems(
        use=values["use"],
        rental_mode=values.get("rental_mode"),
        rented_since=values.get("rented_since"),
        agreement_signed_on=values.get("agreement_signed_on"),
        today=today,
    )
    person_id = values.get("landlord_person_id")
    if person_id is not None and person_q.visible(session, scoping.visible_persons(actor), person_id) is None:
        errors["landlord_person_id"] = ["No such person in your area."]
    account_id = values.get("landlord_account_id")
    if account_id is not None:
        account = session.get(Account, account_id)
        if account is None or account.role != "landlord":
            errors["landlord_account_id"] = ["No such landlord account."]
    if errors:
        raise ValidationFailed(errors=errors)


def create(session: Session, actor: Actor, *, address_id: uuid.UUID, today: date, **values) -> House:
    """A new house; one already at the address (also one a concurrent request registered a
    moment ago) is a 409 naming it."""
    house, created = find_or_create(session, actor, address_id=address_id, today=today, **values)
    if not created:
        raise Conflict(
            "A house is already registered at this address.", code="house.exists", extra={"existing_id": str(house.id)}
        )
    return house


def find_or_create(
    session: Session, actor: Actor, *, address_id: uuid.UUID, today: date, **values
) -> tuple[House, bool]:
    """The house at this address, or a new one with these values: (house, created)."""
    require(actor, "house.create")
    address = address_service.get(session, actor, address_id)
    values = {k: values.get(k) for k in FIELDS}
    _check(session, actor, values, today)
    house, created = unique.find_or_add(
        session,
        lambda: house_q.house_at(session, address.id),
        lambda: House(address_id=address.id, grid_id=address.grid_id, created_by=actor.account_id, **values),
    )
    if created:
        audit.record(
            session,
            actor,
            "house.create",
            subject_type="house",
            subject_ids=[house.id],
            fields=[k for k, v in values.items() if v is not None],
        )
        tier_service.refresh_houses(session, [house.id], today)
    return house, created


def update(session: Session, actor: Actor, house: House, *, today: date, **changes) -> House:
    require(actor, "house.update")
    values = {k: getattr(house, k) for k in FIELDS} | changes
    if changes.get("use") not in (None, "rented", "mixed") and "rental_mode" not in changes:
        values["rental_mode"] = None  # no longer let: the mode goes with it
        values["rented_since"] = None
    _check(session, actor, values, today)
    for key, value in values.items():
        setattr(house, key, value)
    session.flush()
    audit.record(session, actor, "house.update", subject_type="house", subject_ids=[house.id], fields=sorted(changes))
    tier_service.refresh_houses(session, [house.id], today)
    return house


def delete(session: Session, actor: Actor, house: House) -> None:
    require(actor, "house.update")
    if house_q.residences_count(session, house.id):
        raise Conflict(
            "This house has residence records; record departures instead of deleting it.", code="house.has_residences"
        )
    audit.record(session, actor, "house.delete", subject_type="house", subject_ids=[house.id])
    session.delete(house)
    session.flush()


def search(session: Session, actor: Actor, *, grid=None, use=None, q_text=None, after=None, limit=50):
    """Houses in scope with their addresses, ordered by address text: up to ``limit`` + 1, the
    one past the page (it tells that there is a next page) not shown and not audited."""
    require(actor, "house.read")
    rows = house_q.page(
        session,
        scoping.visible_houses(actor),
        grid=grid,
        use=use,
        text=search_text(q_text) if q_text else None,
        after=after,
        limit=limit + 1,
    )
    audit_read(session, actor, [r[0] for r in rows[:limit]], purpose="house list")
    return rows
