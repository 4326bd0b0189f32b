"""Administrators: user accounts (create, disable, change area)."""

from __future__ import annotations

import uuid

from flask import g, redirect, render_template, request, url_for

from server.api import pagination
from server.auth.verbs import ROLES
from server.errors import ApiError, render_message
from server.services import accounts as account_service
from server.store.db import request_session

from . import bp, page_language, present
from .field_messages import localised

PAGE = 50
CREATE_FIELDS = ("username", "password", "role", "display_name", "phone", "grids", "community", "station")


def _scope(form: dict) -> dict:
    """The area fields as the service takes them: grid codes split on commas or spaces."""
    grids = [code for code in form.get("grids", "").replace(",", " ").split() if code]
    return {
        "grids": grids or None,
        "community": form.get("community") or None,
        "station": form.get("station") or None,
    }


def _users_page(*, form=None, errors=None, status=200, created=None):
    session, actor = request_session(), g.actor
    after = pagination.decode_one(request.args.get("cursor"), str)
    rows = account_service.page(session, actor, after=after, limit=PAGE + 1)  # audited
    next_url = url_for("web.users", cursor=pagination.encode([rows[PAGE - 1].username])) if len(rows) > PAGE else None
    page = render_template(
        "users.html",
        users=[present.user(a) for a in rows[:PAGE]],
        next_url=next_url,
        roles=ROLES,
        form=form or {"role": "grid_worker"},
        errors=errors or {},
        created=created,
    )
    if status >= 400:
        session.commit()  # the list showed names and phones: its audit rows stay
    return page, status


@bp.route("/users")
def users():
    return _users_page()


@bp.route("/users", methods=["POST"])
def create_user():
    session, actor = request_session(), g.actor
    form = {k: request.form.get(k, "").strip() for k in CREATE_FIELDS}
    try:
        account = account_service.create(
            session,
            actor,
            username=form["username"],
            password=request.form.get("password", ""),
            role=form["role"],
            display_name=form["display_name"] or None,
            phone=form["phone"] or None,
            **_scope(form),
        )
    except ApiError as exc:
        session.rollback()
        summary = render_message(exc.code, exc.message, None, exc.params, lang=page_language())
        form.pop("password")
        return _users_page(form=form, errors=localised(exc.errors) | {"_summary": [summary]}, status=exc.status)
    session.flush()
    return _users_page(created=account.username)


@bp.route("/users/<uuid:user_id>", methods=["POST"])
def update_user(user_id: uuid.UUID):
    """Disable or enable an account, or change its area (one form per row)."""
    session, actor = request_session(), g.actor
    account = account_service.get(session, actor, user_id)
    changes: dict = {}
    if request.form.get("action") in ("disable", "enable"):
        changes["disabled"] = request.form["action"] == "disable"
    elif request.form.get("action") == "area":
        form = {k: request.form.get(k, "").strip() for k in ("grids", "community", "station")}
        changes = {k: v for k, v in _scope(form).items() if v is not None or account.role != "grid_worker"}
        if account.role == "grid_worker":
            changes["grids"] = changes.get("grids") or []
    try:
        account_service.update(session, actor, account, **changes)
    except ApiError as exc:
        session.rollback()
        message = render_message(exc.code, exc.message, exc.errors, exc.params, lang=page_language())
        return _users_page(errors={str(user_id): [message]}, status=exc.status)
    return redirect(url_for("web.users"))
