"""Prometheus metrics (prometheus_client), served at GET /metrics to a bearer secret only.

Not public (decision 0012): /metrics answers 404 unless METRICS_TOKEN is set, and then only to
``Authorization: Bearer <METRICS_TOKEN>``. A scraper needs a long-lived secret of its own; an admin
token lives 12 h and opens personal data, so it is not accepted here.

Under gunicorn each worker is a process with its own counters: ``gridwork serve`` points
PROMETHEUS_MULTIPROC_DIR at a fresh directory (var/prometheus/<port>/ in the checkout by default)
before the workers start, prometheus_client then keeps every value in files there, and /metrics adds
up all workers' files, whichever worker answers the scrape. Without that variable (tests, the Flask
development server) the values live in the process.

What is measured:

- ``gridwork_http_request_duration_seconds{method, route, status_class}``: every request, by URL rule
  (``/api/v1/houses/<uuid:house_id>``, "unmatched" for 404s outside every rule) and status class (2xx...).
- ``gridwork_sync_lag_seconds``: for each new submission, from its completion on the phone to its arrival,
  corrected by the phone's clock error when the phone sent its time. Phones that sync days late show here
  before the visits flagged late_sync are looked at.
"""

from __future__ import annotations

import hmac
import os
from datetime import datetime

from flask import Flask, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Histogram, generate_latest

from .errors import NotFound, Unauthenticated
from .logs import duration_seconds, route

MIN_TOKEN_LENGTH = 32

REQUEST_SECONDS = Histogram(
    "gridwork_http_request_duration_seconds",
    "Time to answer a request, by URL rule and status class.",
    ["method", "route", "status_class"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
SYNC_LAG_SECONDS = Histogram(
    "gridwork_sync_lag_seconds",
    "Time from a form's completion on the phone to its arrival at the server.",
    buckets=(60, 300, 900, 3600, 4 * 3600, 12 * 3600, 86400, 3 * 86400, 7 * 86400, 30 * 86400),
)


def init_app(app: Flask) -> None:
    token = app.config.get("METRICS_TOKEN")
    if token and len(token) < MIN_TOKEN_LENGTH:
        raise RuntimeError(
            f"METRICS_TOKEN must be at least {MIN_TOKEN_LENGTH} characters (e.g. `openssl rand -hex 32`)"
        )
    app.after_request(_observe_request)
    app.add_url_rule("/metrics", "metrics", exposition, methods=["GET"])


def _observe_request(response):
    elapsed = duration_seconds()
    if elapsed is not None:
        REQUEST_SECONDS.labels(request.method, route() or "unmatched", f"{response.status_code // 100}xx").observe(
            elapsed
        )
    return response


def observe_sync_lag(completed_at: datetime | None, received_at: datetime, clock_skew_s: int | None) -> None:
    """A phone whose clock runs ``clock_skew_s`` ahead wrote a completion time that much too late."""
    if completed_at is None:
        return
    lag = (received_at - completed_at).total_seconds() + (clock_skew_s or 0)
    SYNC_LAG_SECONDS.observe(max(lag, 0.0))


def exposition():
    """The Prometheus text format, to the holder of METRICS_TOKEN; 404 while no token is configured."""
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        raise NotFound()
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise Unauthenticated("Send 'Authorization: Bearer <METRICS_TOKEN>'.")
    return Response(generate_latest(_registry()), mimetype=CONTENT_TYPE_LATEST)


def _registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY
