import marshmallow as ma
from marshmallow import fields, validate

from server.domain.houses import RENTAL_MODES, USES

from .addresses import AddressSchema
from .common import AreaRef, Integer, PageSchema, StrictSchema, version_field
from .presenting import computed, masked_text, ref

_fields = {
    "use": fields.String(validate=validate.OneOf(USES)),
    "rental_mode": fields.String(
        allow_none=True,
        validate=validate.OneOf(RENTAL_MODES),
        metadata={"description": "For rented houses: whole, shared (合租) or by_bed (按床位)"},
    ),
    "rooms": Integer(allow_none=True, validate=validate.Range(min=0, max=500)),
    "floor_area_m2": fields.Float(
        allow_none=True,
        allow_nan=False,
        validate=validate.Range(min=0, max=100000),
        metadata={"description": "Square metres, kept to 2 decimals"},
    ),
    "rented_since": fields.Date(allow_none=True),
    "landlord_person_id": fields.UUID(allow_none=True),
    "landlord_account_id": fields.UUID(allow_none=True),
    "agreement_signed_on": fields.Date(
        allow_none=True,
        metadata={
            "description": "When the landlord signed the safety-responsibility agreement (治安责任书); null: not signed"
        },
    ),
    "note": fields.String(allow_none=True, validate=validate.Length(max=2000)),
}


class _HouseFacts(StrictSchema):
    rental_mode = _fields["rental_mode"]
    rooms = _fields["rooms"]
    floor_area_m2 = _fields["floor_area_m2"]
    rented_since = _fields["rented_since"]
    landlord_person_id = _fields["landlord_person_id"]
    landlord_account_id = _fields["landlord_account_id"]
    agreement_signed_on = _fields["agreement_signed_on"]
    note = _fields["note"]


class HouseCreateSchema(_HouseFacts):
    address_id = fields.UUID(required=True)
    use = fields.String(required=True, validate=validate.OneOf(USES))


class HouseUpdateSchema(_HouseFacts):
    use = _fields["use"]


class HouseSchema(ma.Schema):
    id = fields.UUID(required=True)
    version = version_field()
    address = ref(AddressSchema, "address", "address_id", required=True)
    grid = ref(AreaRef, "grid", "grid_id", required=True)
    use = fields.String(required=True)
    rental_mode = fields.String(allow_none=True, required=True)
    rooms = fields.Integer(allow_none=True, required=True)
    floor_area_m2 = fields.Float(allow_none=True, required=True)
    rented_since = fields.Date(allow_none=True, required=True)
    landlord_person_id = fields.UUID(allow_none=True, required=True)
    landlord_account_id = fields.UUID(allow_none=True, required=True)
    agreement_signed_on = fields.Date(allow_none=True, required=True)
    note = computed(fields.String, lambda h: masked_text(h.note), allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class HousePageSchema(PageSchema):
    items = fields.List(fields.Nested(HouseSchema), required=True)


class HouseQuery(StrictSchema):
    grid = fields.String(validate=validate.Length(min=1, max=32))
    use = fields.String(validate=validate.OneOf(USES))
    q = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "Part of the address text"})
    limit = Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None)
