"""Conflicts between what a phone submitted and what the registry held: an
officer decides, property by property; nothing was overwritten meanwhile."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import or_
from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.auth.verbs import require
from server.errors import ApiError, NotFound, ValidationFailed
from server.services import houses as house_service
from server.services import persons as person_service
from server.services.apply import coerce
from server.store import audit, scoping
from server.store.models import Conflict
from server.store.queries import submissions as q


def _condition(actor: Actor):
    """Filed where both sides see it: the grid where it was raised, and the grid of the record's area."""
    return or_(scoping.grid_condition(actor, Conflict.grid_id), scoping.grid_condition(actor, Conflict.record_grid_id))


def audit_rows(session: Session, actor: Actor, rows: list[Conflict]) -> None:
    """A person conflict shows both values of someone's data: an audited read."""
    if rows:
        audit.record(session, actor, "conflict.read", subject_type="conflict", subject_ids=[c.id for c in rows],
                     person_ids=[c.record_id for c in rows if c.record_type == "person"],
                     fields=sorted({p for c in rows for p in c.properties}))


def page(session: Session, actor: Actor, *, status: str | None, after, limit: int) -> list[Conflict]:
    require(actor, "conflict.read")
    rows = q.conflicts_page(session, _condition(actor), status=status, after=after, limit=limit)
    audit_rows(session, actor, rows)
    return rows


def get(session: Session, actor: Actor, conflict_id: uuid.UUID, *, audited: bool = True) -> Conflict:
    require(actor, "conflict.read")
    rows = q.conflicts_page(session, _condition(actor) & (Conflict.id == conflict_id), status=None, after=None, limit=1)
    if not rows:
        raise NotFound("No such conflict.", code="conflict.not_found")
    if audited:
        audit_rows(session, actor, rows)
    return rows[0]


def resolve(session: Session, actor: Actor, conflict: Conflict, *, choose: dict[str, str], note: str | None = None,
            today: date) -> Conflict:
    """``choose`` maps every conflicting property to 'current' (keep) or 'submitted' (take the phone's)."""
    require(actor, "conflict.resolve")
    if conflict.status != "open":
        raise ApiError("This conflict is already resolved.", status=409, code="conflict.resolved")
    props = set(conflict.properties)
    errors = {}
    if set(choose) != props:
        missing, extra = sorted(props - set(choose)), sorted(set(choose) - props)
        errors["choose"] = ([f"Decide also: {', '.join(missing)}."] if missing else []) + \
                           ([f"Not in this conflict: {', '.join(extra)}."] if extra else [])
    if errors:
        raise ValidationFailed(errors=errors)
    take = {p: coerce(p, conflict.properties[p]["submitted"]) for p, c in choose.items() if c == "submitted"}
    if take:
        if conflict.record_type == "house":
            house = house_service.get(session, actor, conflict.record_id)
            house_service.update(session, actor, house, today=today, **take)
        elif conflict.record_type == "person":
            person = person_service.get(session, actor, conflict.record_id, audited=False)
            person_service.update(session, actor, person, today=today, **take)
    conflict.status = "resolved"
    conflict.resolved_at = datetime.now(UTC)
    conflict.resolved_by = actor.account_id
    conflict.resolution = {"choose": choose, "note": note}
    session.flush()
    audit.record(session, actor, "conflict.resolve", subject_type=conflict.record_type,
                 subject_ids=[conflict.record_id], fields=sorted(props), purpose=note,
                 details={"conflict_id": str(conflict.id), "choose": choose})
    return conflict
