"""A grid worker's (or any officer's) own visits of this week, newest first."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, g, render_template

from server.api.base import today
from server.services import visits as visit_service
from server.store.db import request_session

from . import bp, present

SHOWN = 200  # a week of one person's visits; more is said, not hidden


@bp.route("/visits/week")
def my_week():
    session, actor = request_session(), g.actor
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    monday = today() - timedelta(days=today().weekday())
    since = datetime.combine(monday, time(0), tzinfo=zone)
    rows = visit_service.search(session, actor, account_id=actor.account_id, since=since, limit=SHOWN)  # audited
    return render_template(
        "visits_week.html", visits=present.visits(session, rows[:SHOWN]), more=len(rows) > SHOWN, monday=monday
    )
