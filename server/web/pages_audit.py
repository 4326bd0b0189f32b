"""The audit log (administrators; police within their station): who read or changed whose data, newest first."""

from __future__ import annotations

from flask import g, render_template, request, url_for

from server.api import pagination
from server.services import audit_log as service
from server.store.db import request_session

from . import bp, present

PAGE = 50


@bp.route("/audit")
def audit_log():
    session, actor = request_session(), g.actor
    action = request.args.get("action", "").strip() or None
    after = pagination.decode_one(request.args.get("cursor"), int)
    rows = service.events(session, actor, action=action, after=after, limit=PAGE)  # audits the rows shown
    next_url = None
    if len(rows) > PAGE:
        next_url = url_for("web.audit_log", action=action, cursor=pagination.encode([rows[PAGE - 1].id]))
    return render_template(
        "audit.html", events=present.audit_events(rows[:PAGE]), action=action or "", next_url=next_url
    )
