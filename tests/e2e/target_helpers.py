"""Field-work facts built straight into the database: visits (with their submission) at local times."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.store.models import Residence

ZONE = ZoneInfo("Asia/Shanghai")


def local(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """A moment at a local (Shanghai) clock time."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


def last_complete_week_but_one(today: date) -> tuple[str, date]:
    """The ISO week before last (so that reports a few days after it are already in the past): label, Monday."""
    day = today - timedelta(days=14)
    monday = day - timedelta(days=day.isoweekday() - 1)
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}", monday


def visit(build, account, when: datetime, *, house=None, unit=None, outcome="met"):
    return build.visit(account, when, house=house, unit=unit, outcome=outcome)


def residence(build, house, *, arrived_on: date, reported_at: datetime, source="worker", verification="confirmed"):
    return build._add(
        Residence(
            person_id=build.person().id,
            house_id=house.id,
            category="floating",
            arrived_on=arrived_on,
            reported_at=reported_at,
            source=source,
            verification=verification,
        )
    )
