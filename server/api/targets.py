"""Field-work targets: each area's indicators for one ISO week, and the houses, residences or workers
that make an indicator fall short (docs/targets.md)."""

import uuid

from flask import current_app
from flask.views import MethodView

from server.services import targets as service
from server.store.db import request_session

from . import conditional, exports, pagination
from .base import blueprint, current_actor, today
from .schemas.targets import GapPageSchema, GapsQuery, TargetsQuery, TargetsSchema

blp = blueprint("targets", "Field-work targets: coverage, data quality and workload (考核指标)")

FORMATS = (
    "JSON by default. By `Accept` header or `format=`: `text/csv` or XLSX (for gaps the whole list, up to "
    "100,000 rows; a longer list is cut there and says so in the `X-Export-Truncated` header)"
)
BOARD_COLUMNS = ["week", "group", "code", "name", "indicator", "value", "numerator", "denominator", "target", "status"]
GAP_COLUMNS = ["indicator", "week", "subject_type", "id", "grid", "address", "person_name", "worker", "details"]


def _board_rows(body: dict) -> list[list]:
    return [
        [
            body["period"]["week"],
            body["group_by"],
            g["key"]["code"],
            g["key"]["name"],
            i["id"],
            g["figures"][i["id"]]["value"],
            g["figures"][i["id"]]["numerator"],
            g["figures"][i["id"]]["denominator"],
            f"{i['target']['op']} {i['target']['value']:g}",
            g["figures"][i["id"]]["status"],
        ]
        for g in body["groups"]
        for i in body["indicators"]
    ]


def _gap_row(indicator: str, week: str, item: dict) -> list:
    details = "; ".join(f"{k}={v}" for k, v in item["details"].items() if v not in (None, []))
    return [
        indicator,
        week,
        item["subject_type"],
        str(item["id"]),
        item["grid"]["code"] if item["grid"] else None,
        item["address"],
        item["person_name"],
        item["worker"]["username"] if item["worker"] else None,
        details,
    ]


_CSV = {"schema": {"type": "string"}, "content_type": exports.CSV, "success": True, "description": FORMATS}
_XLSX = {
    "schema": {"type": "string", "format": "binary"},
    "content_type": exports.XLSX,
    "success": True,
    "description": FORMATS,
}


@blp.route("/targets", parameters=[conditional.IF_NONE_MATCH])
class Targets(MethodView):
    @blp.arguments(TargetsQuery, location="query")
    @blp.response(200, TargetsSchema, headers=conditional.HEADERS)
    @blp.alt_response(200, **_CSV)
    @blp.alt_response(200, **_XLSX)
    @blp.alt_response(304, description=conditional.NOT_MODIFIED)
    def get(self, args):
        """Each area's indicators for one ISO week: value, numerator, denominator, target, met or short.

        The JSON answer carries a weak ETag; send it back as If-None-Match and an unchanged board is a 304."""
        actor = current_actor()
        body = service.board(request_session(), actor, group_by=args["group_by"], period=args["period"], today=today())
        fmt = exports.wanted(args.get("format"))
        name = f"targets-{body['group_by']}-{body['period']['week']}"
        if fmt == "csv":
            return exports.csv_response(BOARD_COLUMNS, _board_rows(body), name)
        if fmt == "xlsx":
            return exports.xlsx_response(BOARD_COLUMNS, _board_rows(body), name, "targets")
        return conditional.by_content(actor, current_app.json.response(TargetsSchema().dump(body)))


@blp.route("/targets/<string:indicator>/gaps")
class TargetGaps(MethodView):
    @blp.arguments(GapsQuery, location="query")
    @blp.response(200, GapPageSchema)
    @blp.alt_response(200, **_CSV)
    @blp.alt_response(200, **_XLSX)
    @blp.alt_response(404, description="Unknown indicator, or a grid unknown or outside your area")
    def get(self, args, indicator: str):
        """The houses, residences, workers or grids that make an indicator fall short (persons masked, audited)."""
        fmt = exports.wanted(args.get("format"))
        export = fmt in ("csv", "xlsx")
        cursor = None if export else pagination.decode(args["cursor"], (uuid.UUID,))
        after = cursor[0] if cursor else None
        found, period, items = service.gaps(
            request_session(),
            current_actor(),
            indicator,
            grid=args.get("grid"),
            period=args["period"],
            today=today(),
            after=after,
            limit=args["limit"] + 1,
            export=export,
        )
        if export:
            rows, headers = exports.capped(items, service.EXPORT_LIMIT)
            table = [_gap_row(found.id, period.label, i) for i in rows]
            name = f"target-gaps-{found.id}-{period.label}"
            if fmt == "csv":
                return exports.csv_response(GAP_COLUMNS, table, name, headers)
            return exports.xlsx_response(GAP_COLUMNS, table, name, "gaps", headers)
        page = pagination.respond(items, args["limit"], key=lambda i: [str(i["id"])], present=list)
        return page | {"indicator": found.id, "period": service.period_view(period)}
