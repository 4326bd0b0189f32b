"""Reporting deadlines (人来登记、人走注销): whole local calendar days."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

DEFAULT_DEADLINE_DAYS = 7


def local_date(moment: datetime, zone: str) -> date:
    """The calendar day a UTC moment falls on in ``zone``."""
    return moment.astimezone(ZoneInfo(zone)).date()


def days_late(event_on: date, reported_on: date, deadline_days: int = DEFAULT_DEADLINE_DAYS) -> int:
    """How many days past the deadline a report came (0 when on time).

    A tenant arriving on the 1st may be reported up to and including the 8th.
    """
    return max(0, (reported_on - event_on).days - deadline_days)


def report_due_on(event_on: date, deadline_days: int = DEFAULT_DEADLINE_DAYS) -> date:
    """The last day on which a report of ``event_on`` is on time."""
    return event_on + timedelta(days=deadline_days)
