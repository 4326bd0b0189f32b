"""Structured logs: one JSON object per line, and one line per request with its request id.

The standard library's logging with a small formatter, not python-json-logger: a JSON line is one
``json.dumps``, and the formatter writes only the fields named in ``REQUEST_FIELDS``. A library
that copies every ``extra`` into the line would make it one careless ``extra={"body": ...}`` away
from logging a password or an ID number; here a field reaches the log only by being added to that
list. Never log tokens, passwords, names, ID numbers, addresses, raw paths or client addresses.

``gridwork serve`` hands ``logging_config()`` to gunicorn (server/gunicorn_conf.py), so gunicorn's
own messages are JSON lines too and its access log is off: the request line below replaces it.
``create_app`` configures no handler (no side effects); the request hooks only emit records.
"""

from __future__ import annotations

import json
import logging
import os
import time
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

REQUEST_LOGGER = "gridwork.request"
# The fields a request line may carry, besides time, level, logger, message and request_id.
REQUEST_FIELDS = ("method", "route", "status", "duration_ms", "actor_id", "actor_role")

log = logging.getLogger(REQUEST_LOGGER)


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id", <REQUEST_FIELDS present>, "exception"}``."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or _current_request_id(),
        }
        for name in REQUEST_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def _current_request_id() -> str | None:
    """Lines logged while a request runs (an unexpected error, a slow query) carry its id."""
    return g.get("request_id") if has_request_context() else None


def logging_config(level: str | None = None) -> dict:
    """A logging.config.dictConfig mapping: every logger, gunicorn's included, as JSON lines on stderr.
    LOG_LEVEL (default INFO) sets the level; gunicorn's access log gets no handler."""
    level = (level or os.environ.get("LOG_LEVEL") or "INFO").upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "server.logs.JsonFormatter"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "json"}},
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
    }


# -- the request line -----------------------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Register before every other hook: the first before_request starts the clock, and the first
    after_request runs last, so the time includes the commit (server/store/db.py)."""
    app.before_request(_start_clock)
    app.after_request(_log_request)


def _start_clock() -> None:
    g.request_started = time.perf_counter()


def route() -> str | None:
    """The URL rule that matched (``/api/v1/houses/<uuid:house_id>``), never the raw path: paths carry
    record ids, and a metric labelled by them would grow without bound. None when nothing matched."""
    return request.url_rule.rule if request.url_rule is not None else None


def duration_seconds() -> float | None:
    started = g.get("request_started")
    return None if started is None else time.perf_counter() - started


def _log_request(response):
    elapsed = duration_seconds()
    actor = g.get("actor")
    signed_in = actor is not None and actor.account_id is not None
    log.info(
        "request",
        extra={
            "request_id": g.get("request_id"),
            "method": request.method,
            "route": route(),
            "status": response.status_code,
            "duration_ms": None if elapsed is None else round(elapsed * 1000, 1),
            "actor_id": str(actor.account_id) if signed_in else None,
            "actor_role": actor.role if signed_in else None,
        },
    )
    return response
