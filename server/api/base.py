"""What every API module shares: the blueprint factory, `public`, the
security documentation plugin, and the authentication hook."""

from __future__ import annotations

import re
import uuid
from functools import wraps

import marshmallow as ma
from apispec import BasePlugin
from flask import current_app, g, request
from flask_smorest import Blueprint
from webargs.core import missing
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import RequestEntityTooLarge

from server.auth.tokens import from_header
from server.errors import Unauthenticated, ValidationFailed
from server.services import auth as auth_service
from server.store.db import request_session

from . import json_body

PREFIX = "/api/v1"
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class _Parser(FlaskParser):
    # Unknown query parameters are an error like unknown body fields (webargs
    # would silently drop them); only headers and cookies may carry extras.
    DEFAULT_UNKNOWN_BY_LOCATION = {"headers": ma.EXCLUDE, "cookies": ma.EXCLUDE}

    def _raw_load_json(self, req):
        """Every JSON body is read by json_body.loads (surrogates, depth, huge numbers refused)."""
        if not is_json_request(req):
            return missing
        return json_body.loads(read_body(cache=True))


class GridworkBlueprint(Blueprint):
    ARGUMENTS_PARSER = _Parser()

    def arguments(self, schema, *, location="json", required=True, **kwargs):
        """A JSON body documented as required is required: a request without one is a 422 on `body`
        (webargs would load an absent body as {}, so a bare PATCH answered 200 and changed nothing)."""
        decorate = super().arguments(schema, location=location, required=required, **kwargs)
        if location != "json" or not required:
            return decorate

        def decorator(func):
            parsed = decorate(func)

            @wraps(parsed)
            def wrapper(*args, **kw):
                if not is_json_request(request) or not read_body(cache=True).strip():
                    message = "A JSON body (Content-Type: application/json) is required."
                    raise ValidationFailed(message, errors={"body": [message]})
                return parsed(*args, **kw)

            return wrapper

        return decorator


def read_body(*, cache: bool) -> bytes:
    """The whole request body. A body sent without Content-Length (chunked) that runs past
    MAX_CONTENT_LENGTH is a 413 like one with it: werkzeug stops reading such a stream at the
    limit without saying so, which used to hand the first 12 MiB on as if they were all."""
    data = request.get_data(cache=cache)
    limit = request.max_content_length
    unannounced = limit is not None and request.content_length is None and len(data) >= limit
    if unannounced and request.environ["wsgi.input"].read(1):
        raise RequestEntityTooLarge()
    return data


def blueprint(name: str, description: str) -> Blueprint:
    return GridworkBlueprint(name, f"server.api.{name}", url_prefix=PREFIX, description=description)


def public(func):
    """Mark a view method as callable without a token (documented with `security: []`)."""
    func = Blueprint.doc(security=[])(func)
    func._public = True
    return func


def current_actor():
    return g.actor


ETAG = {
    "ETag": {
        "description": 'The record\'s version as a weak ETag, e.g. W/"3" (docs/sync.md)',
        "schema": {"type": "string"},
    }
}


def with_etag(record, status: int = 200):
    """A versioned record with its ETag: weak (what a role sees of a person
    differs), and it moves with the record's version."""
    return record, status, {"ETag": f'W/"{record.version}"'}


class SecurityPlugin(BasePlugin):
    """Document the bearer scheme, 401 and 403 on every operation not marked public."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            if not isinstance(operation, dict):
                continue
            operation.setdefault("security", BEARER)
            if operation["security"]:
                responses = operation.setdefault("responses", {})
                responses.setdefault("401", "UNAUTHORIZED")
                responses.setdefault("403", "FORBIDDEN")


def _is_public_endpoint() -> bool:
    if request.endpoint is None or request.blueprint in (None, "api-docs", "api-docs-assets"):
        return True  # 404/405 and the docs pages
    if request.blueprint == "web" or (request.blueprint or "").startswith("web."):
        return True  # the pages sign in by cookie themselves (server/web/session.py); the API never reads cookies
    view = current_app.view_functions.get(request.endpoint)
    view_class = getattr(view, "view_class", None)
    method = request.method.lower()
    if method == "head":
        method = "get"
    handler = getattr(view_class, method, None) if view_class else view
    return bool(getattr(handler, "_public", False))


def authenticate_request() -> None:
    """before_request: set g.request_id and g.actor (None when anonymous)."""
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
    g.actor = None
    if _is_public_endpoint():
        return  # sign-in and health ignore any (perhaps stale) token a phone still sends
    raw = from_header(request.headers.get("Authorization"))
    if raw is None:
        if request.headers.get("Authorization"):
            raise Unauthenticated("Use 'Authorization: Bearer <token>'.", code="auth.malformed_header")
        raise Unauthenticated()
    g.actor = auth_service.authenticate(
        request_session(),
        raw,
        request_id=g.request_id,
        client_addr=request.remote_addr,
    )


def add_request_id(response):
    if "request_id" in g:
        response.headers["X-Request-ID"] = g.request_id
    return response


def today():
    """Today's date in the configured zone (deadlines are whole local days)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()
