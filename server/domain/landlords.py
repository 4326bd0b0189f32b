"""Landlords' obligations (人来登记、人走注销) and residence permits, as plain rules.

Defaults from the regulations (configurable): a tenant's arrival and departure
are reported within 7 days; someone from outside the city (floating) who stays
more than a month needs a residence permit (居住证); a permit is renewed from
30 days before it expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .reporting import DEFAULT_DEADLINE_DAYS, days_late, report_due_on

PERMIT_AFTER_DAYS = 30
PERMIT_RENEW_DAYS = 30
# Categories whose members need a permit to live here: those registered outside the city.
PERMIT_CATEGORIES = ("floating",)
COMPLIANCE_KINDS = (
    "arrival_on_time",
    "arrival_late",
    "departure_on_time",
    "departure_late",
    "missed_arrival",
    "missed_departure",
)


@dataclass(frozen=True)
class Timeliness:
    due_on: date
    days_late: int

    @property
    def on_time(self) -> bool:
        return self.days_late == 0


def timeliness(event_on: date, reported_on: date, deadline_days: int = DEFAULT_DEADLINE_DAYS) -> Timeliness:
    return Timeliness(report_due_on(event_on, deadline_days), days_late(event_on, reported_on, deadline_days))


def permit_required(category: str, expected_stay_months: int | None) -> bool:
    """Must this tenant apply for a residence permit, judging by the stay announced?"""
    return category in PERMIT_CATEGORIES and (expected_stay_months or 0) >= 1


def permit_status(
    *,
    category: str,
    arrived_on: date,
    permit_expires_on: date | None,
    today: date,
    after_days: int = PERMIT_AFTER_DAYS,
    renew_days: int = PERMIT_RENEW_DAYS,
) -> str | None:
    """'missing' (stayed past the limit without a valid permit), 'renewal_due'
    (expires within the renewal window), 'expired', or None (nothing to do)."""
    if permit_expires_on is not None:
        if permit_expires_on < today:
            return "expired"
        if permit_expires_on <= today + timedelta(days=renew_days):
            return "renewal_due"
        return None
    if category in PERMIT_CATEGORIES and (today - arrived_on).days > after_days:
        return "missing"
    return None
