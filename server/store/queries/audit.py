"""Reading the audit log (writing it: server/store/audit.py)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session

from server.store.models import AuditEvent


def about_person(person_id: uuid.UUID) -> ColumnElement[bool]:
    """Events that read or changed this person's data (as the subject, or shown inside another record)."""
    key = [str(person_id)]
    return or_(AuditEvent.subject_ids.contains(key), AuditEvent.person_ids.contains(key))


def events(
    session: Session,
    condition=None,
    *,
    actor_id=None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after: int | None = None,
    limit: int = 50,
) -> list[AuditEvent]:
    """Newest first, keyset-paged by id."""
    query = select(AuditEvent).where(condition if condition is not None else true())
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    if action:
        query = (
            query.where(AuditEvent.action == action)
            if not action.endswith(".*")
            else query.where(AuditEvent.action.startswith(action[:-1]))
        )
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    if after is not None:
        query = query.where(AuditEvent.id < after)
    return list(session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))
