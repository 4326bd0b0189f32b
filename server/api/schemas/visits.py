import datetime as dt

import marshmallow as ma
from marshmallow import fields, validate

from server.domain.plausibility import ALL_FLAGS
from server.store import geometry

from .common import Integer, PageSchema, StrictSchema
from .presenting import computed, strings

SIZES = ("320", "1024", "2048")


def photo_urls(photo_id) -> dict:
    from server.api.base import PREFIX

    return {size: f"{PREFIX}/photos/{photo_id}?size={size}" for size in SIZES}


def _of_photo(get, missing=None):
    """A photo slot's value: ``get(photo)``, or ``missing`` while the photo has not arrived."""
    return lambda slot: get(slot.photo) if slot.photo is not None else missing


def _location(visit):
    location = geometry.to_lonlat(visit.location)
    return location | {"accuracy_m": visit.location_accuracy_m} if location else None


def _missing_attachments(photo):
    from server.services import submissions as submission_service
    from server.store.db import request_session

    return submission_service.missing_attachments_of(request_session(), photo.instance_id)


class DayOrTime(fields.Field):
    """Query parameter: a local calendar day (2026-11-20) or an instant with an offset."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or len(value) > 40:
            raise ma.ValidationError("A date (2026-11-20) or a time with offset (2026-11-20T09:00:00+08:00).")
        try:
            if len(value) == 10:
                return dt.date.fromisoformat(value)
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ma.ValidationError("A date (2026-11-20) or a time with offset (2026-11-20T09:00:00+08:00).") from None
        if parsed.tzinfo is None:
            raise ma.ValidationError("Give the time zone offset.")
        return parsed

    def _jsonschema_type_mapping(self):  # pragma: no cover - documentation only
        return {"type": "string"}


class DayOrTimeRange(StrictSchema):
    """A list's ``from`` and ``to`` query parameters: local calendar days or instants."""

    from_ = DayOrTime(
        data_key="from",
        metadata={"type": "string", "description": "From this day (local calendar day) or instant (inclusive)"},
    )
    to = DayOrTime(
        metadata={
            "type": "string",
            "description": "Up to this day (inclusive, local calendar day) or instant (exclusive)",
        }
    )


class VisitQuery(DayOrTimeRange):
    house = fields.UUID(metadata={"description": "Visits of this house"})
    unit = fields.UUID(metadata={"description": "Visits of this unit"})
    grid = fields.String(validate=validate.Length(min=1, max=32), metadata={"description": "Grid code"})
    actor = fields.UUID(metadata={"description": "Visits made by this account"})
    flag = fields.String(validate=validate.OneOf(ALL_FLAGS), metadata={"description": "Only visits with this flag"})
    limit = Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None, metadata={"description": "The `next_cursor` of the previous page"})


class TimelineQuery(StrictSchema):
    limit = Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None, metadata={"description": "The `next_cursor` of the previous page"})


class VisitSubjectSchema(ma.Schema):
    type = fields.String(attribute="subject_type", required=True, metadata={"description": "house | unit"})
    id = computed(fields.UUID, lambda v: v.house_id or v.unit_id, required=True)
    address = computed(
        fields.String,
        lambda v: v.shown.address(v),
        allow_none=True,
        required=True,
        metadata={"description": "The standard address"},
    )


class VisitActorSchema(ma.Schema):
    id = fields.UUID(attribute="account_id", required=True)
    name = computed(
        fields.String,
        lambda v: v.shown.account(v).display_name if v.shown.account(v) else None,
        allow_none=True,
        required=True,
    )
    role = fields.String(required=True, metadata={"description": "The role the visit was made in"})


class VisitLocationSchema(ma.Schema):
    lon = fields.Float(required=True)
    lat = fields.Float(required=True)
    accuracy_m = fields.Float(allow_none=True, required=True)


class FormRefSchema(ma.Schema):
    id = fields.String(attribute="form_id", required=True)
    version = fields.String(attribute="form_version", required=True)


