"""The audit log: who read or changed whose personal data, when and why."""

import datetime as dt

import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from marshmallow import fields, validate

from server.services import audit_log as service
from server.store.db import request_session

from . import exports, pagination
from .base import blueprint, current_actor
from .schemas.common import PageSchema, StrictSchema
from .schemas.visits import DayOrTime

blp = blueprint("audit", "The audit log (administrators; police within their station)")

FORMATS = (
    "A page of JSON by default. With `Accept: text/csv` or `format=csv`: the whole filtered log "
    "(up to 100,000 rows, newest first; a longer log is cut there and says so in the `X-Export-Truncated` "
    "header)"
)
EXPORT_LIMIT = 100_000
COLUMNS = [
    "at",
    "actor_id",
    "actor_username",
    "actor_role",
    "action",
    "subject_type",
    "subject_ids",
    "person_ids",
    "fields",
    "purpose",
    "request_id",
    "client_addr",
    "details",
]


class AuditQuery(StrictSchema):
    person = fields.UUID(metadata={"description": "Events that read or changed this person's data"})
    actor = fields.UUID(metadata={"description": "Events by this account"})
    action = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "An action (person.read), or a family of them (person.*)"},
    )
    from_ = DayOrTime(
        data_key="from",
        metadata={"type": "string", "description": "From this day (local calendar day) or instant (inclusive)"},
    )
    to = DayOrTime(
        metadata={
            "type": "string",
            "description": "Up to this day (inclusive, local calendar day) or instant (exclusive)",
        }
    )
    format = fields.String(validate=validate.OneOf(("json", "csv")), metadata={"description": FORMATS})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = fields.String(load_default=None, metadata={"description": "The `next_cursor` of the previous page"})


class AuditEventSchema(ma.Schema):
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor = fields.Dict(allow_none=True, required=True, metadata={"description": "{id, username, role}"})
    action = fields.String(required=True)
    subject_type = fields.String(allow_none=True, required=True)
    subject_ids = fields.List(fields.String(), required=True)
    person_ids = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Whose data was shown or changed when the subject is another record"},
    )
    fields_ = fields.List(
        fields.String(),
        data_key="fields",
        required=True,
        metadata={"description": "Which fields were shown or changed"},
    )
    purpose = fields.String(allow_none=True, required=True)
    request_id = fields.String(allow_none=True, required=True)
    client_addr = fields.String(allow_none=True, required=True)
    details = fields.Dict(required=True)


class AuditPageSchema(PageSchema):
    items = fields.List(fields.Nested(AuditEventSchema), required=True)


def _bound(value, *, end: bool):
    if value is None or isinstance(value, dt.datetime):
        return value
    from zoneinfo import ZoneInfo

    day = value + dt.timedelta(days=1) if end else value
    return dt.datetime.combine(day, dt.time(), ZoneInfo(current_app.config["TIMEZONE"]))


def _view(row, names) -> dict:
    """Reasons and details are free text: a number typed there is masked like any other."""
    from server.domain.privacy import mask_in_text, mask_in_values

    return {
        "id": row.id,
        "at": row.at,
        "actor": {"id": row.actor_id, "username": names.get(row.actor_id), "role": row.actor_role}
        if row.actor_id or row.actor_role
        else None,
        "action": row.action,
        "subject_type": row.subject_type,
        "subject_ids": list(row.subject_ids or []),
        "person_ids": list(row.person_ids or []),
        "fields_": list(row.fields or []),
        "purpose": mask_in_text(row.purpose),
        "request_id": row.request_id,
        "client_addr": str(row.client_addr) if row.client_addr else None,
        "details": mask_in_values(row.details or {}),
    }


def _row(item: dict) -> list:
    import json

    actor = item["actor"] or {}
    return [
        item["at"].isoformat(),
        str(actor.get("id") or ""),
        actor.get("username"),
        actor.get("role"),
        item["action"],
        item["subject_type"],
        " ".join(item["subject_ids"]),
        " ".join(item["person_ids"]),
        " ".join(item["fields_"]),
        item["purpose"],
        item["request_id"],
        item["client_addr"],
        json.dumps(item["details"], ensure_ascii=False, sort_keys=True, default=str),
    ]


@blp.route("/audit-events")
class AuditEvents(MethodView):
    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, AuditPageSchema)
    @blp.alt_response(200, schema={"type": "string"}, content_type=exports.CSV, success=True, description=FORMATS)
    @blp.alt_response(404, description="person: unknown or outside your area")
    def get(self, args):
        """Who read or changed whose personal data, newest first (administrators; police within their station)."""
        session = request_session()
        fmt = args.get("format") or ("csv" if exports.wanted(None) == "csv" else "json")
        export = fmt == "csv"
        after = None if export else pagination.decode_one(args["cursor"], int)
        rows = service.events(
            session,
            current_actor(),
            person=args.get("person"),
            actor_id=args.get("actor"),
            action=args.get("action"),
            since=_bound(args.get("from_"), end=False),
            until=_bound(args.get("to"), end=True),
            after=after,
            limit=(EXPORT_LIMIT if export else args["limit"]) + 1,
        )
        if export:
            rows, headers = exports.capped(rows, EXPORT_LIMIT)
        names = service.usernames(session, rows)
        if export:
            return exports.csv_response(COLUMNS, [_row(_view(r, names)) for r in rows], "audit-events", headers)
        return pagination.respond(
            rows, args["limit"], key=lambda r: [r.id], present=lambda p: [_view(r, names) for r in p]
        )
