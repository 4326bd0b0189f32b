"""Reading procrastinate's job table (its writes go through procrastinate: server/jobs/queue.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session


def counts(session: Session) -> list[tuple[Any, ...]]:
    """(task, status, jobs) for every task and status present."""
    rows = session.execute(
        text("SELECT task_name, status::text, count(*) FROM procrastinate_jobs GROUP BY 1, 2 ORDER BY 1, 2")
    )
    return [tuple(r) for r in rows]


def stuck(session: Session, before: datetime) -> list[tuple[Any, ...]]:
    """Jobs waiting (due) or running since before ``before``: (id, task, status, since, attempts, args).
    "since" is the last status change (procrastinate_events), else the time it was due."""
    rows = session.execute(
        text(
            """
            SELECT j.id, j.task_name, j.status::text,
                   coalesce((SELECT max(e.at) FROM procrastinate_events e WHERE e.job_id = j.id),
                            j.scheduled_at) AS since,
                   j.attempts, j.args
              FROM procrastinate_jobs j
             WHERE j.status IN ('todo', 'doing')
               AND (j.scheduled_at IS NULL OR j.scheduled_at < :before)
               AND coalesce((SELECT max(e.at) FROM procrastinate_events e WHERE e.job_id = j.id),
                            j.scheduled_at) < :before
             ORDER BY j.id
            """
        ),
        {"before": before},
    )
    return [tuple(r) for r in rows]


def of_task(session: Session, task: str, key: str, value: str) -> list[tuple[Any, ...]]:
    """(id, status, attempts) of the jobs of ``task`` whose argument ``key`` is ``value``, oldest first."""
    rows = session.execute(
        text(
            "SELECT id, status::text, attempts FROM procrastinate_jobs "
            "WHERE task_name = :task AND args ->> :key = :value ORDER BY id"
        ),
        {"task": task, "key": key, "value": value},
    )
    return [tuple(r) for r in rows]


def waiting(session: Session) -> list[tuple[Any, ...]]:
    """Jobs due now, oldest first: (id, task, args)."""
    rows = session.execute(
        text(
            "SELECT id, task_name, args FROM procrastinate_jobs WHERE status = 'todo' "
            "AND (scheduled_at IS NULL OR scheduled_at <= now()) ORDER BY id"
        )
    )
    return [tuple(r) for r in rows]


def status_of(session: Session, job_id: int) -> tuple[str, int] | None:
    row = session.execute(
        text("SELECT status::text, attempts FROM procrastinate_jobs WHERE id = :id"), {"id": job_id}
    ).first()
    return (row[0], row[1]) if row else None


def finish(session: Session, job_id: int, status: str = "succeeded") -> None:
    """Mark a job ended (procrastinate's own function), for code that ran it outside a worker."""
    session.execute(
        text("SELECT procrastinate_finish_job_v1(:id, CAST(:status AS procrastinate_job_status), false)"),
        {"id": job_id, "status": status},
    )
