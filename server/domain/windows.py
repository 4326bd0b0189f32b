"""Counting windows ("in the last 180 days"), over whole local calendar days.

Every count over a span of days (the landlord's compliance record, the tier
facts ``late_reports``, ``missed_arrivals``, ``missed_departures``,
``on_time_reports`` and ``turnover``, and the events listed with them) takes its
window from ``last_days``, with one edge convention:

* a window of N days is today and the N-1 days before it, in the configured
  zone: ``first_day <= day <= last_day`` (both ends included);
* what is counted is dated on the local day it happened *here*: a report on the
  day it was made, a missed arrival on the day a visit found the tenant. So a
  late report counts for the whole window after it was made, however late it
  came (dating it on the arrival day made the latest reports count least).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .reporting import local_date


@dataclass(frozen=True)
class Window:
    days: int
    first_day: date
    last_day: date

    def __contains__(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


def last_days(days: int, today: date) -> Window:
    """The last ``days`` whole days up to and including ``today`` (a local date)."""
    if days < 1:
        raise ValueError(f"a window has at least one day, not {days}")
    return Window(days, today - timedelta(days=days - 1), today)


def last_days_at(days: int, now: datetime, zone: str) -> Window:
    """The same, ending on the local day of the moment ``now`` in ``zone``."""
    return last_days(days, local_date(now, zone))
