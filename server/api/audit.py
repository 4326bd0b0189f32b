"""The audit log: who read or changed whose personal data, when and why."""

import datetime as dt
import json

from flask import current_app
from flask.views import MethodView

from server.services import audit_log as service
from server.store.db import request_session

from . import exports, pagination
from .base import blueprint, current_actor
from .schemas.audit import FORMATS, AuditEventSchema, AuditPageSchema, AuditQuery
from .schemas.presenting import related

blp = blueprint("audit", "The audit log (administrators; police within their station)")

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


def _bound(value, *, end: bool):
    if value is None or isinstance(value, dt.datetime):
        return value
    from zoneinfo import ZoneInfo

    day = value + dt.timedelta(days=1) if end else value
    return dt.datetime.combine(day, dt.time(), ZoneInfo(current_app.config["TIMEZONE"]))


def present_events(rows: list) -> list:
    """Audit events as AuditEventSchema shows them: the accounts that acted fetched for all of them at once."""
    related().prefetch("account", [r.actor_id for r in rows])
    return rows


def _row(item: dict) -> list:
    """An event as AuditEventSchema dumped it, as a CSV row."""
    actor = item["actor"] or {}
    return [
        item["at"],
        str(actor.get("id") or ""),
        actor.get("username"),
        actor.get("role"),
        item["action"],
        item["subject_type"],
        " ".join(item["subject_ids"]),
        " ".join(item["person_ids"]),
        " ".join(item["fields"]),
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
            limit=EXPORT_LIMIT if export else args["limit"],
        )
        if export:
            rows, headers = exports.capped(rows, EXPORT_LIMIT)
        if export:
            items = AuditEventSchema(many=True).dump(present_events(rows))
            return exports.csv_response(COLUMNS, [_row(item) for item in items], "audit-events", headers)
        return pagination.respond(rows, args["limit"], key=lambda r: [r.id], present=present_events)
