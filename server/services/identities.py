"""Identities to confirm (decision 0008): a document number never links or
reveals a person outside the caller's area.

When a caller (a submission, a landlord's report, a registry call) names a
document number registered to a person they may not see, they get a
provisional person of their own holding exactly what they typed, with the
number held as unconfirmed; the answer looks like any accepted registration.
An identity check goes to the police of the house's station and of the
person's area (and to administrators). They decide:

* same person: everything linked to the provisional person moves to the
  registered one; typed values that disagree with the registry become a
  conflict both sides' officers see, with both values;
* different person: the provisional person stays as typed, for the officers to
  correct.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import or_
from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.auth.verbs import require
from server.domain.id_numbers import check_document
from server.errors import Conflict as ConflictError
from server.errors import NotFound
from server.store import audit, scoping
from server.store.models import Conflict, House, IdentityCheck, Person
from server.store.queries import identities as q
from server.store.queries import persons as person_q

# What a caller types about a person and an officer compares with the registry.
COMPARED = ("name", "sex", "birth_date", "ethnicity", "hukou_address", "phone")


@dataclass(frozen=True)
class Match:
    """``person``: the record the caller may link (inside their area, or their own
    provisional one); ``outside``: a registered person the caller must not see."""

    person: Person | None = None
    outside: Person | None = None


def normalised(document_type: str | None, raw: str | None, today: date) -> str | None:
    """The number as it would be stored, or None when it is not a valid number
    (registration then reports the problem)."""
    if not document_type or not raw:
        return None
    return check_document(document_type, raw, today=today).number


def match(session: Session, actor: Actor, document_type: str, number: str) -> Match:
    """Who this document number names, as far as the caller may know."""
    visible = scoping.visible_persons(actor)
    registered = person_q.person_by_document(session, document_type, number)
    if registered is not None and _sees(session, visible, registered):
        return Match(person=registered)
    own = q.provisional_with_number(session, visible, document_type, number)
    if own is not None:
        return Match(person=own)
    return Match(outside=registered)


def _sees(session: Session, visible, person: Person) -> bool:
    if visible.whereclause is None:  # admins and the system see everyone
        return True
    return person_q.visible(session, visible, person.id) is not None


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def _person_grid(session: Session, person: Person) -> uuid.UUID | None:
    house_id = person_q.any_house_of_person(session, person.id)
    house = session.get(House, house_id) if house_id else None
    return house.grid_id if house else None


def provisional(
    session: Session,
    actor: Actor,
    values: dict,
    registered: Person,
    *,
    source: str,
    house: House | None = None,
    grid_id: uuid.UUID | None = None,
    instance_id: uuid.UUID | None = None,
    person: Person | None = None,
) -> Person:
    """Keep what the caller typed on a person of their own (``values`` already
    checked), open an identity check for the officers, and audit the match.
    ``person``: an existing record of the caller's that was given the number."""
    number = values["document_number"]
    fields = {k: v for k, v in values.items() if k != "document_number"}
    if person is None:
        person = Person(created_by=actor.account_id, **fields)
        session.add(person)
    else:
        for key, value in fields.items():
            setattr(person, key, value)
        person.document_number = None
    person.unconfirmed_document_number = number
    session.flush()
    check = IdentityCheck(
        source=source,
        document_type=values["document_type"],
        document_number=number,
        typed={k: _plain(values.get(k)) for k in COMPARED if values.get(k) is not None},
        provisional_person_id=person.id,
        matched_person_id=registered.id,
        house_id=house.id if house else None,
        grid_id=house.grid_id if house else grid_id,
        person_grid_id=_person_grid(session, registered),
        instance_id=instance_id,
        raised_by=actor.account_id,
        raised_role=actor.role,
    )
    session.add(check)
    session.flush()
    audit.record(
        session,
        actor,
        "identity.match_outside_area",
        subject_type="person",
        subject_ids=[registered.id],
        fields=["document_number"],
        purpose="document number typed for a person outside the caller's area",
        details={"identity_check_id": str(check.id), "provisional_person_id": str(person.id), "source": source},
    )
    return person


