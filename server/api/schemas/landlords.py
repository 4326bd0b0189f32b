import marshmallow as ma
from marshmallow import fields, validate

from server.domain.id_numbers import DOCUMENT_TYPES
from server.domain.landlords import COMPLIANCE_KINDS
from server.domain.registry import RESIDENCE_CATEGORIES, SEXES
from server.services.landlord_accounts import shown_username

from .common import Integer, Location, PageQuery, PageSchema, Point, StrictSchema
from .persons import PersonCreateSchema, PersonSchema, ResidenceSchema
from .presenting import computed

PERMIT_NOTICE = (
    "This tenant registered outside the city and stays a month or more: they must apply for a "
    "residence permit (居住证) at the police station within 30 days of arriving."
)

_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
_phone = fields.String(required=True, validate=validate.Length(min=5, max=32))
_doc_type = fields.String(required=True, validate=validate.OneOf(DOCUMENT_TYPES))
_doc_number = fields.String(required=True, validate=validate.Length(min=1, max=40))
_sex = fields.String(
    allow_none=True,
    validate=validate.OneOf(SEXES),
    metadata={"description": "May be left out when the document number encodes it"},
)
_password = fields.String(required=True, validate=validate.Length(min=1, max=1024), metadata={"format": "password"})


class HouseClaimSchema(StrictSchema):
    address = fields.String(
        required=True,
        validate=validate.Length(min=2, max=300),
        metadata={"description": "The address as the landlord writes it, e.g. 学院路12号3单元501"},
    )
    location = fields.Nested(Location, required=True, metadata={"description": "Where the house is (WGS84)"})


class _LandlordAccount(StrictSchema):
    """The sign-in and the landlord's own identity (their person record is found or made from it)."""

    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = _password
    name = _name
    phone = _phone
    sex = _sex
    document_type = _doc_type
    document_number = _doc_number


class AccountRequestSchema(_LandlordAccount):
    houses = fields.List(fields.Nested(HouseClaimSchema), required=True, validate=validate.Length(min=1, max=50))


class LandlordCreateSchema(_LandlordAccount):
    house_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(min=1, max=200))


class ClaimSchema(ma.Schema):
    """Dumps a ``LandlordClaim`` as it is stored."""

    id = fields.UUID(required=True)
    address = fields.String(required=True, attribute="address_text")
    location = Point(allow_none=True, required=True)
    grid_id = fields.UUID(allow_none=True, required=True)
    house_id = fields.UUID(allow_none=True, required=True)
    status = fields.String(required=True, validate=validate.OneOf(("pending", "confirmed", "rejected")))
    created_at = fields.DateTime(required=True)
    decided_at = fields.DateTime(allow_none=True, required=True)


class ClaimsSchema(PageSchema):
    items = fields.List(fields.Nested(ClaimSchema), required=True)


class ClaimQuery(StrictSchema):
    status = fields.String(validate=validate.OneOf(("pending", "confirmed", "rejected")))
    limit = Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None, metadata={"description": "The `next_cursor` of the previous page"})


class ClaimDecisionSchema(StrictSchema):
    decision = fields.String(required=True, validate=validate.OneOf(("confirm", "reject")))
    house_id = fields.UUID(metadata={"description": "The registered house the claim is (required to confirm)"})


class AccountRequestViewSchema(ma.Schema):
    """Dumps a landlord ``Account`` joined with its claims (``Joined(account, claims=[...])``)."""

    account_id = fields.UUID(required=True, attribute="id")
    username = computed(
        fields.String, shown_username, required=True, metadata={"description": "The username asked for"}
    )
    name = fields.String(required=True, attribute="display_name")
    phone = fields.String(allow_none=True, required=True)
    requested_at = fields.DateTime(required=True, attribute="created_at")
    active = computed(fields.Boolean, lambda a: a.disabled_at is None, required=True)
    claims = fields.List(fields.Nested(ClaimSchema), required=True)


class PendingRequestSchema(AccountRequestViewSchema):
    username_taken = computed(
        fields.Boolean,
        lambda a: a.requested_username is not None,
        required=True,
        metadata={
            "description": "The username asked for is someone else's: activate with another (officers only see this)"
        },
    )


class AccountRequestsSchema(PageSchema):
    items = fields.List(fields.Nested(PendingRequestSchema), required=True)


class ConfirmItem(StrictSchema):
    claim_id = fields.UUID(required=True)
    house_id = fields.UUID(required=True)


class ActivationSchema(StrictSchema):
    confirm = fields.List(fields.Nested(ConfirmItem), load_default=list, validate=validate.Length(max=200))
    reject = fields.List(fields.UUID(), load_default=list, validate=validate.Length(max=200))
    username = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={
            "description": "Required when username_taken: the username the landlord will sign in with (tell them)"
        },
    )


class ComplianceSchema(ma.Schema):
    window_days = fields.Integer(required=True)
    reports_on_time = fields.Integer(required=True)
    reports_late = fields.Integer(required=True)
    missed_arrivals = fields.Integer(
        required=True, metadata={"description": "Tenants found at a visit, never reported"}
    )
    missed_departures = fields.Integer(
        required=True, metadata={"description": "Tenants found gone at a visit, departure never reported"}
    )
    agreement_signed = fields.Boolean(required=True)


class ComplianceEventSchema(ma.Schema):
    kind = fields.String(required=True, validate=validate.OneOf(COMPLIANCE_KINDS))
    occurred_on = fields.Date(required=True)
    days_late = fields.Integer(required=True)
    residence_id = fields.UUID(allow_none=True, required=True)
    recorded_at = fields.DateTime(required=True)


