"""A landlord asks for an account (no sign-in), as POST /api/v1/landlord/account-requests does it."""

from __future__ import annotations

from flask import g, render_template, request

from server.api.base import today
from server.api.schemas.landlords import AccountRequestSchema
from server.auth.actor import anonymous
from server.errors import ApiError, load_or_refuse, render_message
from server.services import landlord_accounts as account_service
from server.store.db import request_session

from . import bp, page_language, public_page
from .field_messages import localised
from .pages_landlord import tenant_form_fields

FIELDS = ("username", "name", "phone", "sex", "document_type", "document_number", "address", "lon", "lat")


def _page(form, errors, status=200, done=False):
    page = render_template("landlord_request.html", form=form, errors=errors, done=done, fields=tenant_form_fields())
    return page, status


def _number(text: str):
    try:
        return float(text)
    except ValueError:
        return text or None  # the schema says what is wrong with it


@bp.route("/landlord/request", methods=["GET", "POST"])
@public_page
def landlord_request():
    if request.method == "GET":
        return _page({"document_type": "citizen_id"}, {})
    session = request_session()
    who = anonymous(g.get("request_id"), request.remote_addr)
    form = {k: request.form.get(k, "").strip() for k in FIELDS}
    try:
        account_service.count_attempt(session, who)  # every attempt counts, as on the API
        body = {k: form[k] for k in ("username", "name", "phone", "sex", "document_type", "document_number") if form[k]}
        body["password"] = request.form.get("password", "")
        body["houses"] = [
            {"address": form["address"], "location": {"lon": _number(form["lon"]), "lat": _number(form["lat"])}}
        ]
        loaded = load_or_refuse(AccountRequestSchema(), body)
        account_service.request_account(session, who, today=today(), **loaded)
    except ApiError as exc:
        errors = {}
        for key, messages in localised(exc.errors).items():
            short = (
                key.replace("houses[0].location.", "").replace("houses[0].location", "lon").replace("houses[0].", "")
            )
            errors.setdefault(short, []).extend(messages)
        summary = render_message(exc.code, exc.message, None, exc.params, lang=page_language())
        return _page(form, errors | {"_summary": [summary]}, status=exc.status)
    return _page({}, {}, done=True)
