"""The actual population (实有人口): persons, their documents, duplicates, reveals."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.auth.verbs import require
from server.domain.id_numbers import check_document, normalise_number
from server.domain.privacy import person_fields_for
from server.errors import Conflict, NotFound, TooManyRequests, ValidationFailed
from server.store import audit, scoping
from server.store.models import Person
from server.store.queries import registry as q

EDITABLE = ("name", "sex", "ethnicity", "birth_date", "document_type", "document_number", "hukou_address", "phone")


def audit_read(session: Session, actor: Actor, persons, purpose: str | None = None, action="person.read") -> None:
    """Every read of person data leaves a row naming whose data and which fields."""
    ids = [p.id for p in persons]
    if ids:
        audit.record(session, actor, action, subject_type="person", subject_ids=ids,
                     fields=person_fields_for(actor.role), purpose=purpose)


def _document(values: dict, today: date) -> dict:
    """Check the document and fill birth date and sex from it where it encodes them."""
    doc_type, raw = values.get("document_type"), values.get("document_number")
    if (doc_type is None) != (raw is None):
        missing = "document_number" if raw is None else "document_type"
        raise ValidationFailed(errors={missing: ["Give the document type and number together."]})
    errors: dict = {}
    if doc_type is not None:
        result = check_document(doc_type, raw, birth_date=values.get("birth_date"), sex=values.get("sex"),
                                today=today)
        if result.problems:
            errors["document_number"] = result.problems
        else:
            values["document_number"] = result.number
            values["birth_date"] = values.get("birth_date") or result.birth_date
            values["sex"] = values.get("sex") or result.sex
    if values.get("sex") is None:
        errors["sex"] = ["Give the sex (it can only be read from a citizen ID number or residence permit)."]
    if values.get("birth_date") and values["birth_date"] > today:
        errors["birth_date"] = ["Must not be in the future."]
    if errors:
        raise ValidationFailed(errors=errors)
    return values


def _duplicate(session: Session, actor: Actor, values: dict, except_id=None) -> None:
    if values.get("document_number") is None:
        return
    existing = q.person_by_document(session, values["document_type"], values["document_number"])
    if existing is None or existing.id == except_id:
        return
    visible = session.scalar(scoping.visible_persons(actor).where(Person.id == existing.id)) is not None
    raise Conflict(
        "A person with this document is already registered" + ("." if visible else " outside your area; "
                                                                  "ask the police station to link them."),
        code="person.exists", errors={"document_number": ["Already registered."]},
        extra={"existing_id": str(existing.id)} if visible else {},
    )


def create(session: Session, actor: Actor, *, today: date, **values) -> Person:
    require(actor, "person.create")
    values = _document({k: values.get(k) for k in EDITABLE}, today)
    _duplicate(session, actor, values)
    person = Person(created_by=actor.account_id, **values)
    session.add(person)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # registered concurrently
        _duplicate(session, actor, values)
        raise
    audit.record(session, actor, "person.create", subject_type="person", subject_ids=[person.id],
                 fields=[k for k, v in values.items() if v is not None])
    return person


def get(session: Session, actor: Actor, person_id: uuid.UUID, *, audited: bool = True) -> Person:
    require(actor, "person.read" if actor.role != "landlord" else "residence.read")
    row = session.scalar(scoping.visible_persons(actor).where(Person.id == person_id))
    if row is None:
        raise NotFound("No such person.", code="person.not_found")
    if audited:
        audit_read(session, actor, [row])
    return row


def update(session: Session, actor: Actor, person: Person, *, today: date, **changes) -> Person:
    require(actor, "person.update")
    values = {k: getattr(person, k) for k in EDITABLE} | changes
    if "document_number" in changes or "document_type" in changes or "birth_date" in changes or "sex" in changes:
        values = _document(values, today)
        _duplicate(session, actor, values, except_id=person.id)
    for key, value in values.items():
        setattr(person, key, value)
    session.flush()
    audit.record(session, actor, "person.update", subject_type="person", subject_ids=[person.id],
                 fields=sorted(changes))
    return person


def looks_like_document(text: str) -> bool:
    number = normalise_number(text)
    return len(number) >= 8 and sum(ch.isdigit() for ch in number) >= 6


def search(session: Session, actor: Actor, *, q_text: str | None, after=None, limit=50) -> list[Person]:
    """By part of the name, or by exact document number (audited as such)."""
    require(actor, "person.read")
    query = scoping.visible_persons(actor)
    by_document = bool(q_text) and looks_like_document(q_text)
    if by_document:
        query = query.where(Person.document_number == normalise_number(q_text))
    elif q_text:
        query = query.where(q.contains(Person.name, q_text))
    rows = list(session.scalars(q.keyset(query, (Person.name, Person.id), after, limit)))
    audit_read(session, actor, rows, action="person.search_by_document" if by_document else "person.read",
               purpose="search by document number" if by_document else None)
    return rows


def duplicates(session: Session, actor: Actor, *, limit=50) -> list[list[Person]]:
    """Groups of likely duplicates: same name and birth date, documents differing or missing."""
    require(actor, "person.read")
    groups = q.duplicate_groups(session, scoping.visible_persons(actor), limit)
    audit_read(session, actor, [p for g in groups for p in g], purpose="duplicate review")
    return groups


def reveal(session: Session, actor: Actor, person: Person, *, reason: str, daily_limit: int, zone: str) -> str:
    """The full document number, for police and admins, with a reason; audited and rationed."""
    require(actor, "person.reveal_id")
    if person.document_number is None:
        raise NotFound("This person has no document number on record.", code="person.no_document")
    midnight = datetime.combine(datetime.now(ZoneInfo(zone)).date(), time(0), tzinfo=ZoneInfo(zone))
    used = q.count_actions_since(session, actor.account_id, "person.reveal_id", midnight)
    if used >= daily_limit:
        wait = datetime.combine(midnight.date() + timedelta(days=1), time(0), tzinfo=ZoneInfo(zone)) - datetime.now(UTC)
        raise TooManyRequests(f"You have revealed {used} document numbers today, the daily limit.",
                              code="person.reveal_limit", headers={"Retry-After": str(max(1, math.ceil(
                                  wait.total_seconds())))})
    audit.record(session, actor, "person.reveal_id", subject_type="person", subject_ids=[person.id],
                 fields=["document_number"], purpose=reason)
    return person.document_number
