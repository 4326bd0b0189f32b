"""The change feed for offline phones: what changed in my area since my cursor."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.auth.verbs import require
from server.services import conflicts as conflict_service
from server.services import houses as house_service
from server.services import persons as person_service
from server.services import units as unit_service
from server.store import scoping
from server.store.models import Address, Conflict, House, InspectionDue, Person, Residence, Unit
from server.store.queries import feed as q

_VISIBLE = {
    "address": (scoping.visible_addresses, Address),
    "house": (scoping.visible_houses, House),
    "unit": (scoping.visible_units, Unit),
    "residence": (scoping.visible_residences, Residence),
    "inspection_due": (scoping.visible_dues, InspectionDue),  # only the caller's role's obligations
}


@dataclass(frozen=True)
class FeedItem:
    entity_type: str
    entity_id: object
    op: str  # upsert | delete
    record: object | None  # the current record (upsert), None (tombstone)
    person: Person | None = None  # for residences


@dataclass(frozen=True)
class Cursor:
    """Where a phone is in the feed: the epoch it synced in, the last place it
    received, a digest of its area when it did, and the compaction horizon it read under
    (0 for cursors from before compaction existed)."""

    epoch: str
    pos: int
    scope: str
    horizon: int = 0


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedItem]
    cursor: Cursor
    more: bool
    reset: bool


def epoch(session: Session) -> str:
    """Changes with a restore (another cluster or database) or `gridwork sync new-epoch`."""
    return hashlib.sha256("|".join(map(str, q.epoch_identity(session))).encode()).hexdigest()[:16]


def scope_digest(session: Session, actor: Actor) -> str:
    """Changes when the actor's area changes (then the phone must start over):
    the account's own scope, and what that area holds now (the grids of a
    station or community, a landlord's houses)."""
    parts = [
        actor.role or "",
        str(actor.account_id),
        ",".join(sorted(map(str, actor.grid_ids))),
        str(actor.community_id),
        str(actor.station_id),
        ",".join(q.scope_members(session, actor)),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Compaction:
    horizon: int  # the feed at or below this place keeps only what a phone starting over needs
    removed: int  # rows removed by this run
    busy: bool = False  # another compaction was running: this one did nothing


def changes(session: Session, actor: Actor, *, cursor: Cursor | None, limit: int) -> FeedPage:
    require(actor, "house.read")
    q.share_reading(session)  # the horizon and the rows below of one compaction, until we commit
    placed = q.place(session)
    current = Cursor(epoch(session), 0, scope_digest(session, actor), q.horizon(session))
    reset = cursor is not None and (
        (cursor.epoch, cursor.scope) != (current.epoch, current.scope) or _behind(cursor, current.horizon)
    )
    after = cursor.pos if cursor is not None and not reset else None
    rows = q.after(session, scoping.feed_condition(actor), after, limit + 1)
    more = len(rows) > limit or placed == q.PLACE_BATCH  # more rows may be waiting for their place
    rows = rows[:limit]
    latest: dict[tuple[str, object], object] = {}
    for row in rows:  # one item per record per page: its latest state
        latest.pop((row.entity_type, row.entity_id), None)
        latest[(row.entity_type, row.entity_id)] = row
    items = _items(session, actor, list(latest.values()))
    persons = [i.person for i in items if i.person is not None]
    person_service.audit_read(session, actor, persons, purpose="sync to device")
    upserts = [i for i in items if i.record is not None]
    house_service.audit_read(
        session, actor, [i.record for i in upserts if i.entity_type == "house"], purpose="sync to device"
    )
    unit_service.audit_read(
        session, actor, [i.record for i in upserts if i.entity_type == "unit"], purpose="sync to device"
    )
    conflict_service.audit_rows(session, actor, [i.record for i in upserts if isinstance(i.record, Conflict)])
    last = rows[-1].pos if rows else None  # rows from the feed are stamped with their place
    pos = last if last is not None else (after or 0)
    return FeedPage(
        items=items, cursor=Cursor(current.epoch, pos, current.scope, current.horizon), more=more, reset=reset
    )


def _behind(cursor: Cursor, horizon: int) -> bool:
    """The phone's next changes may have been compacted away (a tombstone, say): its cursor is below the
    horizon and was not handed out while reading this same compacted feed (a phone starting over)."""
    return cursor.pos < horizon and cursor.horizon != horizon


def compact(session: Session, *, retention_days: int, now: datetime | None = None) -> Compaction:
    """Compact what is older than ``retention_days``: at or below the new horizon (the last place of a
    row written before the cutoff) keep only each record's latest upsert per grid. Idempotent; writers
    go on meanwhile (new rows get places above the horizon); readers wait only for the delete itself.
    The caller commits (readers stay held off until then)."""
    if not q.take_compacting_turn(session):
        return Compaction(q.horizon(session), 0, busy=True)
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    previous = q.horizon(session)
    horizon = max(previous, q.last_place_before(session, cutoff))
    seqs = q.removable(session, horizon)
    if horizon == previous and not seqs:
        return Compaction(horizon, 0)
    q.remove(session, seqs, horizon=horizon, cutoff=cutoff)
    return Compaction(horizon, len(seqs))


def new_epoch(session: Session, reason: str) -> str:
    """Start a new epoch: every phone's next sync answers reset: true (after a
    restore, or a failover that may have lost acknowledged changes)."""
    q.new_epoch(session, reason)
    return epoch(session)


def _items(session: Session, actor: Actor, rows: list) -> list[FeedItem]:
    """The page's items, in the order of ``rows``: each type's records fetched in one scoped statement
    (and the residents' persons in one), so a page costs a fixed number of statements."""
    wanted: dict[str, list] = {}
    for row in rows:
        if row.op != "delete":
            wanted.setdefault(row.entity_type, []).append(row.entity_id)
    found = {kind: _records(session, actor, kind, ids) for kind, ids in wanted.items()}
    residences = found.get("residence", {}).values()
    persons = q.records(session, Person, {r.person_id for r in residences})
    items = []
    for row in rows:
        record = found.get(row.entity_type, {}).get(row.entity_id) if row.op != "delete" else None
        if record is None or (row.entity_type == "inspection_due" and record.due_on is None):
            items.append(FeedItem(row.entity_type, row.entity_id, "delete", None))  # gone, out of scope, not due
            continue
        person = persons.get(record.person_id) if row.entity_type == "residence" else None
        items.append(FeedItem(row.entity_type, row.entity_id, "upsert", record, person))
    return items


def _records(session: Session, actor: Actor, kind: str, ids: list) -> dict:
    if kind == "conflict":  # filed in the grids of both sides (the feed rows say which); not for landlords
        return {} if actor.role == "landlord" else q.records(session, Conflict, ids)
    visible, model = _VISIBLE[kind]
    return q.visible_records(session, visible(actor), model, ids)