def file_disagreements(
    session: Session,
    actor: Actor,
    person: Person,
    typed: dict,
    *,
    grid_id,
    instance_id: uuid.UUID | None = None,
    record_grid_id: uuid.UUID | None = None,
) -> Conflict | None:
    """What the caller typed and the registry holds differently becomes a conflict
    (both values) for the officers of both areas; what the registry lacks is filled in."""
    clash, fill = {}, {}
    for key in COMPARED:
        submitted = typed.get(key)
        if submitted is None:
            continue
        if isinstance(submitted, str) and key == "birth_date":
            submitted = date.fromisoformat(submitted)
        current = getattr(person, key)
        if current is None:
            fill[key] = submitted
        elif current != submitted:
            clash[key] = {"current": _plain(current), "submitted": _plain(submitted)}
    for key, value in fill.items():
        setattr(person, key, value)
    if not clash:
        session.flush()
        return None
    record_grid = record_grid_id or _person_grid(session, person)
    conflict = Conflict(
        record_type="person",
        record_id=person.id,
        grid_id=grid_id or record_grid,
        record_grid_id=record_grid,
        instance_id=instance_id,
        raised_by=actor.account_id,
        base_version=0,
        current_version=person.version,
        properties=clash,
    )
    session.add(conflict)
    session.flush()
    audit.record(
        session,
        actor,
        "conflict.create",
        subject_type="person",
        subject_ids=[person.id],
        fields=sorted(clash),
        details={"conflict_id": str(conflict.id)},
    )
    return conflict


def withdraw(session: Session, actor: Actor, person: Person) -> None:
    """A provisional person's number was corrected: its open checks are decided as different people."""
    for check in q.open_for_provisional(session, person.id):
        check.status, check.note = "different_person", "the number was corrected"
        check.decided_at, check.decided_by = datetime.now(UTC), actor.account_id
        audit.record(
            session,
            actor,
            "identity.decide",
            subject_type="person",
            subject_ids=[check.matched_person_id],
            details={"identity_check_id": str(check.id), "decision": "different_person", "reason": "number corrected"},
        )
    session.flush()


# -- the officers' side ------------------------------------------------------------


def _condition(actor: Actor):
    """The police of the house's station and of the person's area, and of the
    station where the caller works (a registration names no house)."""
    condition = or_(
        scoping.grid_condition(actor, IdentityCheck.grid_id),
        scoping.grid_condition(actor, IdentityCheck.person_grid_id),
    )
    if actor.role == "police" and actor.station_id:
        condition = condition | IdentityCheck.raised_by.in_(scoping.station_accounts(actor.station_id))
    return condition


def _audit_read(session: Session, actor: Actor, checks: list[IdentityCheck]) -> None:
    if checks:
        persons = [c.matched_person_id for c in checks] + [
            c.provisional_person_id for c in checks if c.provisional_person_id
        ]
        audit.record(
            session,
            actor,
            "identity.read",
            subject_type="identity_check",
            subject_ids=[c.id for c in checks],
            person_ids=persons,
            fields=["typed", "document_number_masked", "registered_person"],
            purpose="identity to confirm",
        )


def page(session: Session, actor: Actor, *, status: str | None, after, limit: int) -> list[IdentityCheck]:
    require(actor, "identity.read")
    rows = q.page(session, _condition(actor), status=status, after=after, limit=limit)
    _audit_read(session, actor, rows)
    return rows


def get(session: Session, actor: Actor, check_id: uuid.UUID, *, audited: bool = True) -> IdentityCheck:
    require(actor, "identity.read")
    rows = q.page(session, _condition(actor) & (IdentityCheck.id == check_id), status=None, after=None, limit=1)
    if not rows:
        raise NotFound("No such identity to confirm.", code="identity.not_found")
    if audited:
        _audit_read(session, actor, rows)
    return rows[0]


def decide(
    session: Session, actor: Actor, check: IdentityCheck, *, decision: str, note: str | None = None
) -> IdentityCheck:
    """same_person: link everything to the registered person, disagreements become a
    conflict; different_person: the provisional person stays as typed."""
    require(actor, "identity.resolve")
    if check.status != "open":
        raise ConflictError(f"This identity was already decided ({check.status}).", code="identity.decided")
    # get_one: the check's foreign key keeps its registered person (and the check itself survives the merge)
    registered = session.get_one(Person, check.matched_person_id)
    if decision == "same_person":
        if check.provisional_person_id is not None:
            q.merge_person(session, check.provisional_person_id, registered.id)
            registered = session.get_one(Person, check.matched_person_id)
            check = session.get_one(IdentityCheck, check.id)
        file_disagreements(
            session,
            actor,
            registered,
            check.typed,
            grid_id=check.grid_id,
            instance_id=check.instance_id,
            record_grid_id=check.person_grid_id,
        )
    check.status = decision
    check.decided_at, check.decided_by, check.note = datetime.now(UTC), actor.account_id, note
    session.flush()
    audit.record(
        session,
        actor,
        "identity.decide",
        subject_type="person",
        subject_ids=[check.matched_person_id],
        purpose=note,
        details={"identity_check_id": str(check.id), "decision": decision},
    )
    return check
