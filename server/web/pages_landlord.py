"""Landlords (phone first): their houses with current tenants (masked), tier and next self-check."""

from __future__ import annotations

from flask import g, render_template

from server.api import views
from server.api.base import today
from server.services import landlords as service
from server.store.db import request_session

from . import bp


@bp.route("/landlord")
def landlord_home():
    session, actor = request_session(), g.actor
    houses = []
    for house, address in service.my_houses(session, actor):
        summary = service.overview(session, actor, house, today())  # audited: the landlord's own tenants
        houses.append(
            {
                "id": house.id,
                "address": address.full_text,
                "tier": summary["tier"],
                "next_self_check_due": summary["next_self_check_due"],
                "pending_reports": summary["pending_reports"],
                "compliance": summary["compliance"],
                "tenants": [
                    {"person": views.person(p, actor.role), "arrived_on": r.arrived_on, "verification": r.verification}
                    for r, p in summary["tenants"]
                ],
            }
        )
    return render_template("landlord_home.html", houses=houses)
