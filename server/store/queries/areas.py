"""Queries on divisions, stations and grids."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from server.store.models import Account, AccountGrid, Address, Division, Grid, House, Residence, Station


def division_by_code(session: Session, code: str) -> Division | None:
    return session.scalar(select(Division).where(Division.code == code))


def station_by_code(session: Session, code: str) -> Station | None:
    return session.scalar(select(Station).where(Station.code == code))


def grid_by_code(session: Session, code: str) -> Grid | None:
    return session.scalar(select(Grid).where(Grid.code == code))


def by_code_page(session: Session, query: Select, model, *, after: str | None, limit: int) -> list:
    query = query.order_by(model.code).limit(limit)
    if after is not None:
        query = query.where(model.code > after)
    return list(session.scalars(query))


def grid_counts(session: Session, grid_id: uuid.UUID) -> dict[str, int | None]:
    addresses = session.scalar(select(func.count()).select_from(Address).where(Address.grid_id == grid_id))
    houses, rented = session.execute(
        select(func.count(), func.count().filter(House.use.in_(("rented", "mixed")))).where(House.grid_id == grid_id)
    ).one()
    residents = session.scalar(
        select(func.count(func.distinct(Residence.person_id)))
        .join(House, House.id == Residence.house_id)
        .where(House.grid_id == grid_id, Residence.left_on.is_(None))
    )
    return {"addresses": addresses, "houses": houses, "rented_houses": rented, "residents": residents}


def grid_workers(session: Session, grid_ids) -> dict[uuid.UUID, list[Account]]:
    """The active accounts working in each of these grids, by username: one statement for a page of grids."""
    found: dict[uuid.UUID, list[Account]] = {}
    ids = {i for i in grid_ids if i is not None}
    if not ids:
        return found
    rows = session.execute(
        select(AccountGrid.grid_id, Account)
        .join(AccountGrid, AccountGrid.account_id == Account.id)
        .where(AccountGrid.grid_id.in_(ids), Account.disabled_at.is_(None))
        .order_by(Account.username)
    )
    for grid_id, account in rows:
        found.setdefault(grid_id, []).append(account)
    return found


def grid_containing(session: Session, point_wkt_element) -> Grid | None:
    """The grid whose polygon contains the point (the lowest code if grids overlap)."""
    return session.scalar(
        select(Grid).where(func.ST_Contains(Grid.geom, point_wkt_element)).order_by(Grid.code).limit(1)
    )


def visible_one(session: Session, visible: Select, model, row_id: uuid.UUID):
    """The division or grid, if it is among ``visible`` (the caller's scoped query)."""
    return session.scalar(visible.where(model.id == row_id))


def _id_of(model, code: str):
    """The id of the row with this (unique) code, as a subquery; NULL, so matching nothing, when unknown."""
    return select(model.id).where(model.code == code).scalar_subquery()


def divisions_filtered(visible_divisions: Select, *, level: str | None, parent: str | None) -> Select:
    """Divisions in scope at this level, under the division with this code."""
    query = visible_divisions
    if level:
        query = query.where(Division.level == level)
    if parent:
        query = query.where(Division.parent_id == _id_of(Division, parent))
    return query


def grids_filtered(visible_grids: Select, *, community: str | None, station: str | None) -> Select:
    """Grids in scope in the community and of the police station with these codes."""
    query = visible_grids
    if community:
        query = query.where(Grid.community_id == _id_of(Division, community))
    if station:
        query = query.where(Grid.station_id == _id_of(Station, station))
    return query
