import marshmallow as ma
from marshmallow import fields, validate

from .common import AreaRef, Integer, PageSchema, StrictSchema
from .presenting import computed

HOUSE_TIERS = ("focus", "uncertain", "trusted")
ALL_TIERS = HOUSE_TIERS + ("key", "general")
ROLES = ("police", "committee", "grid_worker", "landlord")
STATUSES = ("overdue", "due_today", "upcoming")
FORMATS = ("json", "csv", "xlsx", "geojson")


class ReasonFactSchema(ma.Schema):
    fact = fields.String(required=True)
    op = fields.String(required=True)
    threshold = fields.Raw(allow_none=True, required=True)
    value = fields.Raw(allow_none=True, required=True, metadata={"description": "The value found"})


class ReasonSchema(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE

    rule = fields.String(required=True, metadata={"description": "Rule id, or no_rule_matched / held / not_let"})
    tier = fields.String(required=True)
    description = fields.Dict(
        keys=fields.String(), values=fields.String(), required=True, metadata={"description": "zh and en"}
    )
    facts = fields.List(fields.Nested(ReasonFactSchema), required=True)
    would_be = fields.String(metadata={"description": "(held) the tier the facts alone call for"})


class OverrideSchema(ma.Schema):
    """Dumps the override columns of a ``TierState``."""

    tier = fields.String(required=True, attribute="override_tier")
    reason = fields.String(required=True, attribute="override_reason")
    expires_on = fields.Date(required=True, attribute="override_expires_on")
    by = fields.UUID(allow_none=True, required=True, attribute="override_by")
    at = fields.DateTime(allow_none=True, required=True, attribute="override_at")


class TierChangeSchema(ma.Schema):
    from_tier = fields.String(allow_none=True, required=True)
    to_tier = fields.String(required=True)
    computed_tier = fields.String(required=True)
    cause = fields.String(
        required=True, metadata={"description": "evaluation | override | override_lifted | override_expired"}
    )
    policy_version = fields.String(required=True)
    changed_at = fields.DateTime(required=True)
    by = fields.UUID(allow_none=True, required=True, attribute="actor_id")


def _stored(attribute: str, default=None):
    """A column of the subject's stored tier state; ``default`` for a house or unit never evaluated."""
    return lambda view: getattr(view.state, attribute) if view.state is not None else default


def _tier_since(view):
    """Since when the effective tier holds: the stored tier's day, or the computed tier's while no override
    applies any more."""
    state = view.state
    if state is None:
        return None
    return state.tier_since if state.tier == view.effective else state.computed_since


class TierSchema(ma.Schema):
    """Dumps a ``TierView`` (services/tiers.py): the effective tier, the stored state and the history."""

    subject_type = fields.String(required=True)
    id = fields.UUID(required=True, attribute="subject_id", metadata={"description": "The house or unit"})
    tier = fields.String(
        attribute="effective",
        required=True,
        metadata={
            "description": "Effective tier: the override while it lasts, else the computed tier; none for houses "
            "that are not let"
        },
    )
    tier_since = computed(fields.Date, _tier_since, allow_none=True, required=True)
    computed_tier = computed(fields.String, _stored("computed_tier", "none"), required=True)
    computed_since = computed(fields.Date, _stored("computed_since"), allow_none=True, required=True)
    reasons = computed(
        fields.List,
        _stored("reasons", []),
        fields.Nested(ReasonSchema),
        required=True,
        metadata={"description": "The rules that produced the computed tier, with the facts and thresholds"},
    )
    facts = computed(fields.Dict, _stored("facts", {}), required=True)
    policy_version = computed(fields.String, _stored("policy_version"), allow_none=True, required=True)
    evaluated_at = computed(fields.DateTime, _stored("evaluated_at"), allow_none=True, required=True)
    override = computed(
        fields.Nested,
        lambda view: view.state if view.override_active else None,
        OverrideSchema,
        allow_none=True,
        required=True,
        metadata={"description": "The override in force (null when none or expired)"},
    )
    history = fields.List(fields.Nested(TierChangeSchema), required=True, metadata={"description": "Newest first"})


class TierOverrideSchema(StrictSchema):
    tier = fields.String(required=True, validate=validate.OneOf(HOUSE_TIERS))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
    expires_on = fields.Date(required=True, metadata={"description": "Last local day the override applies"})


class DueQuery(StrictSchema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    within_days = Integer(
        validate=validate.Range(min=0, max=366),
        metadata={
            "description": "Only what is due within this many days from today (overdue included unless status says)"
        },
    )
    tier = fields.String(validate=validate.OneOf(ALL_TIERS))
    grid = fields.String(validate=validate.Length(min=1, max=32), metadata={"description": "Grid code"})
    role = fields.String(
        validate=validate.OneOf(ROLES),
        metadata={"description": "Whose obligation (admins; everyone else sees their own role's)"},
    )
    format = fields.String(
        validate=validate.OneOf(FORMATS),
        metadata={
            "description": "Instead of the Accept header: json (default), csv, xlsx (whole list) or geojson (a page)"
        },
    )
    limit = Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = fields.String(load_default=None)


class DueAddressSchema(ma.Schema):
    full_text = fields.String(required=True)
    location = fields.Dict(required=True, metadata={"description": "{lon, lat}"})


class DueSchema(ma.Schema):
    id = fields.UUID(required=True)
    subject_type = fields.String(required=True, metadata={"description": "house | unit"})
    house_id = fields.UUID(allow_none=True, required=True)
    unit_id = fields.UUID(allow_none=True, required=True)
    unit_name = fields.String(allow_none=True, required=True)
    rental_mode = fields.String(allow_none=True, required=True)
    address = fields.Nested(DueAddressSchema, required=True)
    grid = fields.Nested(AreaRef, required=True)
    tier = fields.String(required=True)
    role = fields.String(required=True, metadata={"description": "Who must inspect"})
    every_days = fields.Integer(required=True)
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)
    last_visit_at = fields.DateTime(
        allow_none=True, required=True, metadata={"description": "The last visit that counted for this obligation"}
    )
    due_on = fields.Date(required=True, metadata={"description": "Local day"})
    status = fields.String(required=True, metadata={"description": "overdue | due_today | upcoming"})
    days_overdue = fields.Integer(required=True)


class DuePageSchema(PageSchema):
    items = fields.List(fields.Nested(DueSchema), required=True)


class SummaryQuery(StrictSchema):
    group_by = fields.String(load_default="grid", validate=validate.OneOf(("grid", "tier", "role")))
    tier = fields.String(validate=validate.OneOf(ALL_TIERS))
    grid = fields.String(validate=validate.Length(min=1, max=32))
    role = fields.String(validate=validate.OneOf(ROLES))


class SummaryRowSchema(ma.Schema):
    key = fields.String(required=True, metadata={"description": "Grid code, tier or role"})
    grid = fields.Nested(AreaRef, allow_none=True, required=True)
    overdue = fields.Integer(required=True)
    due_today = fields.Integer(required=True)
    upcoming = fields.Integer(required=True)


class SummarySchema(ma.Schema):
    group_by = fields.String(required=True)
    today = fields.Date(required=True)
    rows = fields.List(fields.Nested(SummaryRowSchema), required=True)
    total = fields.Nested(SummaryRowSchema, required=True)
