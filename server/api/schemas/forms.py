import marshmallow as ma
from marshmallow import fields

from server.domain.forms.definition import form_to_dict

from .common import PageSchema
from .presenting import computed


class FormSummarySchema(ma.Schema):
    """Dumps a ``Form`` (domain/forms/definition.py), the whole form as its ``definition``."""

    id = fields.String(required=True)
    version = fields.String(required=True)
    title = fields.Dict(required=True, metadata={"description": "{zh, en}"})
    subject = fields.String(required=True, metadata={"description": "address | house | unit | none"})
    kind = fields.String(
        required=True, metadata={"description": "registration | visit | inspection | self_check | report"}
    )
    roles = fields.List(fields.String(), required=True)
    definition = computed(
        fields.Dict,
        form_to_dict,
        required=True,
        metadata={"description": "The whole form: fields, choices, expressions (XLSForm syntax), bindings"},
    )


class FormListSchema(PageSchema):
    items = fields.List(fields.Nested(FormSummarySchema), required=True)
