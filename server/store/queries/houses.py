"""Queries on houses."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from server.store.models import Address, House, Residence
from server.store.queries.filters import in_grid, keyset, text_match


def house_at(session: Session, address_id: uuid.UUID) -> House | None:
    return session.scalar(select(House).where(House.address_id == address_id))


def residences_count(session: Session, house_id: uuid.UUID) -> int:
    return session.execute(
        select(func.count()).select_from(Residence).where(Residence.house_id == house_id)
    ).scalar_one()


def visible(session: Session, visible_houses: Select, house_id: uuid.UUID) -> House | None:
    """The house, if it is among ``visible_houses`` (the caller's scoped query)."""
    return session.scalar(visible_houses.where(House.id == house_id))


def page(
    session: Session, visible_houses: Select, *, grid: str | None, use: str | None, text: str | None, after, limit: int
) -> list:
    """(house, address) rows in scope, by address text then id."""
    query = visible_houses.join(Address, Address.id == House.address_id).add_columns(Address)
    if grid:
        query = query.where(in_grid(House.grid_id, grid))
    if use:
        query = query.where(House.use == use)
    if text:
        query = text_match(query, text)
    return list(session.execute(keyset(query, (Address.full_text, House.id), after, limit)))


def of_landlord(visible_houses: Select, account_id: uuid.UUID) -> Select:
    """The houses in scope this landlord account holds."""
    return visible_houses.where(House.landlord_account_id == account_id)
