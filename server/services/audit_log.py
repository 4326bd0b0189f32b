"""Reading the audit log: "who saw this person's record, when, and why".

Administrators read all of it. Police read, within their station, what the
accounts working there did, and everything done to the data of a person of
their area. Reading the log is itself audited.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import false
from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.auth.verbs import require
from server.errors import NotFound
from server.store import audit, scoping
from server.store.models import AuditEvent
from server.store.queries import audit as q
from server.store.queries import persons as person_q

SHOWN_IDS = 1000  # the audit row of a read names up to this many events (an export: the first ones)


def events(
    session: Session,
    actor: Actor,
    *,
    person: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after: int | None = None,
    limit: int = 50,
) -> list[AuditEvent]:
    """Up to ``limit`` events, newest first, and the next one if any: it only tells that there is more (a next
    page, or a cut download), so it is not on record as read."""
    require(actor, "audit.read")
    condition = None
    if person is not None:
        if person_q.visible(session, scoping.visible_persons(actor), person) is None:
            raise NotFound("No such person.", code="person.not_found")
        condition = q.about_person(person)
    elif not actor.is_admin:
        condition = AuditEvent.actor_id.in_(scoping.station_accounts(actor.station_id)) if actor.station_id else false()
    rows = q.events(
        session, condition, actor_id=actor_id, action=action, since=since, until=until, after=after, limit=limit + 1
    )
    shown = rows[:limit]
    audit.record(
        session,
        actor,
        "audit.read",
        subject_type="audit_event",
        subject_ids=[r.id for r in shown[:SHOWN_IDS]],
        person_ids=[person] if person else (),
        fields=["actor", "action", "subject", "fields", "purpose", "at"],
        details={
            "filters": {
                "person": str(person) if person else None,
                "actor": str(actor_id) if actor_id else None,
                "action": action,
                "from": since.isoformat() if since else None,
                "to": until.isoformat() if until else None,
            },
            "rows": len(shown),
        },
    )
    return rows
