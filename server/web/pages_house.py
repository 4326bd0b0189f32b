"""A house: address, tier with its reasons, tier history and override, residents (masked, reveal), visits."""

from __future__ import annotations

import uuid
from datetime import date

from flask import Response, current_app, g, render_template, request
from flask_babel import gettext

from server.api.base import today
from server.api.photos import store
from server.auth.verbs import ROLE_VERBS
from server.domain.privacy import mask_number
from server.errors import TooManyRequests, ValidationFailed, render_message
from server.services import houses as house_service
from server.services import persons as person_service
from server.services import photos as photo_service
from server.services import residences as residence_service
from server.services import tiers as tier_service
from server.services import visits as visit_service
from server.store.db import request_session

from . import bp, page_language, present

VISITS_SHOWN = 20
RESIDENTS_SHOWN = 200  # a dormitory's worth; the API's residents list pages past it


def can(verb: str) -> bool:
    return g.actor is not None and verb in ROLE_VERBS.get(g.actor.role, frozenset())


def _reveals_left(session) -> int | None:
    if not can("person.reveal_id"):
        return None
    c = current_app.config
    return person_service.reveals_left(session, g.actor, daily_limit=c["REVEAL_DAILY_LIMIT"], zone=c["TIMEZONE"])


def render_house(house_id: uuid.UUID, *, status: int = 200, errors: dict | None = None, revealed=None, form=None):
    session, actor = request_session(), g.actor
    house = house_service.read(session, actor, house_id)  # audited like GET /houses/{id}
    tier = present.tier(tier_service.house_tier(session, actor, house, today()))
    resident_rows = residence_service.of_house(  # audits the residents shown
        session, actor, house.id, current=True, after=None, limit=RESIDENTS_SHOWN
    )
    residents = [
        {"residence": present.residence(r), "person": present.person(p)} for r, p in resident_rows[:RESIDENTS_SHOWN]
    ]
    visit_rows = visit_service.search(session, actor, house_id=house.id, limit=VISITS_SHOWN)  # audited
    page = render_template(
        "house.html",
        house=present.house(house),
        tier=tier,
        residents=residents,
        visits=present.visits(session, visit_rows[:VISITS_SHOWN]),
        more_visits=len(visit_rows) > VISITS_SHOWN,
        more_residents=len(resident_rows) > RESIDENTS_SHOWN,
        can_override=can("tier.override") and house.use in ("rented", "mixed"),
        reveals_left=_reveals_left(session),
        revealed=revealed,
        errors=errors or {},
        form=form or {},
        tiers=("focus", "uncertain", "trusted"),
        today=today(),
    )
    if status >= 400:
        session.commit()  # the page shows residents: its audit rows stay although the form's change failed
    return page, status


@bp.route("/houses/<uuid:house_id>")
def house(house_id: uuid.UUID):
    return render_house(house_id)


@bp.route("/houses/<uuid:house_id>/tier-override", methods=["POST"])
def tier_override(house_id: uuid.UUID):
    session, actor = request_session(), g.actor
    form = {k: request.form.get(k, "").strip() for k in ("tier", "reason", "expires_on")}
    row = house_service.get(session, actor, house_id)
    try:
        try:
            expires_on = date.fromisoformat(form["expires_on"])
        except ValueError as exc:
            raise ValidationFailed(errors={"expires_on": [gettext("Give a date (YYYY-MM-DD).")]}) from exc
        tier_service.set_override(
            session, actor, row, tier=form["tier"], reason=form["reason"], expires_on=expires_on, today=today()
        )
    except ValidationFailed as exc:
        session.rollback()
        return render_house(house_id, status=422, errors=exc.errors, form=form)
    return render_house(house_id)


@bp.route("/houses/<uuid:house_id>/reveal", methods=["POST"])
def reveal(house_id: uuid.UUID):
    """Show one resident's full document number once, with a reason (audited, rationed like the API)."""
    session, actor = request_session(), g.actor
    house_service.get(session, actor, house_id)
    reason = request.form.get("reason", "").strip()
    try:
        person_id = uuid.UUID(request.form.get("person_id", ""))
    except ValueError:
        return render_house(house_id, status=422, errors={"reveal": [gettext("Choose a resident.")]})
    if not reason:
        return render_house(house_id, status=422, errors={f"reveal.{person_id}": [gettext("Say why.")]})
    c = current_app.config
    try:
        _person, number = person_service.reveal(
            session, actor, person_id, reason=reason, daily_limit=c["REVEAL_DAILY_LIMIT"], zone=c["TIMEZONE"]
        )
    except TooManyRequests as exc:
        message = render_message(exc.code, exc.message, lang=page_language())
        return render_house(house_id, status=429, errors={f"reveal.{person_id}": [message]})
    session.flush()
    return render_house(house_id, revealed={"person_id": person_id, "number": number, "masked": mask_number(number)})


@bp.route("/photos/<uuid:photo_id>/<any('320','1024'):size>")
def photo(photo_id: uuid.UUID, size: str):
    """A visit photo for an <img> (the API's photo route takes a bearer header a browser cannot send)."""
    session, actor = request_session(), g.actor
    row = photo_service.get(session, actor, photo_id)
    data = photo_service.read(session, actor, store(), row, size, fetch=True)
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
