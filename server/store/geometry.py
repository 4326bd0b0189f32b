"""The one place geometries change form: GeoJSON (lon, lat) at the edge,
shapely in the domain, PostGIS geometry(SRID 4326) in the database."""

from __future__ import annotations

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

SRID = 4326


def to_db(geom):
    return from_shape(geom, srid=SRID)


def from_db(value):
    return to_shape(value) if value is not None else None


def as_multipolygon(geom):
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if isinstance(geom, MultiPolygon):
        return geom
    raise ValueError(f"expected a Polygon or MultiPolygon, got {geom.geom_type}")


def from_geojson(obj: dict):
    return shape(obj)


def to_geojson(geom) -> dict | None:
    return mapping(geom) if geom is not None else None
