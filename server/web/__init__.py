"""Browser pages for police, committee staff, grid workers, landlords and administrators (docs/web.md).

Server-side templates over the same services as the JSON API (same scoping, masking and audit),
Chinese by default and English by choice (Flask-Babel), assets served from ``static/`` (no CDN, no
Node at run time), signed in by cookie with CSRF tokens on every form (session.py, decision 0019).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, g, redirect, render_template, request, url_for
from flask_babel import Babel, get_locale

from server import errors_catalogue
from server.errors import ApiError, Unauthenticated, render_message

from . import session
from .format import register_filters

LANGUAGES = errors_catalogue.LANGUAGES  # ("zh", "en"): the first is the default
LANG_COOKIE = "gw_lang"
TRANSLATIONS = Path(__file__).parent / "translations"  # messages.po is the source, messages.mo committed beside it

bp = Blueprint(
    "web",
    __name__,
    url_prefix="/web",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


register_filters(bp)


@bp.context_processor
def _template_context() -> dict:
    return {
        "csrf_token": session.csrf_token,
        "csrf_field": session.CSRF_FIELD,
        "actor": g.get("actor"),
        "can": can,
        "lang": str(get_locale() or LANGUAGES[0]),
        "languages": LANGUAGES,
    }


def page_language() -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    return chosen if chosen in LANGUAGES else LANGUAGES[0]


def public_page(view):
    """A page that needs no sign-in (login, language switch, account request)."""
    view._public_page = True
    return view


@bp.before_request
def _sign_in_and_check_csrf():
    g.actor = None
    if request.endpoint == "web.static":
        return None
    try:
        session.check_csrf()
    except session.CsrfFailed:
        return render_template("error.html", title=_("Form expired"), message=_csrf_message()), 400
    g.actor = session.signed_in_actor()
    view = current_app.view_functions.get(request.endpoint or "")
    if g.actor is None and not getattr(view, "_public_page", False):
        return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
    return None


def _csrf_message() -> str:
    from flask_babel import gettext

    return gettext("This form has expired or was not sent from this site. Open the page again and retry.")


def _(text: str) -> str:
    from flask_babel import gettext

    return gettext(text)


@bp.after_request
def _after(response):
    session.keep_csrf_cookie(response)
    response.headers.setdefault("Cache-Control", "no-store" if request.endpoint != "web.static" else "max-age=3600")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data: " + _tile_origin() + "; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'",
    )
    return response


def _tile_origin() -> str:
    url = current_app.config.get("MAP_TILE_URL")
    if not url:
        return ""
    parts = urlsplit(url.replace("{s}", "a"))
    return f"{parts.scheme}://{parts.netloc.replace('a.', '*.', 1) if '{s}' in url else parts.netloc}"


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    if isinstance(exc, Unauthenticated):
        return redirect(url_for("web.login"))
    message = render_message(exc.code, exc.message, exc.errors, exc.params, exc.extra, lang=page_language())
    return render_template("error.html", title=str(exc.status), message=message), exc.status


def safe_next(target: str | None, default: str) -> str:
    """Only a path on this site (no scheme, no host, no //): never an open redirect."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def can(verb: str) -> bool:
    """May the signed-in actor do this (for showing links and forms; the services still decide)?"""
    from server.auth.verbs import ROLE_VERBS

    actor = g.get("actor")
    return actor is not None and verb in ROLE_VERBS.get(actor.role or "", frozenset())


def home_for(actor) -> str:
    if actor is None:
        return url_for("web.login")
    if actor.role == "landlord":
        return url_for("web.landlord_home")
    return url_for("web.due")


def init_app(app: Flask) -> None:
    from . import (  # noqa: F401  (register their routes)
        pages_admin,
        pages_audit,
        pages_auth,
        pages_committee,
        pages_devices,
        pages_due,
        pages_grids,
        pages_house,
        pages_landlord,
        pages_landlord_request,
        pages_map,
        pages_permits,
        pages_self_check,
        pages_targets,
        pages_visits,
    )

    app.config.setdefault("BABEL_DEFAULT_LOCALE", LANGUAGES[0])
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config.get("TIMEZONE", "Asia/Shanghai"))
    Babel(app, locale_selector=page_language, timezone_selector=lambda: current_app.config["TIMEZONE"])
    app.register_blueprint(bp)

    @app.route("/")
    def _root():
        return redirect(url_for("web.home"))
