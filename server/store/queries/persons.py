"""Queries on persons."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from server.store.models import AuditEvent, Person, Residence
from server.store.queries.filters import contains, keyset


def person_by_document(session: Session, document_type: str, number: str) -> Person | None:
    return session.scalar(select(Person).where(Person.document_type == document_type, Person.document_number == number))


def pending_identity_match(session: Session, provisional_id: uuid.UUID) -> uuid.UUID | None:
    """The registered person an open identity check pairs a provisional person with."""
    from server.store.models import IdentityCheck

    return session.scalar(
        select(IdentityCheck.matched_person_id)
        .where(IdentityCheck.provisional_person_id == provisional_id, IdentityCheck.status == "open")
        .limit(1)
    )


def count_actions_since(session: Session, actor_id: uuid.UUID | None, action: str, since: datetime) -> int:
    """How often this account (None: the system) did ``action`` since then."""
    return session.execute(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.actor_id == actor_id, AuditEvent.action == action, AuditEvent.at >= since)
    ).scalar_one()


def duplicate_groups(session: Session, visible: Select, limit: int) -> list[list[Person]]:
    """People sharing a name and birth date. Two rows never share a document
    (unique index), so such people have different or missing documents."""
    sub = visible.subquery()
    keys = (
        select(sub.c.name, sub.c.birth_date)
        .where(sub.c.birth_date.is_not(None))
        .group_by(sub.c.name, sub.c.birth_date)
        .having(func.count() > 1)
        .order_by(sub.c.name, sub.c.birth_date)
        .limit(limit)
    )
    return [
        list(
            session.scalars(
                visible.where(Person.name == name, Person.birth_date == birth).order_by(Person.created_at, Person.id)
            )
        )
        for name, birth in session.execute(keys)
    ]


def persons_by_ids(session: Session, ids) -> list[Person]:
    return list(session.scalars(select(Person).where(Person.id.in_(list(ids))))) if ids else []


def any_house_of_person(session: Session, person_id: uuid.UUID) -> uuid.UUID | None:
    """The house of the person's most recent residence (to place a conflict in a grid)."""
    return session.scalar(
        select(Residence.house_id)
        .where(Residence.person_id == person_id)
        .order_by(Residence.left_on.is_(None).desc(), Residence.arrived_on.desc())
        .limit(1)
    )


def persons_of_result(session: Session, result: dict) -> list[uuid.UUID]:
    """The people a submission's result names: persons it created or updated, and
    the people of the residences it opened, verified or closed."""
    entries = [e for key in ("created", "updated", "closed_residences") for e in result.get(key) or []]
    persons = {uuid.UUID(e["id"]) for e in entries if e.get("type") == "person"}
    residences = [uuid.UUID(e["id"]) for e in entries if e.get("type") == "residence"]
    if residences:
        persons |= set(session.scalars(select(Residence.person_id).where(Residence.id.in_(residences))))
    return sorted(persons, key=str)


def visible(session: Session, visible_persons: Select, person_id: uuid.UUID) -> Person | None:
    """The person, if they are among ``visible_persons`` (the caller's scoped query)."""
    return session.scalar(visible_persons.where(Person.id == person_id))


def page(
    session: Session, visible_persons: Select, *, document_number: str | None, name_part: str | None, after, limit: int
) -> list[Person]:
    """Persons in scope by exact document number (confirmed or not) or by part of the name; by name then id."""
    query = visible_persons
    if document_number is not None:
        query = query.where(
            or_(Person.document_number == document_number, Person.unconfirmed_document_number == document_number)
        )
    elif name_part:
        query = query.where(contains(Person.name, name_part))
    return list(session.scalars(keyset(query, (Person.name, Person.id), after, limit)))
