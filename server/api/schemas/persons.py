import marshmallow as ma
from marshmallow import fields, validate

from server.domain.id_numbers import DOCUMENT_TYPES
from server.domain.privacy import person_fields_for
from server.domain.registry import RESIDENCE_CATEGORIES, SEXES, VERIFICATION_STATES
from server.domain.reporting import days_late, local_date, report_due_on

from .common import Integer, PageSchema, StrictSchema, version_field
from .presenting import computed, masked_number, reporting_rules


def days_late_of(start, reported_at):
    """Days a report came after its deadline (0: on time), counted in the local calendar."""
    zone, deadline = reporting_rules()
    return days_late(start, local_date(reported_at, zone), deadline)


def _departure_days_late(r):
    if r.left_on is None or r.departure_reported_at is None:
        return None
    return days_late_of(r.left_on, r.departure_reported_at)


def _viewer_role() -> str:
    from server.api.base import current_actor

    return current_actor().role


_doc_type = fields.String(
    allow_none=True,
    validate=validate.OneOf(DOCUMENT_TYPES),
    metadata={
        "description": "citizen_id (居民身份证), passport, foreign_permanent_residence, hmt_residence_permit "
        "(港澳台居民居住证), hk_macao_travel_permit, taiwan_travel_permit"
    },
)
_doc_number = fields.String(
    allow_none=True,
    validate=validate.Length(min=1, max=40),
    metadata={"description": "Checked for its format and check character; a 15-digit citizen ID is upgraded to 18"},
)


class PersonCreateSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    sex = fields.String(
        allow_none=True,
        validate=validate.OneOf(SEXES),
        metadata={"description": "May be left out when the document number encodes it"},
    )
    ethnicity = fields.String(allow_none=True, validate=validate.Length(min=1, max=32))
    birth_date = fields.Date(allow_none=True, metadata={"description": "Filled from the document when left out"})
    document_type = _doc_type
    document_number = _doc_number
    hukou_address = fields.String(allow_none=True, validate=validate.Length(max=200))
    phone = fields.String(allow_none=True, validate=validate.Length(max=32))


class PersonUpdateSchema(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=100))
    sex = fields.String(validate=validate.OneOf(SEXES))
    ethnicity = fields.String(allow_none=True, validate=validate.Length(min=1, max=32))
    birth_date = fields.Date(allow_none=True)
    document_type = _doc_type
    document_number = _doc_number
    hukou_address = fields.String(allow_none=True, validate=validate.Length(max=200))
    phone = fields.String(allow_none=True, validate=validate.Length(max=32))


class PersonSchema(ma.Schema):
    """Landlords get only id, version, name, sex, document_type, document_number_masked and phone."""

    id = fields.UUID(required=True)
    version = version_field()
    name = fields.String(required=True)
    sex = fields.String(required=True)
    ethnicity = fields.String(allow_none=True)
    birth_date = fields.Date(allow_none=True)
    document_type = fields.String(allow_none=True, required=True)
    # A provisional person (decision 0008) shows the number as typed, masked like any other.
    document_number_masked = computed(
        fields.String,
        lambda p: masked_number(p.document_number or p.unconfirmed_document_number),
        allow_none=True,
        required=True,
        metadata={"example": "1101**********1234"},
    )
    hukou_address = fields.String(allow_none=True)
    phone = fields.String(allow_none=True, required=True)

    @ma.post_dump
    def _for_role(self, data, **kwargs):
        """What the caller's role may see of a person (domain/privacy)."""
        shown = set(person_fields_for(_viewer_role())) | {"id", "version"}
        return {k: v for k, v in data.items() if k in shown}


class PersonPageSchema(PageSchema):
    items = fields.List(fields.Nested(PersonSchema), required=True)


class PersonQuery(StrictSchema):
    q = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Part of a name, or an exact document number (audited)"},
    )
    limit = Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None)


class DuplicateGroupSchema(ma.Schema):
    """Dumps a group of likely duplicates (a list of ``Person``: same name and birth date)."""

    name = computed(fields.String, lambda group: group[0].name, required=True)
    birth_date = computed(fields.Date, lambda group: group[0].birth_date, required=True)
    persons = computed(fields.List, list, fields.Nested(PersonSchema), required=True)


class DuplicatesSchema(ma.Schema):
    """Dumps the groups (services/persons.py ``duplicates``)."""

    groups = computed(fields.List, list, fields.Nested(DuplicateGroupSchema), required=True)


class RevealSchema(StrictSchema):
    reason = fields.String(
        required=True,
        validate=validate.Length(min=4, max=500),
        metadata={"description": "Why you need the full number; kept in the audit log"},
    )


class RevealedSchema(ma.Schema):
    person_id = fields.UUID(required=True)
    document_type = fields.String(required=True)
    document_number = fields.String(required=True)


class ResidenceCreateSchema(StrictSchema):
    person_id = fields.UUID(required=True)
    house_id = fields.UUID(required=True)
    category = fields.String(
        required=True,
        validate=validate.OneOf(RESIDENCE_CATEGORIES),
        metadata={"description": "permanent 常住, lodger 寄住, floating 流动/暂住, foreign 境外, unregistered 未落户"},
    )
    arrived_on = fields.Date(required=True)
    source = fields.String(
        validate=validate.OneOf(("worker", "self")),
        metadata={"description": "worker (default) or self (the person reported in person)"},
    )


class ResidenceUpdateSchema(StrictSchema):
    left_on = fields.Date(metadata={"description": "Records the departure and closes the residence"})
    verification = fields.String(validate=validate.OneOf(VERIFICATION_STATES))
    category = fields.String(validate=validate.OneOf(RESIDENCE_CATEGORIES))


class ResidenceSchema(ma.Schema):
    id = fields.UUID(required=True)
    version = version_field()
    person_id = fields.UUID(required=True)
    house_id = fields.UUID(required=True)
    category = fields.String(required=True)
    arrived_on = fields.Date(required=True)
    left_on = fields.Date(allow_none=True, required=True)
    current = computed(fields.Boolean, lambda r: r.left_on is None, required=True)
    source = fields.String(required=True)
    verification = fields.String(required=True)
    to_verify = computed(
        fields.Boolean,
        lambda r: r.verification == "pending",
        required=True,
        metadata={
            "description": "Reported by a landlord, not yet seen at a visit: confirm or reject it at the next visit"
        },
    )
    reported_at = fields.DateTime(required=True)
    report_due_on = computed(
        fields.Date,
        lambda r: report_due_on(r.arrived_on, reporting_rules()[1]),
        required=True,
        metadata={"description": "Last on-time day for the arrival report"},
    )
    days_late = computed(
        fields.Integer,
        lambda r: days_late_of(r.arrived_on, r.reported_at),
        required=True,
        metadata={"description": "Arrival reported this many days late (0: on time)"},
    )
    departure_reported_at = fields.DateTime(allow_none=True, required=True)
    departure_days_late = computed(fields.Integer, _departure_days_late, allow_none=True, required=True)


class ResidentSchema(ResidenceSchema):
    person = fields.Nested(PersonSchema, required=True)


class ResidentsSchema(PageSchema):
    items = fields.List(fields.Nested(ResidentSchema), required=True)


class ResidencesSchema(PageSchema):
    items = fields.List(fields.Nested(ResidenceSchema), required=True)


class ResidentsQuery(StrictSchema):
    current = fields.Boolean(metadata={"description": "true: living there now; false: moved out; omitted: all"})
    limit = Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None, metadata={"description": "The `next_cursor` of the previous page"})
