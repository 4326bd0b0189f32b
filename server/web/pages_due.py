"""Due lists (police, committee, grid workers, admins): most overdue first, filtered, paged, downloadable."""

from __future__ import annotations

import uuid
from datetime import date

from flask import g, render_template, request, url_for

from server.api import exports, pagination
from server.api.base import today
from server.api.inspections import COLUMNS, _row
from server.api.schemas.tiers import HOUSE_TIERS, STATUSES, DueQuery
from server.errors import ValidationFailed, load_or_refuse
from server.services import areas as area_service
from server.services import inspections as service
from server.store.db import request_session

from . import bp

PAGE = 50
FILTERS = ("status", "tier", "grid")


def due_args() -> dict:
    """The filters as the API reads them (the same schema): empty fields mean no filter."""
    return load_or_refuse(
        DueQuery(), {k: v for k, v in request.args.items() if v != "" and k in (*FILTERS, "cursor", "format")}
    )


def grid_choices(session, actor) -> list:
    """The grids the caller may filter by (their area's; a station has tens, never thousands)."""
    return area_service.list_grids(session, actor, limit=500)[:500]


@bp.route("/due")
def due():
    session, actor = request_session(), g.actor
    args = due_args()
    filters = {k: args.get(k) for k in FILTERS}
    after = pagination.decode(args["cursor"], (date.fromisoformat, uuid.UUID))
    rows = service.due(session, actor, today=today(), after=after, limit=PAGE + 1, **filters)
    items = rows[:PAGE]
    next_url = None
    if len(rows) > PAGE:
        last = items[-1]
        cursor = pagination.encode([last["due_on"].isoformat(), str(last["id"])])
        next_url = url_for("web.due", **{k: v for k, v in filters.items() if v}, cursor=cursor)
    return render_template(
        "due.html",
        items=items,
        filters=filters,
        statuses=STATUSES,
        tiers=HOUSE_TIERS,
        grids=grid_choices(session, actor),
        next_url=next_url,
        first_url=url_for("web.due", **{k: v for k, v in filters.items() if v}) if args["cursor"] else None,
        download={k: v for k, v in filters.items() if v},
    )


@bp.route("/due/download.<fmt>")
def due_download(fmt: str):
    """The whole filtered list as the API exports it (same columns, same formula guard, same cap)."""
    if fmt not in ("csv", "xlsx"):
        raise ValidationFailed(errors={"format": ["csv or xlsx"]})
    session = request_session()
    filters = {k: due_args().get(k) for k in FILTERS}
    items = service.due(session, g.actor, today=today(), export=True, **filters)
    rows, headers = exports.capped(items, service.EXPORT_LIMIT)
    if fmt == "csv":
        return exports.csv_response(COLUMNS, [_row(i) for i in rows], "inspections-due", headers)
    return exports.xlsx_response(COLUMNS, [_row(i) for i in rows], "inspections-due", "due", headers)
