"""`Accept: application/geo+json` on list endpoints: the same items as a FeatureCollection."""

from __future__ import annotations

import marshmallow as ma
from flask import Response, json, request
from marshmallow import fields

from .schemas.common import LinkSchema

GEOJSON = "application/geo+json"


def wanted() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", GEOJSON])
    return best == GEOJSON and request.accept_mimetypes[GEOJSON] > request.accept_mimetypes["application/json"]


def feature_collection(items: list[dict], geometry, next_cursor: str | None, links: list[dict]) -> Response:
    """``geometry``: the key of an item's GeoJSON geometry (left out of its properties), or a
    function giving it from the item (the item is then the properties as it is)."""
    features = []
    for item in items:
        if callable(geometry):
            geom, props = geometry(item), item
        else:
            geom, props = item.get(geometry), {k: v for k, v in item.items() if k != geometry}
        features.append({"type": "Feature", "id": str(item["id"]), "geometry": geom, "properties": props})
    body = {"type": "FeatureCollection", "features": features, "next_cursor": next_cursor, "links": links}
    return Response(json.dumps(body), mimetype=GEOJSON)


class GeometrySchema(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE

    type = fields.String(required=True, metadata={"example": "Point"})
    coordinates = fields.Raw(required=True, metadata={"description": "GeoJSON coordinates, (longitude, latitude)"})


class FeatureSchema(ma.Schema):
    type = fields.String(required=True)
    id = fields.String(required=True)
    geometry = fields.Nested(GeometrySchema, allow_none=True, required=True)
    properties = fields.Dict(required=True)


class FeatureCollectionSchema(ma.Schema):
    type = fields.String(required=True)
    features = fields.List(fields.Nested(FeatureSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)
    links = fields.List(fields.Nested(LinkSchema), required=True)


def alternative(blp, description: str = "With `Accept: application/geo+json`"):
    """The GeoJSON variant of a list endpoint, for its OpenAPI description (the same items as features)."""
    return blp.alt_response(
        200, schema=FeatureCollectionSchema, content_type=GEOJSON, description=description, success=True
    )
