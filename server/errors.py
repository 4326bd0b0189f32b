"""One JSON error shape for every error, its message from the error catalogue.

Every error the API returns looks like
``{"code": "auth.token_expired", "status": 401, "message": "...", "errors": {...}}``.
Codes are stable and dotted; ``errors`` maps field paths (``residents[2].id_number``)
to lists of messages. ``message`` comes from server/errors_catalogue.py, in Chinese or
English as the request's ``Accept-Language`` prefers; the English message an exception
carries is for logs and the command line. Internals go to the log, never to the client.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, g, has_request_context, jsonify, request
from werkzeug.exceptions import HTTPException

from server import errors_catalogue, field_messages

log = logging.getLogger(__name__)


class ApiError(Exception):
    """A domain error with a stable code, an HTTP status and per-field details."""

    status = 400
    code = "request.invalid"
    message = "The request is invalid."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        errors: dict | None = None,
        headers: dict | None = None,
        extra: dict | None = None,
        params: dict | None = None,
    ):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.code = code or self.code
        self.status = status or self.status
        self.errors = errors or {}
        self.headers = headers or {}
        self.extra = extra or {}
        self.params = params or {}  # values for the catalogue message's placeholders, not sent as fields


class ValidationFailed(ApiError):
    status = 422
    code = "validation.failed"
    message = "Some fields are invalid."


class NotFound(ApiError):
    status = 404
    code = "not_found"
    message = "Not found."


class Unauthenticated(ApiError):
    status = 401
    code = "auth.required"
    message = "Sign in first: send 'Authorization: Bearer <token>'."

    def __init__(self, message=None, **kw):
        kw.setdefault("headers", {})["WWW-Authenticate"] = 'Bearer realm="gridwork"'
        super().__init__(message, **kw)


class Forbidden(ApiError):
    status = 403
    code = "auth.forbidden"
    message = "Your role may not do this."


class Conflict(ApiError):
    status = 409
    code = "conflict"
    message = "This conflicts with an existing record."


class TooManyRequests(ApiError):
    """``retry_after`` is in seconds; the edge turns it into the ``Retry-After`` header."""

    status = 429
    code = "rate_limited"
    message = "Too many requests; try again later."

    def __init__(self, message=None, *, retry_after: int | None = None, **kw):
        super().__init__(message, **kw)
        self.retry_after = retry_after


# Codes for errors raised by Flask/werkzeug/webargs rather than by our code.
HTTP_CODES = {
    400: "request.malformed",
    401: "auth.required",
    403: "auth.forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "request.not_acceptable",
    409: "conflict",
    412: "request.precondition_failed",
    413: "request.too_large",
    415: "request.unsupported_media_type",
    422: "validation.failed",
    428: "request.precondition_required",
    429: "rate_limited",
}


_LOCATIONS = {
    "json": "body",
    "form": "body",
    "files": "body",
    "query": "query",
    "querystring": "query",
    "path": "path",
    "view_args": "path",
    "headers": "headers",
}


def load_or_refuse(schema, data: Any) -> Any:
    """``schema.load(data)``; what it refuses becomes the API's ``ValidationFailed``, naming each field (the web
    pages load their forms and queries with the API's own schemas, and answer its errors the same way)."""
    import marshmallow as ma

    try:
        return schema.load(data)
    except ma.ValidationError as exc:
        raise ValidationFailed(errors=flatten_errors(exc.messages)) from exc


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested messages into ``{"a.b[2].c": [...]}``.

    webargs nests messages under the request location (``json``, ``query``);
    the location is dropped because field names do not collide across them.
    """
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            if not prefix and key in _LOCATIONS:
                # {"json": {"field": [...]}} -> "field"; {"json": ["Invalid JSON body."]} -> "body"
                out.update(flatten_errors(value, "" if isinstance(value, dict) else _LOCATIONS[key]))
                continue
            if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
                path = f"{prefix}[{key}]"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            out.update(flatten_errors(value, path))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out.setdefault(prefix or "_schema", []).extend(messages)
    elif isinstance(messages, list):
        for item in messages:
            for key, value in flatten_errors(item, prefix).items():
                out.setdefault(key, []).extend(value)
    else:
        out.setdefault(prefix or "_schema", []).append(str(messages))
    return out


def request_language() -> str:
    """zh unless the request's Accept-Language prefers en (outside a request, e.g. in gunicorn: zh)."""
    if not has_request_context():
        return errors_catalogue.LANGUAGES[0]
    return errors_catalogue.language(request.headers.get("Accept-Language"))


