"""Queries on standard addresses."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from server.store.models import Address, Division
from server.store.queries.filters import distance_m, in_grid, keyset, text_match, within_bbox, within_radius


def address_by_key(session: Session, community_id: uuid.UUID | None, key: str) -> Address | None:
    """The address with this canonical key in the community (a grid without a community: among those without)."""
    same_community = Address.community_id == community_id if community_id else Address.community_id.is_(None)
    return session.scalar(select(Address).where(same_community, Address.canonical_key == key))


def division_names(session: Session, community_id: uuid.UUID | None) -> list[str]:
    """[town name, community name] for the canonical text ([] for a grid without a community)."""
    community = session.get(Division, community_id) if community_id else None
    town = session.get(Division, community.parent_id) if community and community.parent_id else None
    return [n for n in ((town.name if town else None), community.name if community else None) if n]


def visible(session: Session, visible_addresses: Select, address_id: uuid.UUID) -> Address | None:
    """The address, if it is among ``visible_addresses`` (the caller's scoped query)."""
    return session.scalar(visible_addresses.where(Address.id == address_id))


def page(
    session: Session,
    visible_addresses: Select,
    *,
    text: str | None,
    near,
    radius_m: float,
    bbox,
    grid: str | None,
    after,
    limit: int,
) -> list[tuple[Address, float | None]]:
    """Addresses in scope matching the text, within ``radius_m`` of ``near`` (lon, lat), in the bounding box and
    in the grid with this code; by canonical text then id, each with its distance from ``near`` (or None)."""
    query = visible_addresses
    if text:
        query = text_match(query, text)
    if near is not None:
        query = within_radius(query, near[0], near[1], radius_m)
    if bbox is not None:
        query = within_bbox(query, *bbox)
    if grid:
        query = query.where(in_grid(Address.grid_id, grid))
    if near is not None:
        query = query.add_columns(distance_m(near[0], near[1]))
    query = keyset(query, (Address.full_text, Address.id), after, limit)
    if near is None:
        return [(row, None) for row in session.scalars(query)]
    return [(found[0], found[1]) for found in session.execute(query)]  # (address, metres from near)
