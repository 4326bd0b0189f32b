import marshmallow as ma
from marshmallow import fields, validate

from .common import Integer, PageSchema, StrictSchema

GROUPS = ("grid", "community", "station", "worker")
FORMATS = ("json", "csv", "xlsx")
_PERIOD = fields.String(
    load_default=None,
    validate=validate.Length(max=8),
    metadata={"description": "ISO week, e.g. 2026-W49 (default: the last complete week, local days)"},
)
_FORMAT = fields.String(
    validate=validate.OneOf(FORMATS),
    metadata={"description": "Instead of the Accept header: json (default), csv or xlsx"},
)


class TargetsQuery(StrictSchema):
    group_by = fields.String(load_default="grid", validate=validate.OneOf(GROUPS))
    period = _PERIOD
    format = _FORMAT


class GapsQuery(StrictSchema):
    grid = fields.String(validate=validate.Length(min=1, max=32), metadata={"description": "Grid code"})
    period = _PERIOD
    format = _FORMAT
    limit = Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = fields.String(load_default=None)


class TargetRuleSchema(ma.Schema):
    op = fields.String(required=True, metadata={"description": ">= (a share to reach) or <= (a ratio not to pass)"})
    value = fields.Float(required=True)


class IndicatorSchema(ma.Schema):
    id = fields.String(required=True)
    name = fields.Dict(
        keys=fields.String(), values=fields.String(), required=True, metadata={"description": "zh and en"}
    )
    description = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    source = fields.Dict(
        keys=fields.String(), values=fields.String(), required=True, metadata={"description": "The regulation"}
    )
    target = fields.Nested(TargetRuleSchema, required=True)


FIGURE = {
    "type": "object",
    "required": ["value", "numerator", "denominator", "status"],
    "properties": {
        "value": {"type": "number", "nullable": True, "description": "numerator / denominator; null when 0 / 0"},
        "numerator": {"type": "integer"},
        "denominator": {"type": "integer"},
        "status": {"type": "string", "enum": ["met", "short"]},
    },
}


class GroupKeySchema(ma.Schema):
    id = fields.UUID(required=True)
    code = fields.String(allow_none=True, required=True, metadata={"description": "Grid/area code or username"})
    name = fields.String(allow_none=True, required=True)


class TargetGroupSchema(ma.Schema):
    key = fields.Nested(GroupKeySchema, required=True)
    figures = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(metadata=FIGURE),
        required=True,
        metadata={"description": "Indicator id -> its value, numerator, denominator and status (met | short)"},
    )


class PeriodSchema(ma.Schema):
    week = fields.String(required=True)
    first_day = fields.Date(required=True)
    last_day = fields.Date(required=True)
    as_of = fields.Date(required=True, metadata={"description": "The last local day counted"})


class PlainRows(fields.Nested):
    """Documented as its nested schema, dumped as the service built it: the board's rows are plain values
    already (strings, numbers, UUIDs for the JSON encoder), and going through marshmallow field by field
    for a district's thousand grids took longer than the query."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class TargetsSchema(ma.Schema):
    policy_version = fields.String(required=True)
    group_by = fields.String(required=True)
    period = fields.Nested(PeriodSchema, required=True)
    counts = fields.String(
        required=True,
        metadata={
            "description": "nightly: house and residence counts and the workers' visits from the nightly job "
            "(as of period.as_of, made at computed_at); live: counted at this request. Which workers a group has "
            "is always today's assignment."
        },
    )
    computed_at = fields.DateTime(required=True, metadata={"description": "When the counts were made"})
    indicators = fields.List(
        fields.Nested(IndicatorSchema), required=True, metadata={"description": "The policy's indicators, in order"}
    )
    groups = fields.List(PlainRows(TargetGroupSchema), required=True)


class GapGridSchema(ma.Schema):
    id = fields.UUID(required=True)
    code = fields.String(required=True)


class GapWorkerSchema(ma.Schema):
    username = fields.String(required=True)
    display_name = fields.String(required=True)


class GapSchema(ma.Schema):
    subject_type = fields.String(required=True, metadata={"description": "house | residence | worker | grid"})
    id = fields.UUID(required=True)
    grid = fields.Nested(GapGridSchema, allow_none=True, required=True)
    address = fields.String(allow_none=True, required=True)
    house_id = fields.UUID(allow_none=True, required=True)
    person_name = fields.String(
        allow_none=True, required=True, metadata={"description": "A residence's person, masked (张**)"}
    )
    worker = fields.Nested(GapWorkerSchema, allow_none=True, required=True)
    details = fields.Dict(required=True, metadata={"description": "What falls short: counts, dates, missing fields"})


class GapPageSchema(PageSchema):
    indicator = fields.String(required=True)
    period = fields.Nested(PeriodSchema, required=True)
    items = fields.List(fields.Nested(GapSchema), required=True)
