import marshmallow as ma
from marshmallow import fields, validate

from .common import Instant, Integer, StrictSchema
from .presenting import computed, strings

SUBJECT_TYPES = ("address", "house", "unit", "none")


class SubjectSchema(StrictSchema):
    type = fields.String(required=True, validate=validate.OneOf(SUBJECT_TYPES))
    id = fields.UUID(allow_none=True, metadata={"description": "The record the form is about (not for type none)"})
    base_version = Integer(
        allow_none=True,
        validate=validate.Range(min=1),
        metadata={
            "description": "The record's version the phone saw; if it changed since, differing properties become a "
            "conflict for an officer instead of being overwritten"
        },
    )


class SubmissionLocationSchema(StrictSchema):
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180), allow_nan=False)
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90), allow_nan=False)
    accuracy_m = fields.Float(allow_none=True, validate=validate.Range(min=0, max=100000), allow_nan=False)
    captured_at = Instant(allow_none=True)


class ManifestEntrySchema(StrictSchema):
    name = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=200), validate.Regexp(r"^[^/\\\x00]+$", error="A file name, no path.")],
    )
    sha256 = fields.String(
        required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$", error="64 lower-case hex digits.")
    )
    bytes = Integer(required=True, validate=validate.Range(min=1, max=100 * 1024 * 1024))
    content_type = fields.String(required=True, validate=validate.Length(min=1, max=100))


class SubmissionSchema(StrictSchema):
    instance_id = fields.UUID(
        required=True,
        metadata={"description": "Minted by the phone; the same id is the same submission (safe to resend)"},
    )
    deprecated_id = fields.UUID(allow_none=True, metadata={"description": "Edit: the instance_id this one replaces"})
    form_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    form_version = fields.String(required=True, validate=validate.Length(min=1, max=32))
    subject = fields.Nested(SubjectSchema, required=True)
    device_id = fields.String(allow_none=True, validate=validate.Length(max=100))
    device_time = Instant(
        allow_none=True,
        metadata={
            "description": "The phone's clock when sending (or the X-Device-Time header); "
            "drift over 5 minutes is flagged"
        },
    )
    started_at = Instant(allow_none=True)
    completed_at = Instant(allow_none=True)
    location = fields.Nested(SubmissionLocationSchema, allow_none=True)
    answers = fields.Dict(
        required=True,
        keys=fields.String(),
        metadata={
            "description": "Answers by field name; repeats are lists of objects. Checked against exactly the form "
            "version named; errors use paths like residents[2].document_number"
        },
    )
    attachments = fields.List(fields.Nested(ManifestEntrySchema), load_default=list, validate=validate.Length(max=50))


class SubmissionPhotoSchema(ma.Schema):
    name = fields.String(required=True)
    processing = fields.String(
        required=True,
        metadata={"description": "queued (derivatives being made; the photo answers 202) | ready | failed"},
    )


class SubmissionResultSchema(ma.Schema):
    instance_id = fields.UUID(required=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(("created", "duplicate")),
        metadata={"description": "created: stored now; duplicate: an exact replay of one stored before"},
    )
    form_id = fields.String(required=True)
    form_version = fields.String(required=True)
    server_received_at = fields.DateTime(required=True)
    flags = strings("flags", required=True, metadata={"description": "e.g. device_clock_off"})
    result = fields.Dict(required=True, metadata={"description": "Records created and updated, conflicts raised"})
    missing_attachments = fields.List(fields.String(), required=True)
    photos = fields.List(
        fields.Nested(SubmissionPhotoSchema),
        required=True,
        metadata={"description": "The photos received, each with the state of its derivatives job"},
    )
    deprecated_id = fields.UUID(allow_none=True, required=True)
    superseded_by = fields.UUID(allow_none=True, required=True)


class SubmissionDetailSchema(SubmissionResultSchema):
    status = fields.String(
        required=True,
        validate=validate.OneOf(("stored",)),
        metadata={"description": "stored: the server holds this submission (what it did is in result)"},
    )
    answers = fields.Dict(required=True)
    subject = computed(fields.Dict, lambda s: {"type": s.subject_type, "id": s.subject_id}, required=True)


class BatchSchema(StrictSchema):
    submissions = fields.List(
        fields.Raw(),
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={
            "description": "Up to 100 submissions (each shaped like POST /submissions); each is checked on its own"
        },
    )


class BatchItemSchema(ma.Schema):
    index = fields.Integer(required=True)
    instance_id = fields.String(allow_none=True, required=True)
    outcome = fields.String(required=True, metadata={"description": "created | duplicate | conflict | rejected"})
    status = fields.Integer(required=True, metadata={"description": "The HTTP status this item alone would get"})
    result = fields.Nested(
        SubmissionResultSchema,
        allow_none=True,
        metadata={"description": "What POST /submissions would answer for this item (null when it failed)"},
    )
    error = fields.Dict(allow_none=True, metadata={"description": "The error body this item alone would get"})


class BatchResultSchema(ma.Schema):
    items = fields.List(fields.Nested(BatchItemSchema), required=True)


class ChangesQuery(StrictSchema):
    cursor = fields.String(
        load_default=None,
        metadata={"description": "next_cursor of the previous call; none or empty: everything from the start"},
    )
    limit = Integer(load_default=200, validate=validate.Range(min=1, max=1000))


class InspectionDueSchema(ma.Schema):
    """A due inspection as phones keep it (GET /inspections/due has the address and reasons)."""

    id = fields.UUID(required=True)
    subject_type = fields.String(required=True)
    house_id = fields.UUID(allow_none=True, required=True)
    unit_id = fields.UUID(allow_none=True, required=True)
    grid_id = fields.UUID(allow_none=True, required=True)
    role = fields.String(required=True)
    tier = fields.String(allow_none=True, required=True)
    every_days = fields.Integer(allow_none=True, required=True)
    due_on = fields.Date(allow_none=True, required=True)
    last_visit_at = fields.DateTime(allow_none=True, required=True)


class ChangeItemSchema(ma.Schema):
    type = fields.String(
        required=True,
        metadata={"description": "address | house | residence | unit | conflict | inspection_due (your role's)"},
    )
    id = fields.UUID(required=True)
    op = fields.String(required=True, metadata={"description": "upsert | delete (tombstone: drop it)"})
    data = fields.Dict(
        allow_none=True,
        required=True,
        metadata={
            "description": "The record as its own GET returns it (residences include the person, ID masked); "
            "null for tombstones"
        },
    )


class ChangesSchema(ma.Schema):
    items = fields.List(fields.Nested(ChangeItemSchema), required=True)
    next_cursor = fields.String(required=True, metadata={"description": "Keep it; send it on the next call"})
    more = fields.Boolean(required=True, metadata={"description": "Call again now with next_cursor"})
    reset = fields.Boolean(
        required=True,
        metadata={
            "description": "Start over: drop local data; these items start again from the beginning. Your area or "
            "its make-up changed (a grid moved station or community, a landlord's houses), the "
            "server was restored from a backup (your cursor is of another epoch), or the phone did not sync "
            "within the feed's retention window (FEED_RETENTION_DAYS: its cursor is below the compacted part)"
        },
    )
