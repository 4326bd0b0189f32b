"""Identities to confirm (decision 0008): a document number typed for someone
registered outside the caller's area, for the police of either area to decide."""

import uuid

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields, validate

from server.services import identities as service
from server.store.db import request_session

from . import pagination
from .base import blueprint, current_actor
from .schemas.common import PageSchema, StrictSchema
from .schemas.persons import PersonSchema
from .schemas.presenting import computed, masked_number, masked_text, ref, related

blp = blueprint("identities", "Identities to confirm: document numbers typed for people registered elsewhere")


class IdentityCheckSchema(ma.Schema):
    id = fields.UUID(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("open", "same_person", "different_person")))
    source = fields.String(
        required=True,
        metadata={"description": "submission, landlord_report, person_create, person_update or landlord_account"},
    )
    document_type = fields.String(required=True)
    document_number_masked = computed(fields.String, lambda c: masked_number(c.document_number), required=True)
    typed = fields.Dict(required=True, metadata={"description": "What the caller typed (name, sex, birth date...)"})
    provisional_person = ref(
        PersonSchema,
        "person",
        "provisional_person_id",
        allow_none=True,
        required=True,
        metadata={"description": "The caller's record of what they typed (gone once merged)"},
    )
    registered_person = ref(
        PersonSchema,
        "person",
        "matched_person_id",
        required=True,
        metadata={"description": "The person registered with this number"},
    )
    house_id = fields.UUID(allow_none=True, required=True)
    instance_id = fields.UUID(allow_none=True, required=True)
    raised_by = fields.UUID(allow_none=True, required=True)
    raised_role = fields.String(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    decided_at = fields.DateTime(allow_none=True, required=True)
    decided_by = fields.UUID(allow_none=True, required=True)
    note = computed(fields.String, lambda c: masked_text(c.note), allow_none=True, required=True)


class IdentityCheckPageSchema(PageSchema):
    items = fields.List(fields.Nested(IdentityCheckSchema), required=True)


class IdentityQuery(StrictSchema):
    status = fields.String(validate=validate.OneOf(("open", "same_person", "different_person")))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None)


class DecisionSchema(StrictSchema):
    decision = fields.String(
        required=True,
        validate=validate.OneOf(("same_person", "different_person")),
        metadata={
            "description": "same_person: link the caller's record to the registered person (disagreeing values "
            "become a conflict); different_person: keep the caller's record as typed"
        },
    )
    note = fields.String(allow_none=True, validate=validate.Length(max=1000))


@blp.route("/identity-checks")
class IdentityChecks(MethodView):
    @blp.arguments(IdentityQuery, location="query")
    @blp.response(200, IdentityCheckPageSchema)
    def get(self, args):
        """Identities to confirm of your station's area, raised there or about a person living there (police, admins)."""  # noqa: E501 (one-line summary)
        session, actor = request_session(), current_actor()
        after = pagination.decode_one(args["cursor"], uuid.UUID)
        rows = service.page(session, actor, status=args.get("status"), after=after, limit=args["limit"] + 1)
        return pagination.respond(rows, args["limit"], key=lambda c: [str(c.id)], present=_with_persons)


def _with_persons(checks):
    """A page of identity checks: both persons of each fetched for the page at once."""
    related().prefetch("person", [i for c in checks for i in (c.provisional_person_id, c.matched_person_id)])
    return checks


@blp.route("/identity-checks/<uuid:check_id>")
class IdentityCheckView(MethodView):
    @blp.response(200, IdentityCheckSchema)
    @blp.alt_response(404, description="Unknown or outside your area")
    def get(self, check_id: uuid.UUID):
        """One identity to confirm: what was typed, and the person registered with the number."""
        session, actor = request_session(), current_actor()
        return service.get(session, actor, check_id)


@blp.route("/identity-checks/<uuid:check_id>/decision")
class Decision(MethodView):
    @blp.arguments(DecisionSchema)
    @blp.response(200, IdentityCheckSchema)
    @blp.alt_response(404, description="Unknown or outside your area")
    @blp.alt_response(409, description="Already decided")
    def post(self, body, check_id: uuid.UUID):
        """Decide whether the typed identity is the registered person (police, admins)."""
        session, actor = request_session(), current_actor()
        row = service.get(session, actor, check_id, audited=False)
        return service.decide(session, actor, row, **body)
