"""gunicorn's settings for `gridwork serve` (loaded as ``--config python:server.gunicorn_conf``).

- Logs: every logger, gunicorn's own included, writes JSON lines to stderr (server/logs.py). gunicorn's
  access log stays off: the application writes one JSON line per request, with the request id, the
  URL rule and the signed-in account, which the access log cannot know.
- Metrics: with PROMETHEUS_MULTIPROC_DIR set (`gridwork serve` sets it), a worker that exits has its
  files marked dead, as prometheus_client's multiprocess mode asks (server/metrics.py).
- Job workers: with GRIDWORK_JOB_WORKERS set (`gridwork serve --job-workers`, default 1), the arbiter
  starts that many `gridwork jobs worker` processes when ready and stops them when it exits.
- Garbage collection: each worker, once it has loaded the app, freezes its start-up objects
  (server/heap.py), so that full collections stop walking them.
- Errors gunicorn answers itself, before the application sees the request: 431 for a header line
  over ``limit_request_field_size`` (8,190 bytes) or too many headers, 414 for a request line over
  ``limit_request_line`` (4,094 bytes), 400 for a bare CR or an invalid header, 501 for a transfer
  coding it does not know. By default it writes those as an HTML page; here they get the API's one
  JSON error shape (``{"code", "status", "message", "errors"}``), so that a phone reads every error
  the same way (docs/decisions/0002-api-conventions.md).
"""

from __future__ import annotations

import json
import os

from server.errors import HTTP_CODES, error_body
from server.logs import logging_config

logconfig_dict = logging_config()
accesslog = None

# gunicorn's own codes, beyond those the application raises
SERVER_CODES = {
    414: "request.uri_too_long",
    417: "request.expectation_failed",
    431: "request.header_fields_too_large",
    501: "request.not_implemented",
}


def json_error(status: int, reason: str, detail: str) -> bytes:
    """The raw HTTP response gunicorn sends for a request it refused itself, in the JSON error shape."""
    code = SERVER_CODES.get(status) or HTTP_CODES.get(status) or ("internal" if status >= 500 else "http.error")
    message = f"{reason}: {detail}" if detail else f"{reason}."  # only for a status the catalogue lacks
    body = json.dumps(error_body(code, status, message, params={"detail": detail}), ensure_ascii=True).encode("ascii")
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode("latin-1")
    return head + body


def _write_json_error(sock, status_int, reason, mesg):
    from gunicorn import util

    util.write_nonblock(sock, json_error(int(status_int), reason, mesg))


def on_starting(server):
    """Workers are forked from the arbiter, so replacing gunicorn's writer here covers them all.
    (gunicorn has no setting for this; its workers call ``gunicorn.util.write_error``.)"""
    from gunicorn import util

    util.write_error = _write_json_error


def post_worker_init(worker):
    """The app is loaded in this worker: its start-up objects leave the collector's full passes (server/heap.py)."""
    from server.heap import freeze_start_up

    freeze_start_up()


def when_ready(server):
    """`gridwork serve` asks for GRIDWORK_JOB_WORKERS job workers: started once the sockets listen, stopped in
    ``on_exit``, and (Linux) sent SIGTERM by the kernel should the arbiter die without running its hooks."""
    from server import job_processes

    server.job_workers = job_processes.start(int(os.environ.get("GRIDWORK_JOB_WORKERS") or 0))


def on_exit(server):
    from server import job_processes

    job_processes.stop(getattr(server, "job_workers", []))


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
