"""Conflicts between what a phone submitted and what the registry held: an
officer decides, property by property; nothing was overwritten meanwhile."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import or_
from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.auth.verbs import require
from server.domain.values import coerce, plain, same  # one notion of equal values
from server.errors import Conflict as ConflictError
from server.errors import NotFound, ValidationFailed
from server.services import houses as house_service
from server.services import persons as person_service
from server.store import audit, scoping
from server.store.models import Conflict
from server.store.queries import submissions as q


def _condition(actor: Actor):
    """Filed where both sides see it: the grid where it was raised, and the grid of the record's area."""
    return or_(scoping.grid_condition(actor, Conflict.grid_id), scoping.grid_condition(actor, Conflict.record_grid_id))


def audit_rows(session: Session, actor: Actor, rows: list[Conflict]) -> None:
    """A person conflict shows both values of someone's data: an audited read."""
    if rows:
        audit.record(
            session,
            actor,
            "conflict.read",
            subject_type="conflict",
            subject_ids=[c.id for c in rows],
            person_ids=[c.record_id for c in rows if c.record_type == "person"],
            fields=sorted({p for c in rows for p in c.properties}),
        )


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


def _record(session: Session, actor: Actor, conflict: Conflict):
    """The record the conflict is about, as it is now (404 when gone or out of scope)."""
    if conflict.record_type == "house":
        return house_service.get(session, actor, conflict.record_id)
    if conflict.record_type == "person":
        return person_service.get(session, actor, conflict.record_id, audited=False)
    return None


def _live(conflict: Conflict, record) -> dict:
    """The conflicting properties with the record's values now."""
    return {
        p: {"current": plain(getattr(record, p)), "submitted": v["submitted"]} for p, v in conflict.properties.items()
    }


@dataclass(frozen=True)
class Shown:
    """An open conflict as an officer must decide it: against the record's current values and version."""

    properties: dict
    current_version: int


def shown(session: Session, actor: Actor, conflict: Conflict) -> Shown:
    if conflict.status != "open":
        return Shown(conflict.properties, conflict.current_version)
    try:
        record = _record(session, actor, conflict)
    except NotFound:
        record = None
    if record is None:
        return Shown(conflict.properties, conflict.current_version)
    return Shown(_live(conflict, record), record.version)


def resolve(
    session: Session,
    actor: Actor,
    conflict: Conflict,
    *,
    choose: dict[str, str],
    note: str | None = None,
    current_version: int | None = None,
    today: date,
) -> Conflict:
    """``choose`` maps every conflicting property to 'current' (keep) or 'submitted' (take the phone's).

    Taking a submitted value never overwrites a change nobody has seen: with
    ``current_version`` (the version the officer decided against) the record
    must still be at that version; without it, each property taken must still
    hold the value the conflict was raised against. Otherwise 409
    ``conflict.stale`` with the current values, for a new decision."""
    require(actor, "conflict.resolve")
    if conflict.status != "open":
        raise ConflictError("This conflict is already resolved.", code="conflict.resolved")
    props = set(conflict.properties)
    errors = {}
    if set(choose) != props:
        missing, extra = sorted(props - set(choose)), sorted(set(choose) - props)
        errors["choose"] = ([f"Decide also: {', '.join(missing)}."] if missing else []) + (
            [f"Not in this conflict: {', '.join(extra)}."] if extra else []
        )
    if errors:
        raise ValidationFailed(errors=errors)
    take = {p: coerce(p, conflict.properties[p]["submitted"]) for p, c in choose.items() if c == "submitted"}
    try:
        record = _record(session, actor, conflict)
    except NotFound:
        if take:
            raise
        record = None  # keeping the current values needs no record
    if record is not None:
        live = _live(conflict, record)
        if take:
            _refuse_stale(conflict, record, live, take, current_version)
        conflict.properties = live  # what the decision was made against
        conflict.current_version = record.version
    if take:
        if conflict.record_type == "house":
            house_service.update(session, actor, record, today=today, **take)
        elif conflict.record_type == "person":
            person_service.update(session, actor, record, today=today, **take)
    conflict.status = "resolved"
    conflict.resolved_at = datetime.now(UTC)
    conflict.resolved_by = actor.account_id
    conflict.resolution = {"choose": choose, "note": note}
    session.flush()
    audit.record(
        session,
        actor,
        "conflict.resolve",
        subject_type=conflict.record_type,
        subject_ids=[conflict.record_id],
        fields=sorted(props),
        purpose=note,
        details={"conflict_id": str(conflict.id), "choose": choose},
    )
    return conflict


def _refuse_stale(conflict: Conflict, record, live: dict, take: dict, current_version: int | None) -> None:
    if current_version is not None:
        moved = sorted(take) if current_version != record.version else []
    else:
        moved = sorted(p for p in take if not same(getattr(record, p), conflict.properties[p]["current"]))
    if not moved:
        return
    raise ConflictError(
        "The record changed after this conflict was shown; decide again on its current values.",
        code="conflict.stale",
        errors={p: [f"Now {live[p]['current']!r} (version {record.version})."] for p in moved},
        extra={"current_version": record.version, "properties": live},
    )
