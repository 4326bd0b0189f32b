"""Signing in and out of the pages, and the language switch."""

from __future__ import annotations

from flask import current_app, g, make_response, redirect, render_template, request, url_for

from server.auth.actor import anonymous
from server.errors import TooManyRequests, Unauthenticated, render_message
from server.services import auth as auth_service
from server.store.db import request_session

from . import LANG_COOKIE, LANGUAGES, bp, home_for, page_language, public_page, safe_next, session


@bp.route("/")
@public_page
def home():
    return redirect(home_for(g.actor))


@bp.route("/login", methods=["GET", "POST"])
@public_page
def login():
    next_url = safe_next(request.values.get("next"), "")
    if request.method == "GET":
        if g.actor is not None:
            return redirect(next_url or home_for(g.actor))
        return render_template("login.html", next=next_url, username="", error=None)
    username = request.form.get("username", "")
    try:
        issued = auth_service.login(
            request_session(),
            anonymous(g.get("request_id"), request.remote_addr),
            username=username,
            password=request.form.get("password", ""),
            device_id=None,
            policy=auth_service.LoginPolicy.from_settings(current_app.config),
        )
    except (Unauthenticated, TooManyRequests) as exc:
        params = {}
        if isinstance(exc, TooManyRequests) and exc.retry_after:
            params["minutes"] = -(-exc.retry_after // 60)
        error = render_message(exc.code, exc.message, params=params, lang=page_language())
        page = render_template("login.html", next=next_url, username=username, error=error)
        return page, exc.status
    actor = auth_service.actor_for(issued.account)
    response = make_response(redirect(next_url or home_for(actor)))
    session.set_session(response, issued.token)
    return response


@bp.route("/logout", methods=["POST"])
@public_page
def logout():
    if g.actor is not None:
        auth_service.logout(request_session(), g.actor)
    response = make_response(redirect(url_for("web.login")))
    session.clear_session(response)
    return response


@bp.route("/lang/<code>")
@public_page
def language(code: str):
    """Choose the pages' language (a preference cookie, not a change of data)."""
    response = make_response(redirect(safe_next(request.args.get("next"), url_for("web.home"))))
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="Lax", secure=request.is_secure)
    return response
