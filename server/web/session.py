"""Signing in to the pages: the API's own web token, kept in a cookie, and CSRF tokens for forms.

The cookie holds the same 12-hour token ``POST /api/v1/auth/tokens`` issues (services/auth.login),
``HttpOnly`` (no script reads it), ``SameSite=Strict`` (no other site's page sends it) and ``Secure``
when the request came over HTTPS. The JSON API never reads it: it takes only the Authorization header.

CSRF: every state-changing form carries a hidden field equal to a random value kept in a second
cookie (the double-submit pattern). Another site can neither read that cookie nor set it, so it
cannot fill the field; SameSite=Strict is the second fence. Written here (a dozen lines) rather
than taking Flask-WTF for it: the pages' forms are plain HTML posts validated by the services, and
Flask-WTF would bring WTForms and a server-side secret only for this check. Decision 0019.
"""

from __future__ import annotations

import hmac
import secrets

from flask import current_app, g, request

from server.auth.actor import Actor
from server.errors import Unauthenticated
from server.services import auth as auth_service
from server.store.db import request_session

SESSION_COOKIE = "gw_session"
CSRF_COOKIE = "gw_csrf"
CSRF_FIELD = "csrf_token"
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


class CsrfFailed(Exception):
    """A state-changing form arrived without the right CSRF token."""


def secure() -> bool:
    return request.is_secure


def signed_in_actor() -> Actor | None:
    """The actor behind the session cookie, or None (no cookie, or a token expired, revoked, unknown)."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        return auth_service.authenticate(
            request_session(), raw, request_id=g.get("request_id"), client_addr=request.remote_addr
        )
    except Unauthenticated:
        return None


def set_session(response, token: str) -> None:
    hours = current_app.config["WEB_TOKEN_HOURS"]
    response.set_cookie(
        SESSION_COOKIE, token, max_age=hours * 3600, httponly=True, samesite="Strict", secure=secure(), path="/"
    )


def clear_session(response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Strict", secure=secure())


def csrf_token() -> str:
    """The value forms must send back; made (and set as a cookie by ``keep_csrf_cookie``) on first use."""
    if "csrf_token" not in g:
        g.csrf_token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        g.csrf_new = CSRF_COOKIE not in request.cookies
    return g.csrf_token


def keep_csrf_cookie(response):
    if g.get("csrf_new"):
        response.set_cookie(CSRF_COOKIE, g.csrf_token, httponly=True, samesite="Strict", secure=secure(), path="/")
    return response


def check_csrf() -> None:
    if request.method not in UNSAFE:
        return
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = request.form.get(CSRF_FIELD, "")
    if not cookie or not sent or not hmac.compare_digest(cookie.encode(), sent.encode()):
        raise CsrfFailed()
