"""Schemas shared by every resource."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import marshmallow as ma
from marshmallow import fields, validate

from server import errors_catalogue


def _nul_paths(value, path=()):
    if isinstance(value, str):
        if "\x00" in value:
            yield path
    elif isinstance(value, Mapping):  # also query strings (webargs passes a MultiDictProxy, not a dict)
        for key, item in value.items():
            yield from _nul_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_paths(item, (*path, index))


def _nest(path, message):
    error = [message]
    for key in reversed(path):
        error = {key: error}
    return error


class StrictSchema(ma.Schema):
    """Input schema: unknown fields are an error, never silently dropped, and no
    text may carry a NUL character (PostgreSQL cannot store it)."""

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def _refuse_nul(self, data, **kwargs):
        errors: dict = {}
        for path in _nul_paths(data):
            if not path:
                continue
            nested = _nest(path, "Must not contain the NUL character.")
            key = next(iter(nested))
            errors[key] = nested[key] if not isinstance(errors.get(key), dict) else {**errors[key], **nested[key]}
        if errors:
            raise ma.ValidationError(errors)
        return data


class Integer(fields.Integer):
    """A whole number. A number with a fractional part (3.7, 2.6e-42) is refused rather than truncated
    (marshmallow's Integer would make it 3 or 0); 3.0 is 3. Query strings ("5") are read as usual."""

    def _validated(self, value):
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid")
        return super()._validated(value)


EARLIEST_INSTANT = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_INSTANT = datetime(2100, 1, 1, tzinfo=UTC)


def instant_problem(value: datetime) -> str | None:
    """Why a moment a client sent cannot be taken, or None. A phone's clock may be wrong (the server
    flags the drift and keeps the data), but not outside 1970-2099: such a time is no clock reading,
    and 0001-01-01T00:00:00+14:00 is not even a moment Python can hold in UTC."""
    try:
        moment = value.astimezone(UTC)
    except OverflowError:
        moment = None
    if moment is None or not EARLIEST_INSTANT <= moment < LATEST_INSTANT:
        return "Must be a moment from 1970 to 2099 (in UTC)."
    return None


class Instant(fields.AwareDateTime):
    """An ISO 8601 date and time with its UTC offset, within EARLIEST_INSTANT and LATEST_INSTANT."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        problem = instant_problem(moment)
        if problem:
            raise ma.ValidationError(problem)
        return moment


class ErrorSchema(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE  # some errors add context, e.g. "existing_id" on a 409

    code = fields.String(
        required=True,
        metadata={  # the catalogue (server/errors_catalogue.py), listed in the spec
            "description": errors_catalogue.openapi_description(),
            "enum": sorted(errors_catalogue.CATALOGUE),
        },
    )
    status = fields.Integer(required=True, metadata={"description": "HTTP status"})
    message = fields.String(required=True, metadata={"description": "What went wrong, for a person"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        required=True,
        metadata={"description": "Messages per field path, e.g. residents[2].id_number"},
    )
    request_id = fields.String(metadata={"description": "Quote it when reporting a server error"})


class PageQuery(StrictSchema):
    limit = Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None, metadata={"description": "The `next_cursor` of the previous page"})


class AreaRef(ma.Schema):
    id = fields.UUID(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)


class Location(StrictSchema):
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180), allow_nan=False)
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90), allow_nan=False)


class Point(fields.Nested):
    """A stored point (PostGIS or shapely) shown as a ``Location``, ``{lon, lat}``; the conversion is
    store/geometry's, the one place for it."""

    def __init__(self, **kwargs):
        super().__init__(Location, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        from server.store import geometry

        return super()._serialize(geometry.to_lonlat(value), attr, obj, **kwargs)


class LonLat(fields.String):
    """Query parameter 'lon,lat'."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            lon, lat = (float(v) for v in text.split(","))
        except ValueError:
            raise ma.ValidationError("Use 'longitude,latitude', e.g. 120.1325,30.2721.") from None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ma.ValidationError("Longitude within ±180, latitude within ±90.")
        return lon, lat


class BBox(fields.String):
    """Query parameter 'min_lon,min_lat,max_lon,max_lat'."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            box = tuple(float(v) for v in text.split(","))
            if len(box) != 4:
                raise ValueError
        except ValueError:
            raise ma.ValidationError("Use 'min_lon,min_lat,max_lon,max_lat'.") from None
        if not (-180 <= box[0] <= box[2] <= 180 and -90 <= box[1] <= box[3] <= 90):
            raise ma.ValidationError("The box's minimum must not exceed its maximum; degrees within range.")
        return box


def version_field():
    """The version of a record a submission can change (+1 on every change; also the ETag)."""
    return fields.Integer(
        required=True,
        metadata={"description": "+1 on every change; send the version you saw as subject.base_version (docs/sync.md)"},
    )


class LinkSchema(ma.Schema):
    rel = fields.String(required=True, metadata={"example": "next"})
    href = fields.String(required=True, metadata={"description": "This request with the cursor to the next page"})


class PageSchema(ma.Schema):
    """Every list: its ``items``, and the way to the next page (docs/decisions/0013-list-contract.md)."""

    next_cursor = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "Send it as `cursor` for the next page; null on the last"},
    )
    links = fields.List(
        fields.Nested(LinkSchema),
        required=True,
        metadata={"description": "`rel=next`: this request for the next page (none on the last)"},
    )
