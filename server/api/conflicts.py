import uuid

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields, validate

from server.domain.privacy import mask_properties
from server.services import conflicts as service
from server.store.db import request_session

from . import pagination
from .base import blueprint, current_actor, today
from .schemas.common import Integer, PageSchema, StrictSchema
from .schemas.presenting import Joined, computed, masked_text

blp = blueprint("conflicts", "Conflicts between submissions and the registry")


class ConflictSchema(ma.Schema):
    id = fields.UUID(required=True)
    record_type = fields.String(required=True)
    record_id = fields.UUID(required=True)
    instance_id = fields.UUID(required=True, metadata={"description": "The submission that raised it"})
    base_version = fields.Integer(required=True)
    current_version = fields.Integer(required=True)
    properties = computed(
        fields.Dict,
        lambda c: mask_properties(c.properties),
        required=True,
        metadata={"description": "{property: {current, submitted}}"},
    )
    status = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    resolved_at = fields.DateTime(allow_none=True, required=True)
    resolution = computed(fields.Dict, lambda c: masked_text(c.resolution), allow_none=True, required=True)


class ConflictPageSchema(PageSchema):
    items = fields.List(fields.Nested(ConflictSchema), required=True)


class ConflictQuery(StrictSchema):
    status = fields.String(validate=validate.OneOf(("open", "resolved")))
    limit = Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None)


class ResolutionSchema(StrictSchema):
    choose = fields.Dict(
        required=True,
        keys=fields.String(validate=validate.Length(min=1, max=64)),
        values=fields.String(validate=validate.OneOf(("current", "submitted"))),
        metadata={
            "description": "Every conflicting property: 'current' keeps the registry's "
            "value, 'submitted' takes the phone's"
        },
    )
    note = fields.String(allow_none=True, validate=validate.Length(max=1000))
    current_version = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=1),
        metadata={
            "description": "The record's version you decided against (current_version of GET /conflicts/{id}); if the "
            "record changed since, 409 conflict.stale with its current values. Without it, each "
            "property you take must still hold the value the conflict was raised against"
        },
    )


@blp.route("/conflicts")
class Conflicts(MethodView):
    @blp.arguments(ConflictQuery, location="query")
    @blp.response(200, ConflictPageSchema)
    def get(self, args):
        """Conflicts in your area (oldest first)."""
        after = pagination.decode_one(args["cursor"], uuid.UUID)
        session = request_session()
        actor = current_actor()
        rows = service.page(session, actor, status=args.get("status"), after=after, limit=args["limit"] + 1)
        return pagination.respond(
            rows,
            args["limit"],
            key=lambda c: [str(c.id)],
            present=lambda page: [_shown(session, actor, c) for c in page],
        )


@blp.route("/conflicts/<uuid:conflict_id>")
class ConflictView(MethodView):
    @blp.response(200, ConflictSchema)
    @blp.alt_response(404, description="Unknown or outside your area")
    def get(self, conflict_id: uuid.UUID):
        """One conflict: which properties, both values (while open: the record's values now)."""
        session = request_session()
        actor = current_actor()
        return _shown(session, actor, service.get(session, actor, conflict_id))


@blp.route("/conflicts/<uuid:conflict_id>/resolution")
class Resolution(MethodView):
    @blp.arguments(ResolutionSchema)
    @blp.response(200, ConflictSchema)
    @blp.alt_response(404, description="Unknown or outside your area")
    @blp.alt_response(
        409,
        description="Already resolved (conflict.resolved), or the record changed since it was "
        "shown (conflict.stale: current_version and properties with its values now)",
    )
    def post(self, body, conflict_id: uuid.UUID):
        """Resolve a conflict, choosing per property (officers)."""
        session = request_session()
        actor = current_actor()
        row = service.get(session, actor, conflict_id, audited=False)
        return service.resolve(session, actor, row, today=today(), **body)


def _shown(session, actor, row) -> Joined:
    """An open conflict shows the record's current values and version, as the officer must decide on them."""
    now = service.shown(session, actor, row)
    return Joined(row, properties=now.properties, current_version=now.current_version)
