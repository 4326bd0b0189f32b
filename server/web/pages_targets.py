"""The targets board (committee heads, station chiefs and police, administrators): each area's indicators in
green (met) or red (short) with their last 12 weeks drawn as a small chart, and a click through to the gaps.

Both pages call the targets service the API calls (``targets.trend``: the week's ``board`` and the earlier weeks'
stored counts, ``targets.gaps``), so they show the API's scope, masking and audit rows. The board shows
``AREAS_PAGE`` areas at a time."""

from __future__ import annotations

import uuid

import marshmallow as ma
from flask import g, render_template, request, url_for

from server.api import pagination
from server.api.base import today
from server.api.schemas.targets import GapSchema, GapsQuery
from server.errors import load_or_refuse
from server.services import targets as service
from server.store.db import request_session

from . import bp
from .sparkline import sparkline

PAGE = 50
# areas per page of the board: 25 areas x 7 indicators with their charts render in well under 300 ms, where a
# station's 110 grids on one page took 1.6 s (docs/performance.md)
AREAS_PAGE = 25
WEEKS = service.TREND_WEEKS
BOARD_GROUPS = ("grid", "community", "station")
# the area each role is responsible for, as the board's first view
DEFAULT_GROUP = {"committee": "community", "police": "station", "admin": "station", "grid_worker": "grid"}
_gaps = GapSchema(many=True)


class BoardQuery(ma.Schema):
    group_by = ma.fields.String(validate=ma.validate.OneOf(BOARD_GROUPS))
    period = ma.fields.String(load_default=None, validate=ma.validate.Length(max=8))
    cursor = ma.fields.String(load_default=None, validate=ma.validate.Length(max=400))


def _load(schema: ma.Schema, keys: tuple[str, ...]) -> dict:
    return load_or_refuse(schema, {k: v for k, v in request.args.items() if v != "" and k in keys})


@bp.route("/targets")
def targets_board():
    args = _load(BoardQuery(), ("group_by", "period", "cursor"))
    group_by = args.get("group_by") or DEFAULT_GROUP.get(g.actor.role or "", "grid")
    after = pagination.decode(args["cursor"], (str, str))
    body, series = service.trend(
        request_session(),
        g.actor,
        group_by=group_by,
        period=args["period"],
        today=today(),
        weeks=WEEKS,
        after=(after[0], after[1]) if after else None,
        limit=AREAS_PAGE + 1,  # one more: is there a next page
    )
    week = body["period"]["week"]
    shown = body["groups"][:AREAS_PAGE]
    next_url = None
    if len(body["groups"]) > AREAS_PAGE:
        cursor = pagination.encode(list(service.group_order(shown[-1])))
        next_url = url_for("web.targets_board", group_by=group_by, period=week, cursor=cursor)
    groups = []
    for group in shown:
        rows = []
        for indicator in body["indicators"]:
            figure = group["figures"][indicator["id"]]
            gaps = {"indicator": indicator["id"], "period": week}
            if group_by == "grid":
                gaps["grid"] = group["key"]["code"]
            rows.append(
                {
                    "indicator": indicator,
                    "figure": figure,
                    "chart": sparkline(series[group["key"]["id"]][indicator["id"]], indicator["target"]),
                    "gaps_url": url_for("web.target_gaps", **gaps),
                }
            )
        groups.append({"key": group["key"], "rows": rows, "short": sum(r["figure"]["status"] == "short" for r in rows)})
    first_url = url_for("web.targets_board", group_by=group_by, period=week) if after else None
    return render_template(
        "targets.html",
        body=body,
        groups=groups,
        group_by=group_by,
        groups_choice=BOARD_GROUPS,
        next_url=next_url,
        first_url=first_url,
    )


@bp.route("/targets/<string:indicator>/gaps")
def target_gaps(indicator: str):
    """What makes one indicator fall short, paged: persons masked and each page of residences audited (the
    service does both, as for GET /api/v1/targets/{indicator}/gaps)."""
    args = _load(GapsQuery(), ("grid", "period", "cursor"))
    cursor = pagination.decode(args["cursor"], (uuid.UUID,))
    found, period, items = service.gaps(
        request_session(),
        g.actor,
        indicator,
        grid=args.get("grid"),
        period=args["period"],
        today=today(),
        after=cursor[0] if cursor else None,
        limit=PAGE + 1,
    )
    page = pagination.page_of(items, PAGE, key=lambda i: [str(i["id"])])
    keep = {k: args[k] for k in ("grid",) if args.get(k)} | {"period": period.label}
    next_url = (
        url_for("web.target_gaps", indicator=found.id, cursor=page["next_cursor"], **keep)
        if page["next_cursor"]
        else None
    )
    return render_template(
        "target_gaps.html",
        indicator=found,
        period=service.period_view(period),
        grid=args.get("grid"),
        items=_gaps.dump(page["items"]),
        subject=found.gap_subject,
        next_url=next_url,
        board_url=url_for("web.targets_board", period=period.label, group_by="grid" if args.get("grid") else None),
    )
