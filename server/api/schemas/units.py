import marshmallow as ma
from marshmallow import fields, validate

from server.domain.registry import UNIT_KINDS
from server.domain.reporting import report_due_on

from .addresses import AddressSchema
from .common import AreaRef, Integer, PageSchema, StrictSchema, version_field
from .persons import PersonSchema, days_late_of
from .presenting import computed, ref, reporting_rules

_kind = fields.String(validate=validate.OneOf(UNIT_KINDS))


class UnitCreateSchema(StrictSchema):
    address_id = fields.UUID(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(UNIT_KINDS))
    responsible_person_id = fields.UUID(allow_none=True)
    phone = fields.String(allow_none=True, validate=validate.Length(max=32))


class UnitUpdateSchema(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    kind = _kind
    responsible_person_id = fields.UUID(allow_none=True)
    phone = fields.String(allow_none=True, validate=validate.Length(max=32))


class UnitSchema(ma.Schema):
    id = fields.UUID(required=True)
    version = version_field()
    name = fields.String(required=True)
    kind = fields.String(required=True)
    address = ref(AddressSchema, "address", "address_id", required=True)
    grid = ref(AreaRef, "grid", "grid_id", required=True)
    responsible_person_id = fields.UUID(allow_none=True, required=True)
    phone = fields.String(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)


class UnitPageSchema(PageSchema):
    items = fields.List(fields.Nested(UnitSchema), required=True)


class UnitQuery(StrictSchema):
    grid = fields.String(validate=validate.Length(min=1, max=32))
    kind = _kind
    q = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "Part of the name"})
    limit = Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None)


class EmploymentCreateSchema(StrictSchema):
    person_id = fields.UUID(required=True)
    started_on = fields.Date(required=True)


class EmploymentEndSchema(StrictSchema):
    ended_on = fields.Date(required=True)


class EmploymentSchema(ma.Schema):
    id = fields.UUID(required=True)
    unit_id = fields.UUID(required=True)
    person_id = fields.UUID(required=True)
    started_on = fields.Date(required=True)
    ended_on = fields.Date(allow_none=True, required=True)
    current = computed(fields.Boolean, lambda e: e.ended_on is None, required=True)
    reported_at = fields.DateTime(required=True)
    report_due_on = computed(fields.Date, lambda e: report_due_on(e.started_on, reporting_rules()[1]), required=True)
    days_late = computed(fields.Integer, lambda e: days_late_of(e.started_on, e.reported_at), required=True)


class EmployeeSchema(EmploymentSchema):
    person = fields.Nested(PersonSchema, required=True)


class EmployeesSchema(PageSchema):
    items = fields.List(fields.Nested(EmployeeSchema), required=True)


class EmployeesQuery(StrictSchema):
    current = fields.Boolean()
    limit = Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None, metadata={"description": "The `next_cursor` of the previous page"})
