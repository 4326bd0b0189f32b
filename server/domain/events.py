"""What happened while a submission was applied, as plain facts (decision 0014).

The code that applies a submission does not call the services that react to it
(tiers, landlords' compliance record, photos). It records one of these events on
the unit of work, and ``services/after_submission.py`` handles them all in one
place once the submission is applied. That place is where background jobs will
be enqueued (issue 17) instead of doing the work in the request.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class HouseChanged:
    """A house was visited, created or changed: its tier facts may have moved."""

    house_id: uuid.UUID


@dataclass(frozen=True)
class UnitChanged:
    """A unit was visited or created: its tier facts may have moved."""

    unit_id: uuid.UUID


@dataclass(frozen=True)
class ResidenceReported:
    """A landlord reported a tenant's ``arrival`` or ``departure`` through a form."""

    house_id: uuid.UUID
    residence_id: uuid.UUID
    event: str  # arrival | departure
    event_on: date


@dataclass(frozen=True)
class ReportMissed:
    """A visit found what the house's landlord never reported: ``missed_arrival`` or ``missed_departure``."""

    kind: str
    house_id: uuid.UUID
    residence_id: uuid.UUID
    days_late: int
    on: date


@dataclass(frozen=True)
class PhotosDeclared:
    """A submission arrived naming its attachments; ``previous`` is the version it edits, if any."""

    instance_id: uuid.UUID
    previous_instance_id: uuid.UUID | None


Event = HouseChanged | UnitChanged | ResidenceReported | ReportMissed | PhotosDeclared
