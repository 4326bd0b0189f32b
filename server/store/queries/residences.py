"""Queries on residences (who lives, or lived, in which house)."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from server.store.models import Person, Residence
from server.store.queries.filters import keyset_desc


def open_residence(session: Session, person_id: uuid.UUID, house_id: uuid.UUID) -> Residence | None:
    return session.scalar(
        select(Residence).where(
            Residence.person_id == person_id, Residence.house_id == house_id, Residence.left_on.is_(None)
        )
    )


def resident_named(session: Session, house_id: uuid.UUID, name: str, birth_date) -> Person | None:
    """A person without a document already registered in this house, by name (and birth date if known)."""
    query = (
        select(Person)
        .join(Residence, Residence.person_id == Person.id)
        .where(Residence.house_id == house_id, Person.name == name)
    )
    if birth_date is not None:
        query = query.where(Person.birth_date == birth_date)
    return session.scalars(query.order_by(Residence.arrived_on.desc()).limit(1)).first()


def visible(session: Session, visible_residences: Select, residence_id: uuid.UUID) -> Residence | None:
    """The residence, if it is among ``visible_residences`` (the caller's scoped query)."""
    return session.scalar(visible_residences.where(Residence.id == residence_id))


NEWEST_FIRST = (Residence.arrived_on, Residence.id)


def of_house(
    session: Session,
    visible_residences: Select,
    house_id: uuid.UUID,
    *,
    current: bool | None,
    after: list | None = None,
    limit: int | None = None,
) -> list[Residence]:
    """A house's residences in scope (only open ones, only closed ones, or all), newest arrival first,
    after the cursor ``after`` ([arrived_on, id])."""
    query = visible_residences.where(Residence.house_id == house_id)
    if current is True:
        query = query.where(Residence.left_on.is_(None))
    elif current is False:
        query = query.where(Residence.left_on.is_not(None))
    return list(session.scalars(keyset_desc(query, NEWEST_FIRST, after, limit)))


def of_person(
    session: Session, visible_residences: Select, person_id: uuid.UUID, *, after: list | None = None, limit=None
) -> list[Residence]:
    """A person's residences in scope, newest arrival first, after the cursor ``after``."""
    query = visible_residences.where(Residence.person_id == person_id)
    return list(session.scalars(keyset_desc(query, NEWEST_FIRST, after, limit)))
