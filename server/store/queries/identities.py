"""Queries for identities to confirm (decision 0008): finding, listing, merging."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, delete, select, update
from sqlalchemy.orm import Session

from server.store.models import (
    Account,
    ComplianceEvent,
    Employment,
    House,
    IdentityCheck,
    Person,
    Residence,
    Unit,
)


def provisional_with_number(
    session: Session, visible_persons: Select, document_type: str, number: str
) -> Person | None:
    """A provisional person the caller may see, holding this number unconfirmed."""
    return session.scalar(
        visible_persons.where(Person.document_type == document_type, Person.unconfirmed_document_number == number)
        .order_by(Person.created_at)
        .limit(1)
    )


def open_for_provisional(session: Session, person_id: uuid.UUID) -> list[IdentityCheck]:
    return list(
        session.scalars(
            select(IdentityCheck).where(
                IdentityCheck.provisional_person_id == person_id, IdentityCheck.status == "open"
            )
        )
    )


def page(session: Session, condition, *, status: str | None, after, limit: int) -> list[IdentityCheck]:
    query = select(IdentityCheck).where(condition)
    if status:
        query = query.where(IdentityCheck.status == status)
    if after is not None:
        query = query.where(IdentityCheck.id > after)
    return list(session.scalars(query.order_by(IdentityCheck.id).limit(limit)))


def merge_person(session: Session, from_id: uuid.UUID, into_id: uuid.UUID) -> None:
    """Everything that pointed at the provisional person ``from_id`` now points at
    ``into_id``; then the provisional person is removed. A residence or
    employment the registered person already has open at the same place is kept
    and the provisional duplicate folds into it."""
    open_into = {
        r.house_id: r.id
        for r in session.scalars(select(Residence).where(Residence.person_id == into_id, Residence.left_on.is_(None)))
    }
    for residence in list(session.scalars(select(Residence).where(Residence.person_id == from_id))):
        keep = open_into.get(residence.house_id) if residence.left_on is None else None
        if keep is not None:
            session.execute(
                update(ComplianceEvent).where(ComplianceEvent.residence_id == residence.id).values(residence_id=keep)
            )
            session.delete(residence)
        else:
            residence.person_id = into_id
    open_jobs = set(
        session.scalars(
            select(Employment.unit_id).where(Employment.person_id == into_id, Employment.ended_on.is_(None))
        )
    )
    for job in list(session.scalars(select(Employment).where(Employment.person_id == from_id))):
        if job.ended_on is None and job.unit_id in open_jobs:
            session.delete(job)
        else:
            job.person_id = into_id
    session.flush()
    session.execute(
        update(House)
        .where(House.landlord_person_id == from_id)
        .values(landlord_person_id=into_id, version=House.version + 1),
        execution_options={"synchronize_session": False},
    )
    session.execute(
        update(Unit)
        .where(Unit.responsible_person_id == from_id)
        .values(responsible_person_id=into_id, version=Unit.version + 1),
        execution_options={"synchronize_session": False},
    )
    session.execute(
        update(Account).where(Account.person_id == from_id).values(person_id=into_id),
        execution_options={"synchronize_session": False},
    )
    session.execute(
        update(IdentityCheck).where(IdentityCheck.provisional_person_id == from_id).values(provisional_person_id=None),
        execution_options={"synchronize_session": False},
    )
    session.execute(delete(Person).where(Person.id == from_id), execution_options={"synchronize_session": False})
    session.expire_all()
