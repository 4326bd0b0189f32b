"""Landlords (phone first): their houses with current tenants (masked), tier and next self-check; arrivals."""

from __future__ import annotations

import uuid
from datetime import date

from flask import current_app, g, render_template, request

from server.api.base import today
from server.api.forms import catalog
from server.api.schemas.landlords import ArrivalSchema
from server.errors import Conflict, ValidationFailed, load_or_refuse, render_message
from server.services import landlords as service
from server.store.db import request_session

from . import bp, page_language, present
from .field_messages import localised

ARRIVAL_FIELDS = ("name", "sex", "document_type", "document_number", "phone", "category", "arrived_on")


@bp.route("/landlord")
def landlord_home():
    return _home()


def _home(*, errors: dict | None = None, departed: dict | None = None, status: int = 200):
    session, actor = request_session(), g.actor
    houses = present.landlord_houses(service.my_houses(session, actor))  # audited: the landlord's own tenants
    page = render_template("landlord_home.html", houses=houses, errors=errors or {}, departed=departed, today=today())
    if status >= 400:
        session.commit()  # the page showed the landlord's tenants: its audit rows stay
    return page, status


@bp.route("/landlord/houses/<uuid:house_id>/departures", methods=["POST"])
def landlord_departure(house_id: uuid.UUID):
    """Report that a tenant moved out, as POST /landlord/houses/{id}/departures does it."""
    session, actor = request_session(), g.actor
    key = request.form.get("residence_id", "")
    try:
        try:
            residence_id = uuid.UUID(key)
            left_on = date.fromisoformat(request.form.get("left_on", ""))
        except ValueError as exc:
            raise ValidationFailed(errors={"left_on": ["Not a valid date."]}) from exc
        c = current_app.config
        when = service.report_departure(
            session,
            actor,
            house_id,
            residence_id=residence_id,
            left_on=left_on,
            today=today(),
            zone=c["TIMEZONE"],
            deadline_days=c["REPORT_DEADLINE_DAYS"],
        ).timeliness
    except (ValidationFailed, Conflict) as exc:
        session.rollback()
        messages = [m for ms in localised(exc.errors).values() for m in ms]
        messages = messages or [render_message(exc.code, exc.message, None, exc.params, lang=page_language())]
        return _home(errors={key: messages}, status=exc.status)
    departed = {"on_time": when.on_time, "days_late": when.days_late, "due_on": when.due_on}
    return _home(departed=departed)


def tenant_form_fields() -> dict:
    """Labels and choices of the tenant report, from field_schema (the form phones fill)."""
    forms = [f for f in catalog().current() if f.id == "tenant_report"]
    fields = {f.name: f for f in forms[0].fields} if forms else {}
    return fields


def _my_house_address(session, actor, house_id: uuid.UUID) -> str:
    for house, address in service.my_houses(session, actor):
        if house.id == house_id:
            return address.full_text
    from server.errors import NotFound

    raise NotFound("Not one of your houses.", code="house.not_found")


def _arrival_page(house_id, address, *, form, errors, status=200, result=None):
    page = render_template(
        "landlord_arrival.html",
        house_id=house_id,
        address=address,
        fields=tenant_form_fields(),
        form=form,
        errors=errors,
        result=result,
        today=today(),
    )
    return page, status


@bp.route("/landlord/houses/<uuid:house_id>/arrivals", methods=["GET", "POST"])
def landlord_arrival(house_id: uuid.UUID):
    """Report a tenant's arrival: checked exactly as POST /landlord/houses/{id}/arrivals checks it."""
    session, actor = request_session(), g.actor
    address = _my_house_address(session, actor, house_id)
    if request.method == "GET":
        return _arrival_page(house_id, address, form={"document_type": "citizen_id"}, errors={})
    form = {k: request.form.get(k, "").strip() for k in ARRIVAL_FIELDS}
    body = {
        "tenant": {k: form[k] for k in ("name", "sex", "document_type", "document_number", "phone") if form[k]},
        "category": form["category"],
        "arrived_on": form["arrived_on"],
    }
    try:
        loaded = load_or_refuse(ArrivalSchema(), body)
        c = current_app.config
        report = service.report_arrival(
            session,
            actor,
            house_id,
            identity=loaded["tenant"],
            category=loaded["category"],
            arrived_on=loaded["arrived_on"],
            expected_stay_months=None,
            today=today(),
            zone=c["TIMEZONE"],
            deadline_days=c["REPORT_DEADLINE_DAYS"],
        )
    except (ValidationFailed, Conflict) as exc:
        errors = {k.removeprefix("tenant."): v for k, v in localised(exc.errors).items()}
        # the catalogue's plain sentence (the fields are marked one by one below it)
        summary = render_message(exc.code, exc.message, None, exc.params, lang=page_language())
        return _arrival_page(house_id, address, form=form, errors=errors | {"_summary": [summary]}, status=422)
    result = {
        "person": present.person(report.person),
        "on_time": report.timeliness.on_time,
        "days_late": report.timeliness.days_late,
        "due_on": report.timeliness.due_on,
        "permit_required": report.permit_required,
    }
    return _arrival_page(house_id, address, form={"document_type": "citizen_id"}, errors={}, result=result)
