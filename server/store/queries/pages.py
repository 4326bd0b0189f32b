"""What a list page shows beside its rows, fetched for the whole page at once: a fixed number
of statements whatever the page size (no query per row; tests/e2e/test_list_queries.py)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import literal, select, union_all
from sqlalchemy.orm import Session

from server.store.models import Address, Division, Grid, House, Unit


def areas_by_id(session: Session, division_ids: Iterable, grid_ids: Iterable) -> dict:
    """``id -> Division or Grid`` of the divisions and grids named by a page's rows, one statement each."""
    division_ids = {i for i in division_ids if i is not None}
    grid_ids = {i for i in grid_ids if i is not None}
    found: dict = {}
    if division_ids:
        found |= {d.id: d for d in session.scalars(select(Division).where(Division.id.in_(division_ids)))}
    if grid_ids:
        found |= {g.id: g for g in session.scalars(select(Grid).where(Grid.id.in_(grid_ids)))}
    return found


def subject_addresses(session: Session, house_ids: Iterable, unit_ids: Iterable) -> dict:
    """``(subject type, id) -> address text`` of houses and units, in one statement."""
    house_ids, unit_ids = set(house_ids) - {None}, set(unit_ids) - {None}
    parts = []
    if house_ids:
        parts.append(
            select(House.id.label("id"), Address.full_text.label("text"), _kind("house"))
            .join(Address, Address.id == House.address_id)
            .where(House.id.in_(house_ids))
        )
    if unit_ids:
        parts.append(
            select(Unit.id.label("id"), Address.full_text.label("text"), _kind("unit"))
            .join(Address, Address.id == Unit.address_id)
            .where(Unit.id.in_(unit_ids))
        )
    if not parts:
        return {}
    query = parts[0] if len(parts) == 1 else union_all(*parts)
    return {(row.kind, row.id): row.text for row in session.execute(query)}


def _kind(name: str):
    return literal(name).label("kind")
