"""The actual population (实有人口): persons, their documents, duplicates, reveals."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.auth.verbs import require
from server.domain.id_numbers import check_document, normalise_number
from server.domain.privacy import person_fields_for
from server.errors import Conflict, NotFound, TooManyRequests, ValidationFailed
from server.services import identities
from server.store import audit, scoping, unique
from server.store.models import Person
from server.store.queries import persons as person_q

EDITABLE = ("name", "sex", "ethnicity", "birth_date", "document_type", "document_number", "hukou_address", "phone")


def audit_read(session: Session, actor: Actor, persons, purpose: str | None = None, action="person.read") -> None:
    """Every read of person data leaves a row naming whose data and which fields."""
    audit_reads(session, actor, [persons], purpose, action)


def audit_reads(session: Session, actor: Actor, groups, purpose: str | None = None, action="person.read") -> None:
    """One row per group of people shown (each house's tenants on a page of houses), written together."""
    fields = person_fields_for(actor.role)
    rows = [
        audit.row(actor, action, subject_type="person", subject_ids=ids, fields=fields, purpose=purpose)
        for ids in ([p.id for p in group] for group in groups)
        if ids
    ]
    if rows:
        audit.record_all(session, rows)


def _document(values: dict, today: date) -> dict:
    """Check the document and fill birth date and sex from it where it encodes them."""
    doc_type, raw = values.get("document_type"), values.get("document_number")
    if (doc_type is None) != (raw is None):
        missing = "document_number" if raw is None else "document_type"
        raise ValidationFailed(errors={missing: ["Give the document type and number together."]})
    errors: dict = {}
    if doc_type is not None and raw is not None:  # both or neither (above)
        result = check_document(doc_type, raw, birth_date=values.get("birth_date"), sex=values.get("sex"), today=today)
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


def _duplicate(session: Session, actor: Actor, values: dict, except_id=None) -> Person | None:
    """Refuse a document already registered to someone in the caller's area (409
    naming them). One registered outside it is returned, never revealed: the
    caller's record becomes provisional (decision 0008)."""
    if values.get("document_number") is None:
        return None
    found = identities.match(session, actor, values["document_type"], values["document_number"])
    if found.person is not None and found.person.id != except_id:
        raise Conflict(
            "A person with this document is already registered.",
            code="person.exists",
            errors={"document_number": ["Already registered."]},
            extra={"existing_id": str(found.person.id)},
        )
    return found.outside if found.outside is not None and found.outside.id != except_id else None


def create(
    session: Session,
    actor: Actor,
    *,
    today: date,
    source: str = "person_create",
    house=None,
    grid_id=None,
    instance_id=None,
    **values,
) -> Person:
    """Register a person. A document already registered to someone the caller may see (also one
    registered by a concurrent request a moment ago) is a 409 naming them; one registered outside
    the caller's area gives the same answer as a new one: a provisional record of what was typed,
    and an identity check for the police (decision 0008)."""
    person, created = find_or_create(
        session, actor, today=today, source=source, house=house, grid_id=grid_id, instance_id=instance_id, **values
    )
    if not created:
        raise Conflict(
            "A person with this document is already registered.",
            code="person.exists",
            errors={"document_number": ["Already registered."]},
            extra={"existing_id": str(person.id)},
        )
    return person


def find_or_create(
    session: Session,
    actor: Actor,
    *,
    today: date,
    source: str = "person_create",
    house=None,
    grid_id=None,
    instance_id=None,
    matched: identities.Match | None = None,
    **values,
) -> tuple[Person, bool]:
    """(the person the caller may see with this document, False), or (a new record, True): a new
    person, or a provisional one when the document belongs to someone outside the caller's area.
    People without a document have no key to find them by and are always new. Concurrent first
    registrations of one document meet in ``unique.find_or_add`` (decision 0011). ``matched``: what
    ``identities.match`` just answered for this document (a submission matched it first): not asked again."""
    require(actor, "person.create")
    values = _document({k: values.get(k) for k in EDITABLE}, today)
    number = values.get("document_number")

    def provisional(registered: Person) -> tuple[Person, bool]:
        made = identities.provisional(
            session, actor, values, registered, source=source, house=house, grid_id=grid_id, instance_id=instance_id
        )
        _audit_create(session, actor, made, values)
        return made, True

    if number is not None:
        found = matched or identities.match(session, actor, values["document_type"], number)
        if found.person is not None:
            return found.person, False
        if found.outside is not None:
            return provisional(found.outside)

    def find() -> Person | None:
        return person_q.person_by_document(session, values["document_type"], number) if number is not None else None

    # no document: nothing to find; a document the match just looked up: nobody holds it (yet)
    person, created = unique.find_or_add(
        session,
        find,
        lambda: Person(created_by=actor.account_id, **values),
        looked=number is None or matched is not None,
    )
    if created:
        _audit_create(session, actor, person, values)
        return person, True
    # found, so by its number: registered by a concurrent request a moment ago, answered like one found before
    if number is not None:
        found = identities.match(session, actor, values["document_type"], number)
        if found.person is not None:
            return found.person, False
    return provisional(person)


def _audit_create(session: Session, actor: Actor, person: Person, values: dict) -> None:
    audit.record(
        session,
        actor,
        "person.create",
        subject_type="person",
        subject_ids=[person.id],
        fields=[k for k, v in values.items() if v is not None],
    )


def get(session: Session, actor: Actor, person_id: uuid.UUID, *, audited: bool = True) -> Person:
    require(actor, "person.read" if actor.role != "landlord" else "residence.read")
    row = person_q.visible(session, scoping.visible_persons(actor), person_id)
    if row is None:
        raise NotFound("No such person.", code="person.not_found")
    if audited:
        audit_read(session, actor, [row])
    return row


def update(session: Session, actor: Actor, person: Person, *, today: date, **changes) -> Person:
    """Correct a person's details. A provisional person (decision 0008) keeps its
    number unconfirmed until the police decide; a new number registered outside
    the caller's area makes the record provisional, without saying so."""
    require(actor, "person.update")
    values = {k: getattr(person, k) for k in EDITABLE} | changes
    held = person.unconfirmed_document_number
    if held and "document_number" not in changes:
        values["document_number"] = held  # checked as typed
    outside = None
    if {"document_number", "document_type", "birth_date", "sex"} & set(changes):
        values = _document(values, today)
        outside = _duplicate(session, actor, values, except_id=person.id)
    pending = _pending_match(session, person) if held else None
    if outside is not None and outside.id != pending:
        identities.provisional(session, actor, values, outside, source="person_update", person=person)
    elif held and (outside is not None or values.get("document_number") == held):
        for key, value in values.items():  # still provisional: the number stays held
            if key != "document_number":
                setattr(person, key, value)
    else:
        for key, value in values.items():
            setattr(person, key, value)
        if held:  # the number was corrected: nothing left for the police to confirm
            person.unconfirmed_document_number = None
            identities.withdraw(session, actor, person)
    session.flush()
    audit.record(
        session, actor, "person.update", subject_type="person", subject_ids=[person.id], fields=sorted(changes)
    )
    return person


def _pending_match(session: Session, person: Person):
    """The registered person an open identity check pairs this provisional person with."""
    return person_q.pending_identity_match(session, person.id)


def looks_like_document(text: str) -> bool:
    """A search text that is a document number (searched by exact number), not part of a name: ASCII only
    (what ID cards, permits and passports carry, once full-width characters are normalised), at least 8
    characters, 6 digits or more. "审计123456" is part of a name."""
    number = normalise_number(text)
    return len(number) >= 8 and number.isascii() and sum(ch.isdigit() for ch in number) >= 6


def search(session: Session, actor: Actor, *, q_text: str | None, after=None, limit=50) -> list[Person]:
    """By part of the name, or by exact document number (audited as such). Up to ``limit`` + 1
    persons: the one past the page only tells that a next page exists; it is not shown, so
    it is not on record as read."""
    require(actor, "person.read")
    by_document = bool(q_text and looks_like_document(q_text))
    number = normalise_number(q_text) if by_document else None
    rows = person_q.page(
        session,
        scoping.visible_persons(actor),
        document_number=number,
        name_part=None if by_document else q_text,
        after=after,
        limit=limit + 1,
    )
    shown = rows[:limit]
    if by_document:  # every look-up by number is on record, found or not
        audit.record(
            session,
            actor,
            "person.search_by_document",
            subject_type="person",
            subject_ids=[p.id for p in shown],
            fields=person_fields_for(actor.role),
            purpose="search by document number",
            details={"found": len(shown)},
        )
    else:
        audit_read(session, actor, shown)
    return rows


def duplicates(session: Session, actor: Actor, *, limit=50) -> list[list[Person]]:
    """Groups of likely duplicates: same name and birth date, documents differing or missing."""
    require(actor, "person.read")
    groups = person_q.duplicate_groups(session, scoping.visible_persons(actor), limit)
    audit_read(session, actor, [p for g in groups for p in g], purpose="duplicate review")
    return groups


def _local_midnight(zone: str) -> datetime:
    return datetime.combine(datetime.now(ZoneInfo(zone)).date(), time(0), tzinfo=ZoneInfo(zone))


def reveals_left(session: Session, actor: Actor, *, daily_limit: int, zone: str) -> int:
    """How many more document numbers the caller may reveal today (every attempt counts)."""
    require(actor, "person.reveal_id")
    used = person_q.count_actions_since(session, actor.account_id, "person.reveal_attempt", _local_midnight(zone))
    return max(0, daily_limit - used)


def reveal(
    session: Session, actor: Actor, person_id: uuid.UUID, *, reason: str, daily_limit: int, zone: str
) -> tuple[Person, str]:
    """The full document number, for police and admins, with a reason; audited and
    rationed: every attempt counts against the daily limit, found or not."""
    require(actor, "person.reveal_id")
    midnight = datetime.combine(datetime.now(ZoneInfo(zone)).date(), time(0), tzinfo=ZoneInfo(zone))
    used = person_q.count_actions_since(session, actor.account_id, "person.reveal_attempt", midnight)
    if used >= daily_limit:
        wait = datetime.combine(midnight.date() + timedelta(days=1), time(0), tzinfo=ZoneInfo(zone)) - datetime.now(UTC)
        raise TooManyRequests(
            f"You have asked for {used} document numbers today, the daily limit.",
            code="person.reveal_limit",
            retry_after=max(1, math.ceil(wait.total_seconds())),
        )
    audit.record(
        session, actor, "person.reveal_attempt", subject_type="person", subject_ids=[person_id], purpose=reason
    )
    session.commit()  # the attempt counts even when the person is not found
    person = get(session, actor, person_id, audited=False)
    number = person.document_number or person.unconfirmed_document_number  # as typed, while unconfirmed
    if number is None:
        raise NotFound("This person has no document number on record.", code="person.no_document")
    audit.record(
        session,
        actor,
        "person.reveal_id",
        subject_type="person",
        subject_ids=[person.id],
        fields=["document_number"],
        purpose=reason,
    )
    return person, number
