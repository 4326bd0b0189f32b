"""Queries the demo loader needs: the first community of a seeded county, and rentals to hand a landlord."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from server.store.models import Division, Grid, House, Station


@dataclass(frozen=True)
class DemoArea:
    community: Division
    station: Station
    grids: list[Grid]


def first_area(session: Session, county_code: str) -> DemoArea:
    town = aliased(Division)
    community = session.scalar(
        select(Division)
        .join(town, town.id == Division.parent_id)
        .where(Division.level == "community", town.code.startswith(county_code))
        .order_by(Division.code)
        .limit(1)
    )
    if community is None:
        raise LookupError(f"no community under county {county_code}: seed the district first")
    grids = list(session.scalars(select(Grid).where(Grid.community_id == community.id).order_by(Grid.code)))
    station = session.get(Station, grids[0].station_id) if grids and grids[0].station_id else None
    if station is None:  # the seeder gives every grid a station
        raise LookupError(f"community {community.code} has no grid with a police station")
    return DemoArea(community, station, grids)


def give_rentals(session: Session, account_id: uuid.UUID, grid_ids: list[uuid.UUID], count: int) -> None:
    """Make the account the landlord of ``count`` rented houses (once: if it holds some, nothing changes)."""
    held = session.scalar(select(House.id).where(House.landlord_account_id == account_id).limit(1))
    if held is not None:
        return
    chosen = (
        select(House.id)
        .where(House.grid_id.in_(grid_ids), House.use == "rented", House.landlord_account_id.is_(None))
        .order_by(House.id)
        .limit(count)
    )
    session.execute(update(House).where(House.id.in_(chosen)).values(landlord_account_id=account_id))
    session.flush()
