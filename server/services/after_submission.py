"""The one place that reacts to what a submission changed (decision 0014).

``services/apply.py`` and ``services/submissions.py`` record domain events
(``server/domain/events.py``) on the unit of work instead of calling the
services that care. ``handle`` runs them once the submission is applied, in
this order: the landlord's compliance record, photo linking (and the visit's
photo flags), tier refresh last (the tier reads the compliance record and the visit).
The first two happen in the request's transaction. Tier refresh is queued (issue 17): ``handle``
returns the subjects, and the caller (services/intake.py) puts them into ``tier_refreshes`` in that
same transaction, for all the request's submissions in one INSERT; the ``tiers.refresh_queued``
job re-evaluates them within seconds (docs/tiers.md, "How fresh the tiers are").
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from server.domain.events import Event, HouseChanged, PhotosDeclared, ReportMissed, ResidenceReported, UnitChanged
from server.domain.plausibility import Limits
from server.services import landlords as landlord_service
from server.services import photos as photo_service
from server.services import visits as visit_service
from server.store.models import Attachment, House, Photo, Residence, Submission


@dataclass(frozen=True)
class Outcome:
    attachments_refused: list[str]  # pending uploads the submission did not declare (or with another SHA-256)
    houses: list[uuid.UUID]  # whose tier to refresh
    units: list[uuid.UUID]


@dataclass(frozen=True)
class Stored:
    """The submission this transaction stored and what the request already read for it: the version it
    edits, its pending uploads, its manifest rows (no second read of any of them)."""

    submission: Submission
    previous: Submission | None
    pending: list[Photo]
    attachments: list[Attachment]


def handle(
    session: Session,
    events: list[Event],
    stored: Stored,
    *,
    today: date,
    zone: str,
    deadline_days: int,
    limits: Limits | None = None,
) -> Outcome:
    refused: list[str] = []
    houses: list[uuid.UUID] = []
    units: list[uuid.UUID] = []
    for event in events:
        if isinstance(event, ReportMissed):
            landlord_service.record_event(
                session,
                event.kind,
                session.get_one(House, event.house_id),
                session.get_one(Residence, event.residence_id),
                event.days_late,
                event.on,
            )
        elif isinstance(event, ResidenceReported):
            landlord_service.record_report(
                session,
                session.get_one(House, event.house_id),
                session.get_one(Residence, event.residence_id),
                event.event,
                event.event_on,
                today,
                deadline_days,
            )
        elif isinstance(event, PhotosDeclared):  # raised for the submission this transaction stored
            not_linked, linked = photo_service.link_on_receive(
                session, stored.submission, stored.previous, pending=stored.pending, attachments=stored.attachments
            )
            refused += not_linked
            if linked:  # the visit was recorded before its photos were linked: its photo flags follow them
                visit_service.refresh_for_instance(session, event.instance_id, limits or Limits())
        elif isinstance(event, HouseChanged):
            houses.append(event.house_id)
        elif isinstance(event, UnitChanged):
            units.append(event.unit_id)
    return Outcome(sorted(refused), houses, units)
