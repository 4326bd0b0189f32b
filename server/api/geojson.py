"""`Accept: application/geo+json` on list endpoints: the same items as a FeatureCollection."""

from __future__ import annotations

import marshmallow as ma
from flask import Response, json, request
from marshmallow import fields

GEOJSON = "application/geo+json"


def wanted() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", GEOJSON])
    return best == GEOJSON and request.accept_mimetypes[GEOJSON] > request.accept_mimetypes["application/json"]


def feature_collection(items: list[dict], geometry_key: str, next_cursor: str | None) -> Response:
    features = []
    for item in items:
        props = {k: v for k, v in item.items() if k != geometry_key}
        features.append({"type": "Feature", "id": str(item["id"]), "geometry": item.get(geometry_key),
                         "properties": props})
    body = {"type": "FeatureCollection", "features": features, "next_cursor": next_cursor}
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
