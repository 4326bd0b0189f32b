from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from server.domain.areas import LEVELS
from server.store import geometry

from .common import AreaRef, Integer, PageSchema, StrictSchema
from .presenting import computed, ref, related

_code = fields.String(validate=validate.Length(min=1, max=32))
_name = fields.String(validate=validate.Length(min=1, max=100))


class ListQuery(StrictSchema):
    limit = Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None)


class DivisionQuery(ListQuery):
    level = fields.String(validate=validate.OneOf(LEVELS))
    parent = _code


def _parent_code(division) -> str | None:
    parent = related().get("division", division.parent_id)
    return parent.code if parent is not None else None


class DivisionSchema(ma.Schema):
    """Dumps a ``Division``; its parent's code from ``related()`` (a page prefetches the parents)."""

    id = fields.UUID(required=True)
    code = fields.String(required=True, metadata={"description": "GB/T 2260 county code, + 3 digits per level"})
    name = fields.String(required=True)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    parent = computed(
        fields.String, _parent_code, allow_none=True, required=True, metadata={"description": "Parent division code"}
    )


class DivisionPageSchema(PageSchema):
    items = fields.List(fields.Nested(DivisionSchema), required=True)


class DivisionCreateSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    parent = fields.String(allow_none=True, validate=validate.Length(min=1, max=32))


class DivisionUpdateSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))


class StationSchema(ma.Schema):
    """Dumps a ``Station``."""

    id = fields.UUID(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)


class StationPageSchema(PageSchema):
    items = fields.List(fields.Nested(StationSchema), required=True)


class StationCreateSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))


class GridQuery(ListQuery):
    community = _code
    station = _code


class WorkerRef(ma.Schema):
    id = fields.UUID(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)


class GridCountsSchema(ma.Schema):
    addresses = fields.Integer(required=True)
    houses = fields.Integer(required=True)
    rented_houses = fields.Integer(required=True)
    residents = fields.Integer(required=True, metadata={"description": "People with an open residence"})


def _outline(grid) -> dict | None:
    return geometry.to_geojson(geometry.from_db(grid.geom))


class GridSchema(ma.Schema):
    """Dumps a ``Grid`` joined with its workers (``Joined(grid, workers=[...])``, api/areas.py ``present_grids``);
    its community and station from ``related()`` (a page prefetches them)."""

    id = fields.UUID(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    polygon = computed(
        fields.Dict, _outline, required=True, metadata={"description": "GeoJSON MultiPolygon (longitude, latitude)"}
    )
    community = ref(AreaRef, "division", "community_id", allow_none=True, required=True)
    station = ref(AreaRef, "station", "station_id", allow_none=True, required=True)
    workers = fields.List(fields.Nested(WorkerRef), required=True)


class GridDetailSchema(GridSchema):
    """Dumps ``Joined(grid, workers=[...], counts={...})``."""

    counts = fields.Nested(GridCountsSchema, required=True)


class GridPageSchema(PageSchema):
    items = fields.List(fields.Nested(GridSchema), required=True)


_polygon = fields.Dict(
    metadata={
        "description": "GeoJSON Polygon or MultiPolygon, (longitude, latitude)",
        "example": {
            "type": "Polygon",
            "coordinates": [[[120.13, 30.27], [120.135, 30.27], [120.135, 30.275], [120.13, 30.27]]],
        },
    }
)


class GridCreateSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    polygon = fields.Dict(required=True, metadata=_polygon.metadata)
    community = fields.String(required=True, validate=validate.Length(min=1, max=32))
    station = fields.String(allow_none=True, validate=validate.Length(min=1, max=32))


class GridUpdateSchema(StrictSchema):
    name = _name
    polygon = fields.Dict(metadata=_polygon.metadata)
    community = _code
    station = fields.String(allow_none=True, validate=validate.Length(min=1, max=32))
