"""Residence registration (居住登记): who lives in which house, since when,
reported when and by whom. A departure closes the residence (人走注销)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.auth.verbs import require
from server.domain.privacy import RESIDENCE_FIELDS
from server.errors import Conflict, NotFound, ValidationFailed
from server.services import houses as house_service
from server.services import persons as person_service
from server.services import tiers as tier_service
from server.store import audit, scoping, unique
from server.store.models import Residence
from server.store.queries import persons as person_q
from server.store.queries import residences as residence_q

FIELD_ROLES = ("grid_worker", "committee", "police", "admin")


def get(session: Session, actor: Actor, residence_id: uuid.UUID) -> Residence:
    require(actor, "residence.read")
    row = residence_q.visible(session, scoping.visible_residences(actor), residence_id)
    if row is None:
        raise NotFound("No such residence.", code="residence.not_found")
    return row


def read(session: Session, actor: Actor, residence_id: uuid.UUID) -> Residence:
    """One residence as shown: who lives where since when (audited)."""
    row = get(session, actor, residence_id)
    audit.record(
        session,
        actor,
        "residence.read",
        subject_type="residence",
        subject_ids=[row.id],
        person_ids=[row.person_id],
        fields=RESIDENCE_FIELDS,
    )
    return row


def create(
    session: Session,
    actor: Actor,
    *,
    person_id: uuid.UUID,
    house_id: uuid.UUID,
    category: str,
    arrived_on: date,
    today: date,
    source: str | None = None,
) -> Residence:
    """Register that a person lives in a house. Field staff saw them: confirmed.
    (Landlords report through their own path, which leaves it pending.)"""
    require(actor, "residence.create")
    house = house_service.get(session, actor, house_id)
    if person_q.visible(session, scoping.visible_persons(actor), person_id) is None:
        raise ValidationFailed(errors={"person_id": ["No such person in your area."]})
    if arrived_on > today:
        raise ValidationFailed(errors={"arrived_on": ["Must not be in the future."]})
    source = source or "worker"
    if source == "landlord":
        raise ValidationFailed(errors={"source": ["Landlords report through /landlord; use worker or self."]})
    row, created = unique.find_or_add(
        session,
        lambda: residence_q.open_residence(session, person_id, house.id),
        lambda: Residence(
            person_id=person_id,
            house_id=house.id,
            category=category,
            arrived_on=arrived_on,
            reported_at=datetime.now(UTC),
            reported_by=actor.account_id,
            source=source,
            verification="confirmed",
        ),
    )
    if not created:
        raise Conflict(
            "This person already has an open residence in this house.",
            code="residence.exists",
            extra={"existing_id": str(row.id)},
        )
    audit.record(
        session,
        actor,
        "residence.create",
        subject_type="person",
        subject_ids=[person_id],
        fields=["residence"],
        details={"house_id": str(house.id), "residence_id": str(row.id)},
    )
    tier_service.refresh_houses(session, [house.id], today)  # residents and turnover are tier facts
    return row


def update(
    session: Session, actor: Actor, residence: Residence, *, today: date, left_on=None, verification=None, category=None
) -> Residence:
    """Record a departure (closes the residence), a verification, or a corrected category."""
    require(actor, "residence.update")
    changed = []
    if left_on is not None:
        if residence.left_on is not None:
            raise Conflict("This residence is already closed.", code="residence.closed")
        errors = []
        if left_on < residence.arrived_on:
            errors.append(f"Must not be before the arrival on {residence.arrived_on.isoformat()}.")
        if left_on > today:
            errors.append("Must not be in the future.")
        if errors:
            raise ValidationFailed(errors={"left_on": errors})
        residence.left_on = left_on
        residence.departure_reported_at = datetime.now(UTC)
        changed.append("left_on")
    if verification is not None:
        residence.verification = verification
        changed.append("verification")
    if category is not None:
        residence.category = category
        changed.append("category")
    session.flush()
    audit.record(
        session,
        actor,
        "residence.update",
        subject_type="person",
        subject_ids=[residence.person_id],
        fields=changed,
        details={"residence_id": str(residence.id)},
    )
    tier_service.refresh_houses(session, [residence.house_id], today)
    return residence


def of_house(
    session: Session, actor: Actor, house_id: uuid.UUID, *, current: bool | None, after: list | None, limit: int
):
    """以房找人: the people registered in a house, with their residences: up to ``limit`` + 1 rows (the
    extra one tells there is a next page; the audit covers only the ``limit`` shown)."""
    house = house_service.get(session, actor, house_id)
    require(actor, "residence.read")
    rows = residence_q.of_house(
        session, scoping.visible_residences(actor), house.id, current=current, after=after, limit=limit + 1
    )
    persons = {p.id: p for p in person_q.persons_by_ids(session, [r.person_id for r in rows])}
    shown = {r.person_id for r in rows[:limit]}
    person_service.audit_read(
        session, actor, [p for p in persons.values() if p.id in shown], purpose="residents of a house"
    )
    return [(r, persons[r.person_id]) for r in rows]


def of_person(session: Session, actor: Actor, person_id: uuid.UUID, *, after: list | None, limit: int):
    """以人找房: where a person lives or lived (within the caller's area), up to ``limit`` + 1 rows."""
    person_service.get(session, actor, person_id)
    require(actor, "residence.read")
    return residence_q.of_person(session, scoping.visible_residences(actor), person_id, after=after, limit=limit + 1)