def render_message(
    code: str,
    fallback: str | None,
    errors: dict | None = None,
    params: dict | None = None,
    extra: dict | None = None,
    lang: str | None = None,
) -> str:
    """The catalogue's message for ``code``, placeholders filled from the error; ``fallback`` (the raise site's
    English) only for a code the catalogue lacks, which tests/unit/test_error_catalogue.py forbids."""
    errors = errors or {}
    values = {
        **(extra or {}),
        "fields": ", ".join(sorted(errors)),
        "detail": " ".join(m for ms in errors.values() for m in ms if isinstance(m, str)),
        **(params or {}),
    }
    text = errors_catalogue.message(code, lang or request_language(), values)
    if text is None:
        log.warning("error code %r is not in the error catalogue", code)
        return fallback or code
    return text


def error_body(
    code: str,
    status: int,
    message: str | None = None,
    errors: dict | None = None,
    *,
    params: dict | None = None,
    **extra,
) -> dict:
    """The one error shape, its message from the catalogue and its field errors in the request's language
    (server/field_messages.py). Citizen ID numbers inside messages are masked (an error never carries a full
    document number, docs/privacy.md)."""
    from server.domain.privacy import mask_in_text, mask_in_values

    errors = field_messages.localize(errors or {}, request_language())
    text = render_message(code, message, errors, params, extra)
    body = {"code": code, "status": status, "message": mask_in_text(text), "errors": mask_in_values(errors or {})}
    body.update(extra)
    return body


def _retry_params(headers: dict) -> dict:
    retry_after = headers.get("Retry-After")
    if retry_after is None or not str(retry_after).isdigit():
        return {}
    return {"minutes": -(-int(retry_after) // 60)}


def _respond(body: dict, status: int, headers: dict | None = None):
    response = jsonify(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    response.vary.add("Accept-Language")  # the message's language depends on it
    return response


def database_unavailable(exc: BaseException) -> bool:
    """Is this the database being out of reach (down, restarting, connection cut, pool exhausted,
    a transient failure such as a deadlock), rather than a bug? Phones should retry those later."""
    from sqlalchemy.exc import DBAPIError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(exc, (OperationalError, PoolTimeout)):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def database_unavailable_response(app: Flask):
    """503 with Retry-After, so that phones back off and send the same request again later."""
    request_id = getattr(g, "request_id", None)
    log.exception("database unavailable (request %s)", request_id)
    retry_after = str(app.config.get("DATABASE_RETRY_AFTER_SECONDS", 30))
    return _respond(error_body("service.unavailable", 503, request_id=request_id), 503, {"Retry-After": retry_after})


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        extra = dict(exc.extra)
        if exc.status >= 500:  # a server fault: logged, and the client gets the request id
            extra["request_id"] = getattr(g, "request_id", None)
            log.error("server fault %s (request %s): %s", exc.code, extra["request_id"], exc.message, exc_info=exc)
        headers = dict(exc.headers)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        params = _retry_params(headers) | exc.params
        return _respond(
            error_body(exc.code, exc.status, exc.message, exc.errors, params=params, **extra), exc.status, headers
        )

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        data = getattr(exc, "data", None) or {}
        errors = {}
        if "messages" in data:
            errors = flatten_errors(data["messages"])
        elif "errors" in data:
            errors = flatten_errors(data["errors"])
        params = {}
        if status == 413:
            params["limit"] = app.config.get("MAX_CONTENT_LENGTH")
        message = data.get("message") or exc.description or exc.name  # only for a status the catalogue lacks
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        headers.update(data.get("headers") or {})
        code = HTTP_CODES.get(status, "http.error" if status < 500 else "internal")
        return _respond(error_body(code, status, message, errors, params=params), status, headers)

    from sqlalchemy.exc import DBAPIError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout
    from sqlalchemy.orm.exc import StaleDataError

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    @app.errorhandler(DBAPIError)
    def _database_unavailable(exc):
        if not database_unavailable(exc):
            return _unexpected(exc)
        return database_unavailable_response(app)

    from server.media.storage import StorageObjectMissing

    @app.errorhandler(StorageObjectMissing)
    def _storage_object_missing(exc: StorageObjectMissing):
        # The database says the object exists, so its absence is a server fault: logged with the request id,
        # which the client gets to quote. Photos are the only objects in storage, hence the photo's code.
        request_id = getattr(g, "request_id", None)
        log.error("server fault photo.file_missing (request %s): %s", request_id, exc, exc_info=exc)
        return _respond(error_body("photo.file_missing", 500, request_id=request_id), 500)

    @app.errorhandler(StaleDataError)
    def _concurrent_update(exc):
        return _respond(error_body("conflict.concurrent_update", 409), 409)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        request_id = getattr(g, "request_id", None)
        log.exception("unhandled error (request %s)", request_id)
        return _respond(
            error_body("internal", 500, request_id=request_id),
            500,
        )
