"""Field-work facts built straight into the database: visits (with their submission) at local times."""

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.store.models import Residence, Submission, Visit
from tests.builders import ref

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
    subject = house if house is not None else unit
    instance_id = uuid.uuid4()
    build._add(
        Submission(
            instance_id=instance_id,
            form_id="visit",
            form_version="2026.1",
            subject_type="house" if house is not None else "unit",
            subject_id=subject.id,
            grid_id=subject.grid_id,
            account_id=account.id,
            role=account.role,
            server_received_at=when,
            answers={},
            content_hash=ref().ljust(64, "0")[:64],
        )
    )
    return build._add(
        Visit(
            instance_id=instance_id,
            kind="visit",
            form_id="visit",
            form_version="2026.1",
            subject_type="house" if house is not None else "unit",
            house_id=house.id if house is not None else None,
            unit_id=unit.id if unit is not None else None,
            grid_id=subject.grid_id,
            account_id=account.id,
            role=account.role,
            outcome=outcome,
            visited_at=when,
            received_at=when,
        )
    )


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
