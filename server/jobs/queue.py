"""The procrastinate app and how the rest of the server enqueues jobs.

``defer`` runs procrastinate's INSERT on the SQLAlchemy session's own psycopg connection, inside the
transaction the caller is in: if the request rolls back, the job is gone with its data; if it commits,
the job is there. No job ever points at rows that never committed, and no committed row waits for a job
that was lost (ARCHITECTURE.md).
"""

from __future__ import annotations

from typing import Any

import procrastinate
from sqlalchemy.orm import Session

app = procrastinate.App(connector=procrastinate.PsycopgConnector(), import_paths=["server.jobs.tasks"])

# Retried with exponential backoff: 2, 4, 8... seconds (wait = exponential_wait ** attempts), ten attempts
RETRY = procrastinate.RetryStrategy(max_attempts=10, exponential_wait=2)


def libpq_url(url: str) -> str:
    """procrastinate talks to psycopg directly: the SQLAlchemy URL without its driver suffix."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def defer(session: Session, task_name: str, *, lock: str | None = None, **kwargs: Any) -> int:
    """Enqueue ``task_name`` with JSON ``kwargs`` in ``session``'s transaction; the job id.

    ``lock``: jobs with the same lock run one at a time, in order (procrastinate's lock). The task need
    not be imported here (no Flask in services): the worker knows it by name."""
    connection = session.connection().connection.driver_connection
    options: dict[str, Any] = {"connection": connection}
    if lock is not None:
        options["lock"] = lock
    return app.configure_task(task_name, **options).defer(**kwargs)
