"""date compliance events when they were recorded

Revision ID: 0011
Revises: 0007
Create Date: 2026-11-25 16:00:00

A landlord's report (on time or late) and a missed arrival found at a visit
were dated on the day of the arrival or departure itself, so a late report
fell out of the 180-day window sooner the later it came, and one more than
180 days late counted nowhere. They are dated on the local day they were
recorded now (server/domain/windows.py); this re-dates the rows already
stored the same way. Missed departures were already dated on the visit day.
The old dates are not restored on downgrade: they were the defect.
"""
import os

from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0007'
branch_labels = None
depends_on = None

REDATED = ("arrival_on_time", "arrival_late", "departure_on_time", "departure_late", "missed_arrival")


def upgrade() -> None:
    zone = os.environ.get("TIMEZONE", "Asia/Shanghai")  # as server/config.py
    op.get_bind().execute(sa.text(
        "UPDATE compliance_events SET occurred_on = (recorded_at AT TIME ZONE :zone)::date "
        "WHERE kind = ANY(:kinds) AND occurred_on <> (recorded_at AT TIME ZONE :zone)::date"
    ), {"zone": zone, "kinds": list(REDATED)})


def downgrade() -> None:
    pass
