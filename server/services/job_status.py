"""What the job queue holds, for `gridwork jobs status` and `gridwork media check`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from server.store.queries import jobs as q


@dataclass(frozen=True)
class Count:
    task: str
    status: str
    count: int


@dataclass(frozen=True)
class StuckJob:
    id: int
    task: str
    status: str
    since: datetime
    attempts: int
    args: dict


@dataclass(frozen=True)
class Report:
    counts: list[Count]
    stuck: list[StuckJob]


def stuck(session: Session, *, stuck_after_minutes: int, task: str | None = None) -> list[StuckJob]:
    """Jobs due or running, unchanged for over ``stuck_after_minutes``: no worker runs, or one hangs."""
    before = datetime.now(UTC) - timedelta(minutes=stuck_after_minutes)
    jobs = [StuckJob(*row) for row in q.stuck(session, before)]
    return [job for job in jobs if task is None or job.task == task]


def report(session: Session, *, stuck_after_minutes: int) -> Report:
    return Report(
        counts=[Count(*row) for row in q.counts(session)],
        stuck=stuck(session, stuck_after_minutes=stuck_after_minutes),
    )
