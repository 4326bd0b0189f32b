"""Queries on visits and their photos, including the distances plausibility needs (on geography)."""

from __future__ import annotations

import uuid
from datetime import datetime

from geoalchemy2 import Geography, Geometry
from sqlalchemy import Select, cast, func, literal, select, tuple_
from sqlalchemy.orm import Session

from server.store.models import Account, Address, House, Photo, Unit, Visit


def filtered(
    query: Select,
    *,
    house_id=None,
    unit_id=None,
    grid_id=None,
    account_id=None,
    since: datetime | None = None,
    until: datetime | None = None,
    flag: str | None = None,
) -> Select:
    if house_id is not None:
        query = query.where(Visit.house_id == house_id)
    if unit_id is not None:
        query = query.where(Visit.unit_id == unit_id)
    if grid_id is not None:
        query = query.where(Visit.grid_id == grid_id)
    if account_id is not None:
        query = query.where(Visit.account_id == account_id)
    if since is not None:
        query = query.where(Visit.visited_at >= since)
    if until is not None:
        query = query.where(Visit.visited_at < until)
    if flag is not None:
        query = query.where(Visit.flags.contains([flag]))
    return query


def newest_first_page(session: Session, query: Select, after: list | None, limit: int) -> list[Visit]:
    return list(session.scalars(newest_first(query, after, limit)))


def newest_first(query: Select, after: list | None, limit: int) -> Select:
    """Keyset order (visited_at, id) descending."""
    if after is not None:
        query = query.where(tuple_(Visit.visited_at, Visit.id) < tuple_(*after))
    return query.order_by(Visit.visited_at.desc(), Visit.id.desc()).limit(limit)


def by_instance(session: Session, instance_id: uuid.UUID) -> Visit | None:
    return session.scalar(select(Visit).where(Visit.instance_id == instance_id))


def _geog(column):
    return cast(column, Geography)


def subject_distance_m(session: Session, visit: Visit) -> float | None:
    """Metres from the visit point to the address point of its house or unit (None without a visit point)."""
    if visit.location is None:
        return None
    if visit.house_id is not None:
        address_id = select(House.address_id).where(House.id == visit.house_id).scalar_subquery()
    else:
        address_id = select(Unit.address_id).where(Unit.id == visit.unit_id).scalar_subquery()
    # the visit's point as a value: the visit need not be written yet (flags go in with its INSERT)
    here = literal(visit.location, type_=Geometry(srid=4326))
    query = select(func.ST_Distance(_geog(here), _geog(Address.geom))).where(Address.id == address_id)
    return session.scalar(query)


def photo_distances_m(session: Session, visit: Visit, photos: list[Photo]) -> dict[uuid.UUID, float | None]:
    """Metres from each photo's EXIF position to the visit point (None where either is unknown)."""
    ids = [p.id for p in photos if p.taken_location is not None]
    out: dict[uuid.UUID, float | None] = {p.id: None for p in photos}
    if not ids or visit.location is None:
        return out
    here = select(Visit.location).where(Visit.id == visit.id).scalar_subquery()
    query = select(Photo.id, func.ST_Distance(_geog(Photo.taken_location), _geog(here))).where(Photo.id.in_(ids))
    out.update(dict(session.execute(query).all()))
    return out


def linked_photos(session: Session, instance_ids: list[uuid.UUID]) -> list[Photo]:
    if not instance_ids:
        return []
    return list(session.scalars(select(Photo).where(Photo.instance_id.in_(instance_ids), Photo.status == "linked")))


def accounts(session: Session, ids) -> dict[uuid.UUID, Account]:
    ids = list(set(ids))
    if not ids:
        return {}
    return {a.id: a for a in session.scalars(select(Account).where(Account.id.in_(ids)))}
