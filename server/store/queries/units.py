"""Queries on units and the people employed there."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from server.store.models import Employment, Unit
from server.store.queries.filters import contains, in_grid, keyset, keyset_desc


def open_employment(session: Session, person_id: uuid.UUID, unit_id: uuid.UUID) -> Employment | None:
    return session.scalar(
        select(Employment).where(
            Employment.person_id == person_id, Employment.unit_id == unit_id, Employment.ended_on.is_(None)
        )
    )


def employment_of(session: Session, unit_id: uuid.UUID, employment_id: uuid.UUID) -> Employment | None:
    return session.scalar(select(Employment).where(Employment.id == employment_id, Employment.unit_id == unit_id))


def employments_of(
    session: Session, unit_id: uuid.UUID, current: bool | None, *, after: list | None = None, limit=None
) -> list[Employment]:
    """A unit's employments, latest start first, after the cursor ``after`` ([started_on, id])."""
    query = select(Employment).where(Employment.unit_id == unit_id)
    if current is True:
        query = query.where(Employment.ended_on.is_(None))
    elif current is False:
        query = query.where(Employment.ended_on.is_not(None))
    return list(session.scalars(keyset_desc(query, (Employment.started_on, Employment.id), after, limit)))


def visible(session: Session, visible_units: Select, unit_id: uuid.UUID) -> Unit | None:
    """The unit, if it is among ``visible_units`` (the caller's scoped query)."""
    return session.scalar(visible_units.where(Unit.id == unit_id))


def page(
    session: Session,
    visible_units: Select,
    *,
    grid: str | None,
    kind: str | None,
    name_part: str | None,
    after,
    limit: int,
) -> list[Unit]:
    """Units in scope, by name then id."""
    query = visible_units
    if grid:
        query = query.where(in_grid(Unit.grid_id, grid))
    if kind:
        query = query.where(Unit.kind == kind)
    if name_part:
        query = query.where(contains(Unit.name, name_part))
    return list(session.scalars(keyset(query, (Unit.name, Unit.id), after, limit)))
