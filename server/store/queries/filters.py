"""Building blocks the resources' queries share: a point literal, distance and area filters on
addresses, a literal substring match, and keyset paging."""

from __future__ import annotations

from geoalchemy2 import Geography
from sqlalchemy import Select, cast, func, select, tuple_

from server.store.models import Address, Grid

MAX_RADIUS_M = 5000


def point(lon: float, lat: float):
    return func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326)


def within_radius(query: Select, lon: float, lat: float, radius_m: float) -> Select:
    here = cast(point(lon, lat), Geography)
    return query.where(func.ST_DWithin(cast(Address.geom, Geography), here, radius_m))


def distance_m(lon: float, lat: float):
    return func.ST_Distance(cast(Address.geom, Geography), cast(point(lon, lat), Geography))


def within_bbox(query: Select, min_lon, min_lat, max_lon, max_lat) -> Select:
    return query.where(Address.geom.intersects(func.ST_MakeEnvelope(min_lon, min_lat, max_lon, max_lat, 4326)))


def contains(column, needle: str):
    """Case-insensitive substring match, with LIKE's wildcards in ``needle`` taken literally."""
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%")


def text_match(query: Select, needle: str) -> Select:
    """Substring match on the normalised address text (pg_trgm GIN index)."""
    return query.where(contains(Address.search_text, needle))


def keyset(query: Select, order_cols: tuple, after: list | None, limit: int | None) -> Select:
    """Rows after the cursor ``after`` in ascending ``order_cols`` (``limit`` None: all of them)."""
    if after is not None:
        query = query.where(tuple_(*order_cols) > tuple_(*after))
    return query.order_by(*order_cols).limit(limit)


def keyset_desc(query: Select, order_cols: tuple, after: list | None, limit: int | None) -> Select:
    """As ``keyset``, newest first: descending ``order_cols``."""
    if after is not None:
        query = query.where(tuple_(*order_cols) < tuple_(*after))
    return query.order_by(*(c.desc() for c in order_cols)).limit(limit)


def in_grid(column, code: str):
    """``column`` (a grid id) names the grid with this code; no grid has an unknown code, so nothing matches."""
    return column == select(Grid.id).where(Grid.code == code).scalar_subquery()
