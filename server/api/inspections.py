"""Due lists: what the caller must inspect, and counts overdue / due today / upcoming."""

import uuid
from datetime import date

from flask import current_app
from flask.views import MethodView

from server.services import inspections as service
from server.store import geometry
from server.store.db import request_session

from . import conditional, exports, geojson, pagination
from .base import blueprint, current_actor, today
from .schemas.due_rows import dump_page, dump_summary
from .schemas.tiers import DuePageSchema, DueQuery, SummaryQuery, SummarySchema

blp = blueprint("inspections", "Inspection schedules and due lists")

FORMATS = (
    "A page of JSON by default. By `Accept` header or `format=`: `text/csv` or XLSX (the whole list, "
    "up to 100,000 rows; a longer list is cut there and says so in the `X-Export-Truncated` header), "
    "`application/geo+json` (the page as points)"
)

COLUMNS = [
    "status",
    "days_overdue",
    "due_on",
    "tier",
    "role",
    "subject_type",
    "address",
    "grid",
    "unit_name",
    "last_visit_at",
    "reasons",
    "house_id",
    "unit_id",
]


def _row(item: dict) -> list:
    return [
        item["status"],
        item["days_overdue"],
        item["due_on"].isoformat(),
        item["tier"],
        item["role"],
        item["subject_type"],
        item["address"]["full_text"],
        item["grid"]["code"],
        item["unit_name"],
        item["last_visit_at"].isoformat() if item["last_visit_at"] else None,
        "; ".join(r["description"]["zh"] for r in item["reasons"]),
        str(item["house_id"]) if item["house_id"] else None,
        str(item["unit_id"]) if item["unit_id"] else None,
    ]


@blp.route("/inspections/due", parameters=[conditional.IF_NONE_MATCH])
class Due(MethodView):
    @blp.arguments(DueQuery, location="query")
    @blp.response(200, DuePageSchema, headers=conditional.HEADERS)
    @blp.alt_response(200, schema={"type": "string"}, content_type=exports.CSV, success=True, description=FORMATS)
    @blp.alt_response(
        200, schema={"type": "string", "format": "binary"}, content_type=exports.XLSX, success=True, description=FORMATS
    )
    @geojson.alternative(blp, FORMATS)
    @blp.alt_response(304, description=conditional.NOT_MODIFIED)
    def get(self, args):
        """Inspections you must do, most overdue first (JSON pages; CSV, XLSX or GeoJSON on request).

        A page carries a weak ETag; send it back as If-None-Match and an unchanged page is a 304."""
        session = request_session()
        actor = current_actor()
        fmt = exports.wanted(args.get("format"))
        export = fmt in ("csv", "xlsx")
        after = None if export else pagination.decode(args["cursor"], (date.fromisoformat, uuid.UUID))
        filters = {k: args.get(k) for k in ("status", "within_days", "tier", "grid", "role")}
        if not export:  # unchanged since this process last tagged this page: 304 without reading it
            at = conditional.key(actor, service.commit_marker(session, actor), today(), fmt)
            unchanged = conditional.known_unchanged(at)
            if unchanged is not None:
                return unchanged
        items = service.due(
            session, actor, today=today(), after=after, limit=args["limit"] + 1, export=export, **filters
        )
        if export:
            rows, headers = exports.capped(items, service.EXPORT_LIMIT)
            if fmt == "csv":
                return exports.csv_response(COLUMNS, [_row(i) for i in rows], "inspections-due", headers)
            return exports.xlsx_response(COLUMNS, [_row(i) for i in rows], "inspections-due", "due", headers)
        tag = conditional.etag(actor, (fmt, items))
        conditional.remember(at, tag)
        unchanged = conditional.not_modified(tag)
        if unchanged is not None:
            return unchanged
        if fmt == "geojson":
            return conditional.tagged(
                pagination.respond(
                    items,
                    args["limit"],
                    key=lambda i: [i["due_on"].isoformat(), str(i["id"])],
                    as_geojson=True,
                    geometry=lambda item: geometry.lonlat_to_geojson(item["address"]["location"]),
                ),
                tag,
            )
        page = pagination.page_of(items, args["limit"], key=lambda i: [i["due_on"].isoformat(), str(i["id"])])
        return conditional.tagged(current_app.json.response(dump_page(page)), tag)


@blp.route("/inspections/summary", parameters=[conditional.IF_NONE_MATCH])
class Summary(MethodView):
    @blp.arguments(SummaryQuery, location="query")
    @blp.response(200, SummarySchema, headers=conditional.HEADERS)
    @blp.alt_response(304, description=conditional.NOT_MODIFIED)
    def get(self, args):
        """Counts of inspections overdue, due today and upcoming in your area, by grid, tier or role.

        The answer carries a weak ETag; send it back as If-None-Match and an unchanged one is a 304."""
        session = request_session()
        actor = current_actor()
        at = conditional.key(actor, service.commit_marker(session, actor), today())
        unchanged = conditional.known_unchanged(at)
        if unchanged is not None:
            return unchanged
        rows = service.summary(
            session,
            actor,
            today=today(),
            group_by=args["group_by"],
            tier=args.get("tier"),
            grid=args.get("grid"),
            role=args.get("role"),
        )
        total = {
            "key": "total",
            "grid": None,
            **{k: sum(r[k] for r in rows) for k in ("overdue", "due_today", "upcoming")},
        }
        tag = conditional.etag(actor, (today(), rows))
        conditional.remember(at, tag)
        unchanged = conditional.not_modified(tag)
        if unchanged is not None:
            return unchanged
        answer = {"group_by": args["group_by"], "today": today(), "rows": rows, "total": total}
        return conditional.tagged(current_app.json.response(dump_summary(answer)), tag)
