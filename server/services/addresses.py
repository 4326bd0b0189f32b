"""Standard addresses (一标): one row per address, however it was typed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.auth.verbs import require
from server.domain.addresses import (
    AddressParts,
    AddressProblem,
    canonical_key,
    canonical_text,
    normalise_parts,
    search_text,
)
from server.errors import ApiError, NotFound, ValidationFailed
from server.store import audit, scoping, unique
from server.store.models import Address, Grid
from server.store.queries import addresses as address_q
from server.store.queries import areas as area_q
from server.store.queries import filters

PART_FIELDS = ("street", "door", "building", "unit", "floor", "room")


@dataclass(frozen=True)
class Resolved:
    address: Address
    created: bool


def resolve(
    session: Session,
    actor: Actor,
    *,
    location: dict,
    street: str,
    community: str | None = None,
    door=None,
    building=None,
    unit=None,
    floor=None,
    room=None,
) -> Resolved:
    """Find or create the standard address. The grid comes from the point; the
    same address typed twice (any width, suffixes, numerals) is the same row."""
    require(actor, "address.create")
    try:
        parts = normalise_parts(
            AddressParts(street=street, door=door, building=building, unit=unit, floor=floor, room=room)
        )
    except AddressProblem as exc:
        raise ValidationFailed(errors={exc.field: [str(exc)]}) from exc
    lon, lat = location["lon"], location["lat"]
    grid = area_q.grid_containing(session, filters.point(lon, lat))
    if grid is None:
        raise ValidationFailed(
            "This point lies outside every grid.",
            code="address.outside_grids",
            errors={
                "location": [
                    f"No grid contains ({lon}, {lat}); check the GPS fix or ask an administrator to extend the grids."
                ]
            },
        )
    if session.scalar(scoping.visible_grids(actor).where(Grid.id == grid.id)) is None:
        raise ApiError(
            "This point lies in a grid outside your area.",
            code="address.outside_your_area",
            status=404,
            errors={"location": [f"The point is in grid {grid.code}, not yours."]},
        )
    if community is not None:
        row = area_q.division_by_code(session, community)
        if row is None or row.id != grid.community_id:
            raise ValidationFailed(
                errors={"community": [f"The point lies in grid {grid.code}, which belongs to another community."]}
            )
    key = canonical_key(parts)

    def make() -> Address:
        full = canonical_text(parts, address_q.division_names(session, grid.community_id))
        return Address(
            community_id=grid.community_id,
            grid_id=grid.id,
            created_by=actor.account_id,
            full_text=full,
            canonical_key=key,
            search_text=search_text(full),
            geom=filters.point(lon, lat),
            **{f: getattr(parts, f) for f in PART_FIELDS},
        )

    address, created = unique.find_or_add(
        session, lambda: address_q.address_by_key(session, grid.community_id, key), make
    )
    if not created:
        return Resolved(_visible(session, actor, address), created=False)
    audit.record(session, actor, "address.create", subject_type="address", subject_ids=[address.id])
    return Resolved(address, created=True)


def _visible(session: Session, actor: Actor, address: Address) -> Address:
    if session.scalar(scoping.visible_addresses(actor).where(Address.id == address.id)) is None:
        raise ApiError(
            "This address is registered in a grid outside your area.", code="address.outside_your_area", status=404
        )
    return address


def get(session: Session, actor: Actor, address_id: uuid.UUID) -> Address:
    require(actor, "address.read")
    row = address_q.visible(session, scoping.visible_addresses(actor), address_id)
    if row is None:
        raise NotFound("No such address.", code="address.not_found")
    return row


def search(
    session: Session, actor: Actor, *, q_text=None, near=None, radius_m=None, bbox=None, grid=None, after=None, limit=50
) -> list[tuple[Address, float | None]]:
    """Addresses in scope, ordered by their canonical text (stable pages), each
    with its distance in metres from ``near`` (None without ``near``)."""
    require(actor, "address.read")
    return address_q.page(
        session,
        scoping.visible_addresses(actor),
        text=search_text(q_text) if q_text else None,
        near=near,
        radius_m=min(radius_m or 200, filters.MAX_RADIUS_M),  # used only with near
        bbox=bbox,
        grid=grid,
        after=after,
        limit=limit,
    )
