"""Residence-permit reminders (居住证): people in the caller's area to verify, missing and longest expired first."""

from __future__ import annotations

import uuid
from datetime import date

from flask import g, render_template, request, url_for

from server.api import pagination
from server.api.base import today
from server.domain.landlords import permit_status
from server.services import landlords as service
from server.store.db import request_session

from . import bp, present

PAGE = 50


@bp.route("/permits")
def permits():
    session, actor, day = request_session(), g.actor, today()
    after = pagination.decode(request.args.get("cursor"), (date.fromisoformat, date.fromisoformat, uuid.UUID))
    rows = service.permits_due(session, actor, today=day, after=after, limit=PAGE)  # audited
    items = [
        {
            "person": present.person(p),
            "residence": present.residence(r),
            "house_id": r.house_id,
            "status": permit_status(
                category=r.category, arrived_on=r.arrived_on, permit_expires_on=p.permit_expires_on, today=day
            ),
            "permit_expires_on": p.permit_expires_on,
        }
        for r, p in rows[:PAGE]
    ]
    next_url = None
    if len(rows) > PAGE:
        next_url = url_for("web.permits", cursor=pagination.encode(service.permits_due_key(rows[PAGE - 1])))
    return render_template("permits.html", items=items, next_url=next_url)
