"""The period targets are counted over: one ISO week (Monday to Sunday) of local calendar days.

``parse_period("2026-W49")`` is that week; with no period the last complete week before ``today`` is used
(a week still running would show every worker short). Counts that look back further (coverage: a visit in the
last 365 days) end on the period's ``as_of`` day: its Sunday, or today while the week is running. Moments
(a visit's time, a report's time) are compared with the UTC bounds of local days (``day_start``), so that a
visit at 23:30 on Sunday in Shanghai belongs to that week however the server's clock is set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.domain.windows import Window, last_days

_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    label: str  # 2026-W49
    first_day: date  # Monday
    last_day: date  # Sunday
    as_of: date  # the last day counted: last_day, or today while the week runs

    def back(self, days: int) -> Window:
        """The window of ``days`` local days ending on ``as_of``."""
        return last_days(days, self.as_of)


def week_of(day: date) -> Period:
    year, week, _ = day.isocalendar()
    monday = day - timedelta(days=day.isoweekday() - 1)
    return Period(f"{year}-W{week:02d}", monday, monday + timedelta(days=6), monday + timedelta(days=6))


def parse_period(text: str | None, today: date) -> Period:
    """The ISO week ``YYYY-Www`` (default: the last complete one). A week after this one is refused."""
    if text is None:
        return week_of(today - timedelta(days=7))
    match = _WEEK_RE.match(text)
    if not match:
        raise PeriodError("An ISO week such as 2026-W49.")
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise PeriodError(f"{text} is not a week of that year.") from None
    period = week_of(monday)
    if period.first_day > today:
        raise PeriodError("That week has not begun yet.")
    return Period(period.label, period.first_day, period.last_day, min(period.last_day, today))


def day_start(day: date, zone: str) -> datetime:
    """The UTC moment a local day begins in ``zone``."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def days_bounds(first_day: date, last_day: date, zone: str) -> tuple[datetime, datetime]:
    """UTC ``[from, to)`` covering the local days first_day..last_day, both included."""
    return day_start(first_day, zone), day_start(last_day + timedelta(days=1), zone)
