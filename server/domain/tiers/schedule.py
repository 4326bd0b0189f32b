"""Inspection schedules: who must inspect a subject of a tier, and by which day.

All days are whole local calendar days in the configured zone: a visit counts
for the day it happened on *there* (23:30 and 00:30 local are different days,
whatever the UTC date says).

Due date of one obligation (role, every N days) of a subject whose tier began
on ``tier_since``:

* last satisfying visit on or after ``tier_since``: last visit's day + N;
* no satisfying visit since the tier began (never, or only before it): the
  earlier of last visit's day + N and ``tier_since`` + N, but never before
  ``tier_since`` (a house that just entered a stricter tier is due at most N
  days after it entered, and is not "overdue" for days before it entered).
  Never inspected: due on the day the tier began.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from .policy import Obligation

SATISFYING_OUTCOMES_EXCLUDED = ("not_home", "refused")  # the visit happened but nothing was inspected


def local_day(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def due_on(*, every_days: int, tier_since: date, last_visit_on: date | None) -> date:
    interval = timedelta(days=every_days)
    if last_visit_on is not None and last_visit_on >= tier_since:
        return last_visit_on + interval
    if last_visit_on is None:
        return tier_since
    return max(tier_since, min(last_visit_on + interval, tier_since + interval))


def status(due: date, today: date) -> str:
    if due < today:
        return "overdue"
    return "due_today" if due == today else "upcoming"


def days_overdue(due: date, today: date) -> int:
    return max(0, (today - due).days)


def satisfies(obligation: Obligation, *, role: str, kind: str, outcome: str | None) -> bool:
    """Does a visit by ``role`` of ``kind`` with ``outcome`` count for this obligation?"""
    return role == obligation.role and kind in obligation.kinds and outcome not in SATISFYING_OUTCOMES_EXCLUDED
