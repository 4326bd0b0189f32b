"""ODK Collect device credentials: the list, issuing one (its QR code and password shown once), revoking."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime

from flask import g, redirect, render_template, request, url_for

from server.api import pagination
from server.errors import ApiError, render_message
from server.openrosa.urls import server_url
from server.services import accounts as account_service
from server.services import devices as device_service
from server.store.db import request_session

from . import _, bp, page_language

PAGE = 50


def _devices_page(*, form=None, errors=None, issued=None, status=200):
    session, actor = request_session(), g.actor
    after = pagination.decode(request.args.get("cursor"), (datetime.fromisoformat, uuid.UUID))
    rows = device_service.page(session, actor, after=(after[0], after[1]) if after else None, limit=PAGE + 1)
    next_url = None
    if len(rows) > PAGE:
        last = rows[PAGE - 1].credential
        next_url = url_for("web.devices", cursor=pagination.encode([last.created_at.isoformat(), last.id]))
    page = render_template(
        "devices.html",
        devices=rows[:PAGE],
        next_url=next_url,
        form=form or {"days": "30"},
        errors=errors or [],
        issued=issued,
    )
    return page, status


@bp.route("/devices")
def devices():
    return _devices_page()


@bp.route("/devices", methods=["POST"])
def issue_device():
    """Issue a credential; the answer shows its QR code and password, which are never shown again."""
    session, actor = request_session(), g.actor
    form = {k: request.form.get(k, "").strip() for k in ("label", "worker", "days")}
    try:
        days = int(form["days"] or "30")
        if not form["label"] or not 1 <= days <= 365:
            raise ValueError
    except ValueError:
        return _devices_page(form=form, errors=[_bad_form()], status=422)
    try:
        account_id = account_service.by_username(session, actor, form["worker"]).id if form["worker"] else None
        url = server_url()
        issued = device_service.issue(
            session, actor, label=form["label"][:100], account_id=account_id, days=days, server_url=url
        )
    except ApiError as exc:
        session.rollback()
        message = render_message(exc.code, exc.message, None, exc.params, lang=page_language())
        return _devices_page(form=form, errors=[message], status=exc.status)
    shown = {
        "label": issued.credential.label,
        "username": issued.credential.username,
        "password": issued.secret,
        "server_url": url,
        "expires_at": issued.credential.expires_at,
        "qr_src": "data:image/png;base64," + base64.b64encode(issued.qr_png).decode("ascii"),
    }
    response = _devices_page(issued=shown)
    return response[0], response[1], {"Cache-Control": "no-store"}


@bp.route("/devices/<uuid:device_id>/revoke", methods=["POST"])
def revoke_device(device_id: uuid.UUID):
    device_service.revoke(request_session(), g.actor, device_id)
    return redirect(url_for("web.devices"))


def _bad_form() -> str:
    return _("Give the phone a name and a validity of 1 to 365 days.")
