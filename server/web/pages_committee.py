"""Officers' queues: conflicts to resolve property by property, landlord account requests to activate."""

from __future__ import annotations

import uuid

from flask import g, redirect, render_template, request, url_for

from server.api import pagination
from server.api.base import today
from server.errors import ApiError, render_message
from server.services import areas as area_service
from server.services import conflicts as conflict_service
from server.services import houses as house_service
from server.services import landlord_accounts as account_service
from server.services import persons as person_service
from server.store.db import request_session

from . import bp, page_language, present

PAGE = 50
CANDIDATES = 20


def _conflicts_page(*, errors: dict | None = None, status: int = 200):
    session, actor = request_session(), g.actor
    after = pagination.decode_one(request.args.get("cursor"), uuid.UUID)
    rows = conflict_service.page(session, actor, status="open", after=after, limit=PAGE + 1)
    items = []
    for row in rows[:PAGE]:  # conflict_service.page audits what it returns
        now = conflict_service.shown(session, actor, row)
        items.append(present.conflict(row, properties=now.properties, current_version=now.current_version))
    next_url = (
        url_for("web.conflicts", cursor=pagination.encode([str(rows[PAGE - 1].id)])) if len(rows) > PAGE else None
    )
    page = render_template("conflicts.html", items=items, next_url=next_url, errors=errors or {})
    if status >= 400:
        session.commit()  # the page showed people's values: its audit rows stay
    return page, status


@bp.route("/conflicts")
def conflicts():
    return _conflicts_page()


@bp.route("/conflicts/<uuid:conflict_id>/resolution", methods=["POST"])
def resolve_conflict(conflict_id: uuid.UUID):
    session, actor = request_session(), g.actor
    row = conflict_service.get(session, actor, conflict_id, audited=False)
    choose = {k.removeprefix("choose."): v for k, v in request.form.items() if k.startswith("choose.")}
    version = request.form.get("current_version", "")
    try:
        conflict_service.resolve(
            session,
            actor,
            row,
            choose=choose,
            note=request.form.get("note", "").strip() or None,
            current_version=int(version) if version.isdigit() else None,
            today=today(),
        )
    except ApiError as exc:
        session.rollback()
        message = render_message(exc.code, exc.message, exc.errors, exc.params, lang=page_language())
        return _conflicts_page(errors={str(conflict_id): [message]}, status=exc.status)
    return redirect(url_for("web.conflicts"))


def _candidates(session, actor, claim) -> list:
    """Registered houses the claim may mean: by its address text, else the houses of its grid."""
    found = house_service.search(session, actor, q_text=claim.address_text, limit=CANDIDATES)[:CANDIDATES]
    if not found and claim.grid_id is not None:
        grid = area_service.get_grid(session, actor, claim.grid_id)
        found = house_service.search(session, actor, grid=grid.code, limit=CANDIDATES)[:CANDIDATES]
    return [{"id": house.id, "address": address.full_text} for house, address, *_ in found]


def _requests_page(*, errors: dict | None = None, status: int = 200):
    session, actor = request_session(), g.actor
    items = []
    for account, claims in account_service.pending_requests(session, actor):  # audited
        items.append(
            {
                "id": account.id,
                "username": account_service.shown_username(account),
                "username_taken": account.requested_username is not None,
                "name": account.display_name,
                "phone": account.phone,
                "requested_at": account.created_at,
                "claims": [
                    {"id": c.id, "address": c.address_text, "candidates": _candidates(session, actor, c)}
                    for c in claims
                    if c.status == "pending"
                ],
            }
        )
    page = render_template("landlord_requests.html", items=items, errors=errors or {})
    if status >= 400:
        session.commit()
    return page, status


@bp.route("/landlord-requests")
def landlord_requests():
    return _requests_page()


@bp.route("/landlord-requests/<uuid:account_id>/activation", methods=["POST"])
def activate_landlord(account_id: uuid.UUID):
    """Activate a request, each claim confirmed against a chosen house or rejected (as the API does it)."""
    session, actor = request_session(), g.actor
    confirm, reject = [], []
    for key, value in request.form.items():
        if not key.startswith("claim."):
            continue
        claim_id = uuid.UUID(key.removeprefix("claim."))
        if value == "reject":
            reject.append(claim_id)
        elif value:
            confirm.append({"claim_id": claim_id, "house_id": uuid.UUID(value)})
    try:
        account_service.activate(
            session,
            actor,
            account_id,
            confirm=confirm,
            reject=reject,
            username=request.form.get("username", "").strip() or None,
        )
    except ApiError as exc:
        session.rollback()
        message = render_message(exc.code, exc.message, exc.errors, exc.params, lang=page_language())
        return _requests_page(errors={str(account_id): [message]}, status=exc.status)
    return redirect(url_for("web.landlord_requests"))


@bp.route("/duplicates")
def duplicates():
    """Likely duplicate people (same name and birth date, documents differing or missing), for review."""
    session, actor = request_session(), g.actor
    groups = person_service.duplicates(session, actor)  # audited
    return render_template("duplicates.html", groups=present.duplicate_groups(groups))