class VisitPhotoSchema(ma.Schema):
    id = computed(
        fields.UUID,
        _of_photo(lambda p: p.id),
        allow_none=True,
        required=True,
        metadata={"description": "null while missing"},
    )
    name = fields.String(required=True)
    status = computed(
        fields.String,
        _of_photo(lambda p: "received", "missing"),
        required=True,
        metadata={"description": "received | missing"},
    )
    processing = computed(
        fields.String,
        _of_photo(lambda p: p.processing),
        allow_none=True,
        required=True,
        metadata={
            "description": "queued (derivatives and EXIF evidence are being made by a background job; the "
            "photo answers 202 with Retry-After until then) | ready | failed (did not decode: upload it again); "
            "null while missing"
        },
    )
    urls = computed(
        fields.Dict,
        _of_photo(lambda p: photo_urls(p.id)),
        keys=fields.String(),
        values=fields.String(),
        allow_none=True,
        required=True,
        metadata={"description": "By long-edge size (320, 1024, 2048): GET them with your token; null while missing"},
    )
    taken_at = computed(
        fields.DateTime,
        _of_photo(lambda p: p.taken_at),
        allow_none=True,
        required=True,
        metadata={"description": "EXIF capture time"},
    )
    taken_location = computed(
        fields.Dict,
        _of_photo(lambda p: geometry.to_lonlat(p.taken_location)),
        allow_none=True,
        required=True,
        metadata={"description": "EXIF position {lon, lat}"},
    )
    flags = computed(fields.List, _of_photo(lambda p: list(p.flags or []), []), fields.String(), required=True)


class VisitSchema(ma.Schema):
    id = fields.UUID(required=True)
    instance_id = fields.UUID(required=True, metadata={"description": "The current submission of this visit"})
    kind = fields.String(required=True, metadata={"description": "visit | inspection | self_check"})
    subject = computed(fields.Nested, lambda v: v, VisitSubjectSchema, required=True)
    grid_id = fields.UUID(allow_none=True, required=True)
    actor = computed(fields.Nested, lambda v: v, VisitActorSchema, required=True)
    outcome = fields.String(
        allow_none=True, required=True, metadata={"description": "met | not_home | refused | vacant"}
    )
    visited_at = fields.DateTime(required=True, metadata={"description": "When the phone completed the form"})
    received_at = fields.DateTime(required=True)
    location = computed(fields.Nested, _location, VisitLocationSchema, allow_none=True, required=True)
    form = computed(fields.Nested, lambda v: v, FormRefSchema, required=True)
    hazards = strings("hazards", required=True, metadata={"description": "Findings; [] = none found"})
    photos = computed(fields.List, lambda v: v.shown.slots(v), fields.Nested(VisitPhotoSchema), required=True)
    flags = strings(
        "flags",
        required=True,
        metadata={"description": "Plausibility flags (never a refusal): " + ", ".join(ALL_FLAGS)},
    )
    flag_details = computed(
        fields.Dict,
        lambda v: v.flag_details or {},
        required=True,
        metadata={"description": "Per flag: measured, limit, unit; photo flags list the photos that raised them"},
    )


class VisitPageSchema(PageSchema):
    items = fields.List(fields.Nested(VisitSchema), required=True)


class PhotoQuery(StrictSchema):
    size = fields.String(
        load_default="1024",
        validate=validate.OneOf(["320", "1024", "2048"]),
        metadata={"description": "Long edge in pixels"},
    )


class PhotoSchema(ma.Schema):
    id = fields.UUID(required=True)
    instance_id = fields.UUID(required=True)
    name = fields.String(required=True)
    status = fields.String(
        required=True, metadata={"description": "pending (its submission has not arrived yet) | linked"}
    )
    processing = fields.String(
        required=True,
        metadata={
            "description": "queued (derivatives and EXIF evidence are being made by a background job; the "
            "photo answers 202 with Retry-After until then) | ready | failed (did not decode: upload it again)"
        },
    )
    sha256 = fields.String(required=True)
    bytes = fields.Integer(required=True)
    content_type = fields.String(required=True)
    width = fields.Integer(required=True)
    height = fields.Integer(required=True)
    taken_at = fields.DateTime(allow_none=True, required=True)
    taken_location = computed(
        fields.Dict, lambda p: geometry.to_lonlat(p.taken_location), allow_none=True, required=True
    )
    camera = fields.String(allow_none=True, required=True)
    urls = computed(
        fields.Dict, lambda p: photo_urls(p.id), keys=fields.String(), values=fields.String(), required=True
    )
    flags = strings("flags", required=True)
    missing_attachments = computed(
        fields.List,
        _missing_attachments,
        fields.String(),
        allow_none=True,
        required=True,
        metadata={"description": "What the submission still lacks; null while the submission has not arrived"},
    )
