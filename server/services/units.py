"""Actual units (实有单位): employers, shops, sites, and the people they employ."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.auth.verbs import require
from server.domain.privacy import UNIT_PERSONAL_FIELDS
from server.errors import Conflict, NotFound, ValidationFailed
from server.services import addresses as address_service
from server.services import persons as person_service
from server.services import tiers as tier_service
from server.store import audit, scoping, unique
from server.store.models import Employment, Unit
from server.store.queries import persons as person_q
from server.store.queries import units as unit_q

FIELDS = ("name", "kind", "responsible_person_id", "phone")


def get(session: Session, actor: Actor, unit_id: uuid.UUID) -> Unit:
    require(actor, "unit.read")
    row = unit_q.visible(session, scoping.visible_units(actor), unit_id)
    if row is None:
        raise NotFound("No such unit.", code="unit.not_found")
    return row


def read(session: Session, actor: Actor, unit_id: uuid.UUID) -> Unit:
    """One unit as shown to the caller: its responsible person and phone are personal data (audited)."""
    row = get(session, actor, unit_id)
    audit_read(session, actor, [row])
    return row


def audit_read(session: Session, actor: Actor, units, purpose: str | None = None) -> None:
    units = list(units)
    if units:
        audit.record(
            session,
            actor,
            "unit.read",
            subject_type="unit",
            subject_ids=[u.id for u in units],
            person_ids=[u.responsible_person_id for u in units],
            fields=UNIT_PERSONAL_FIELDS,
            purpose=purpose,
        )


def _check_person(session: Session, actor: Actor, person_id, field: str) -> None:
    if person_id is not None and person_q.visible(session, scoping.visible_persons(actor), person_id) is None:
        raise ValidationFailed(errors={field: ["No such person in your area."]})


def create(
    session: Session,
    actor: Actor,
    *,
    address_id: uuid.UUID,
    name: str,
    kind: str,
    responsible_person_id=None,
    phone=None,
) -> Unit:
    require(actor, "unit.create")
    address = address_service.get(session, actor, address_id)
    _check_person(session, actor, responsible_person_id, "responsible_person_id")
    unit = Unit(
        name=name,
        kind=kind,
        address_id=address.id,
        grid_id=address.grid_id,
        responsible_person_id=responsible_person_id,
        phone=phone,
        created_by=actor.account_id,
    )
    session.add(unit)
    session.flush()
    audit.record(session, actor, "unit.create", subject_type="unit", subject_ids=[unit.id])
    tier_service.refresh_units(session, [unit.id], tier_service.local_today(session=session))
    return unit


def update(session: Session, actor: Actor, unit: Unit, **changes) -> Unit:
    require(actor, "unit.update")
    if "responsible_person_id" in changes:
        _check_person(session, actor, changes["responsible_person_id"], "responsible_person_id")
    for key, value in changes.items():
        setattr(unit, key, value)
    session.flush()
    audit.record(session, actor, "unit.update", subject_type="unit", subject_ids=[unit.id], fields=sorted(changes))
    tier_service.refresh_units(session, [unit.id], tier_service.local_today(session=session))
    return unit


def search(session: Session, actor: Actor, *, grid=None, kind=None, q_text=None, after=None, limit=50) -> list[Unit]:
    require(actor, "unit.read")
    rows = unit_q.page(
        session, scoping.visible_units(actor), grid=grid, kind=kind, name_part=q_text, after=after, limit=limit
    )
    audit_read(session, actor, rows, purpose="unit list")
    return rows


def hire(
    session: Session, actor: Actor, unit: Unit, *, person_id: uuid.UUID, started_on: date, today: date
) -> Employment:
    """Report that a unit employs a person (the same 7-day rule as tenants)."""
    require(actor, "unit.update")
    _check_person(session, actor, person_id, "person_id")
    if started_on > today:
        raise ValidationFailed(errors={"started_on": ["Must not be in the future."]})
    row, created = unique.find_or_add(
        session,
        lambda: unit_q.open_employment(session, person_id, unit.id),
        lambda: Employment(
            unit_id=unit.id,
            person_id=person_id,
            started_on=started_on,
            reported_at=datetime.now(UTC),
            reported_by=actor.account_id,
        ),
    )
    if not created:
        raise Conflict(
            "This person is already employed here.", code="employment.exists", extra={"existing_id": str(row.id)}
        )
    audit.record(
        session,
        actor,
        "employment.create",
        subject_type="person",
        subject_ids=[person_id],
        fields=["employment"],
        details={"unit_id": str(unit.id)},
    )
    return row


def end_employment(
    session: Session, actor: Actor, unit: Unit, employment_id: uuid.UUID, *, ended_on: date, today: date
) -> Employment:
    require(actor, "unit.update")
    row = unit_q.employment_of(session, unit.id, employment_id)
    if row is None:
        raise NotFound("No such employment at this unit.", code="employment.not_found")
    if row.ended_on is not None:
        raise Conflict("This employment has already ended.", code="employment.ended")
    if ended_on < row.started_on or ended_on > today:
        raise ValidationFailed(errors={"ended_on": ["Must be between the start and today."]})
    row.ended_on = ended_on
    session.flush()
    audit.record(
        session,
        actor,
        "employment.update",
        subject_type="person",
        subject_ids=[row.person_id],
        fields=["ended_on"],
        details={"unit_id": str(unit.id)},
    )
    return row


def employees(session: Session, actor: Actor, unit: Unit, *, current: bool | None, after: list | None, limit: int):
    """A unit's employees: up to ``limit`` + 1 rows (the audit covers only the ``limit`` shown)."""
    require(actor, "person.read")
    rows = unit_q.employments_of(session, unit.id, current, after=after, limit=limit + 1)
    persons = {p.id: p for p in person_q.persons_by_ids(session, [e.person_id for e in rows])}
    shown = {e.person_id for e in rows[:limit]}
    person_service.audit_read(
        session, actor, [p for p in persons.values() if p.id in shown], purpose="employees of a unit"
    )
    return [(e, persons[e.person_id]) for e in rows]
