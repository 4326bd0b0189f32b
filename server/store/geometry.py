"""The one place geometries change form: GeoJSON (lon, lat) at the edge,
shapely in the domain, PostGIS geometry(SRID 4326) in the database."""

from __future__ import annotations

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape

SRID = 4326


def to_db(geom):
    return from_shape(geom, srid=SRID)


def point(lon: float, lat: float):
    """A point to store: a value, not a SQL expression, so the row keeps it after a flush (no reload)."""
    return to_db(Point(lon, lat))


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


def to_lonlat(value) -> dict | None:
    """A point as the API shows it, ``{"lon": .., "lat": ..}``: from the database or shapely."""
    if value is None:
        return None
    point = from_db(value) if not hasattr(value, "geom_type") else value
    return {"lon": point.x, "lat": point.y}


def lonlat_to_geojson(location: dict | None) -> dict | None:
    """``{"lon", "lat"}`` as shown as a GeoJSON Point (for the map variant of a list)."""
    if not location:
        return None
    return {"type": "Point", "coordinates": [location["lon"], location["lat"]]}