class HouseComplianceSchema(ma.Schema):
    """Dumps a ``House`` joined with its figures and events (``Joined(house, compliance=..., events=[...])``)."""

    house_id = fields.UUID(required=True, attribute="id")
    landlord_account_id = fields.UUID(allow_none=True, required=True)
    compliance = fields.Nested(ComplianceSchema, required=True)
    events = fields.List(fields.Nested(ComplianceEventSchema), required=True)


class HouseFiguresSchema(ComplianceSchema):
    house_id = fields.UUID(required=True)


class LandlordComplianceSchema(ma.Schema):
    landlord_account_id = fields.UUID(required=True)
    compliance = fields.Nested(
        ComplianceSchema,
        required=True,
        metadata={"description": "Over all the houses below; agreement_signed: signed for every one"},
    )
    houses = fields.List(fields.Nested(HouseFiguresSchema), required=True)


class TenantSchema(ma.Schema):
    """Dumps a current ``Residence`` joined with its person (``Joined(residence, person=p)``)."""

    residence_id = fields.UUID(required=True, attribute="id")
    person = fields.Nested(PersonSchema, required=True)
    category = fields.String(required=True)
    arrived_on = fields.Date(required=True)
    verification = fields.String(required=True)


class LandlordHouseSchema(ma.Schema):
    """Dumps a ``House`` joined with its ``Address`` and the landlord's overview of it
    (services/landlords.py ``overview``: tenants, pending reports, tier, self-checks, compliance)."""

    id = fields.UUID(required=True)
    address = fields.String(required=True, attribute="address.full_text")
    use = fields.String(required=True)
    rental_mode = fields.String(allow_none=True, required=True)
    rooms = fields.Integer(allow_none=True, required=True)
    agreement_signed_on = fields.Date(allow_none=True, required=True)
    tenants = fields.List(fields.Nested(TenantSchema), required=True)
    pending_reports = fields.Integer(
        required=True, metadata={"description": "Your reports not yet verified at a visit"}
    )
    tier = fields.String(allow_none=True, required=True, metadata={"description": "focus, uncertain or trusted"})
    last_self_check_at = fields.DateTime(allow_none=True, required=True)
    next_self_check_due = fields.Date(
        allow_none=True,
        required=True,
        metadata={"description": "When your next self-check is due (trusted rentals: monthly); null when none is owed"},
    )
    compliance = fields.Nested(ComplianceSchema, required=True)


class LandlordHousesSchema(PageSchema):
    items = fields.List(fields.Nested(LandlordHouseSchema), required=True)


class ArrivalSchema(StrictSchema):
    tenant = fields.Nested(
        PersonCreateSchema,
        required=True,
        metadata={"description": "Checked exactly like the registry; document type and number are required"},
    )
    category = fields.String(required=True, validate=validate.OneOf(RESIDENCE_CATEGORIES))
    arrived_on = fields.Date(required=True)
    expected_stay_months = Integer(allow_none=True, validate=validate.Range(min=0, max=600))

    @ma.validates_schema
    def _document_required(self, data, **kwargs):
        tenant = data.get("tenant") or {}
        missing = {
            k: ["A tenant is registered with their identity document."]
            for k in ("document_type", "document_number")
            if not tenant.get(k)
        }
        if missing:
            raise ma.ValidationError({"tenant": missing})


class DepartureSchema(StrictSchema):
    residence_id = fields.UUID(required=True)
    left_on = fields.Date(required=True)


class ReportTimingSchema(ma.Schema):
    """Dumps a report's ``Timeliness`` (domain/landlords.py)."""

    on_time = fields.Boolean(required=True)
    due_on = fields.Date(required=True)
    days_late = fields.Integer(required=True)


class ArrivalResultSchema(ma.Schema):
    """Dumps an ``ArrivalReport`` (services/landlords.py)."""

    residence = fields.Nested(ResidenceSchema, required=True)
    person = fields.Nested(PersonSchema, required=True)
    report = fields.Nested(ReportTimingSchema, required=True, attribute="timeliness")
    residence_permit_required = fields.Boolean(required=True, attribute="permit_required")
    notice = computed(
        fields.String, lambda r: PERMIT_NOTICE if r.permit_required else None, allow_none=True, required=True
    )


class DepartureResultSchema(ma.Schema):
    """Dumps a ``DepartureReport`` (services/landlords.py)."""

    residence = fields.Nested(ResidenceSchema, required=True)
    report = fields.Nested(ReportTimingSchema, required=True, attribute="timeliness")


class PermitDueSchema(ma.Schema):
    """Dumps a ``Residence`` joined with its person and permit status (``Joined(residence, person=p, status=s)``)."""

    person = fields.Nested(PersonSchema, required=True)
    residence = computed(fields.Nested, lambda r: r, ResidenceSchema, required=True)
    status = fields.String(required=True, validate=validate.OneOf(("missing", "renewal_due", "expired")))
    permit_expires_on = fields.Date(allow_none=True, required=True, attribute="person.permit_expires_on")


class PermitsDueQuery(PageQuery):
    # 200 a page by default: the first page is the whole list it was before the list paged.
    limit = Integer(load_default=200, validate=validate.Range(min=1, max=200))


class PermitsDueSchema(PageSchema):
    items = fields.List(fields.Nested(PermitDueSchema), required=True)
