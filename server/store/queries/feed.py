"""The change feed in the order its changes became visible, and its epoch
(docs/decisions/0003-change-feed.md, docs/decisions/0010-feed-survives-restore.md)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ColumnElement, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.store import scoping
from server.store.models import Change, FeedCompaction, FeedEpoch, Grid, House

# One stamper at a time (a transaction-level advisory lock, held until commit).
PLACING_LOCK = 0x67726964_66656564 & 0x7FFFFFFFFFFFFFFF  # "gridfeed"
PLACE_BATCH = 5000
# Readers share it for their whole transaction; a compaction takes it alone for its delete, so a reader
# sees the horizon and the rows of one and the same compaction (decision 0020).
READING_LOCK = 0x67726964_72656164 & 0x7FFFFFFFFFFFFFFF  # "gridread"
# One compaction at a time.
COMPACTING_LOCK = 0x67726964_636D7074 & 0x7FFFFFFFFFFFFFFF  # "gridcmpt"

# Rows at or below the horizon that a phone starting from scratch does not need: every tombstone (a phone
# that holds the record has a cursor above it, or starts over) and every row with a later one for the same
# record in the same grid (the feed sends a record's state at read time, so the latest row says it all).
REMOVABLE = """
SELECT seq FROM (
    SELECT seq, pos, op, max(pos) OVER (PARTITION BY entity_type, entity_id, grid_id) AS last
    FROM changes WHERE pos IS NOT NULL
) c
WHERE pos <= :horizon AND (op = 'delete' OR pos < last)
"""


def place(session: Session, batch: int = PLACE_BATCH) -> int | None:
    """Give committed rows that have no place yet their place, in insert order.

    Only one transaction at a time places rows, and it keeps that turn until it
    commits, so places become visible in increasing order: a reader that has
    seen place P never later finds a new row below P. Rows of transactions
    still running are invisible here and get a later place once committed.
    Returns how many rows were placed, or None when another transaction holds
    the turn right now (its rows appear when it commits)."""
    if not session.scalar(select(func.pg_try_advisory_xact_lock(PLACING_LOCK))):
        return None
    seqs = list(session.scalars(select(Change.seq).where(Change.pos.is_(None)).order_by(Change.seq).limit(batch)))
    if not seqs:
        return 0
    first = session.scalar(text("SELECT nextval('changes_pos_seq')"))
    if len(seqs) > 1:  # reserve the block; nobody else draws from this sequence meanwhile
        session.execute(text("SELECT setval('changes_pos_seq', :last)"), {"last": first + len(seqs) - 1})
    session.execute(
        text(
            "UPDATE changes c SET pos = :first + t.n - 1 FROM unnest(:seqs) WITH ORDINALITY AS t(seq, n) "
            "WHERE c.seq = t.seq"
        ).bindparams(bindparam("seqs", type_=ARRAY(BigInteger))),
        {"first": first, "seqs": seqs},
    )
    return len(seqs)


def after(session: Session, condition: ColumnElement[bool], pos: int | None, limit: int) -> list[Change]:
    query = select(Change).where(condition, Change.pos.is_not(None))
    if pos is not None:
        query = query.where(Change.pos > pos)
    return list(session.scalars(query.order_by(Change.pos).limit(limit)))


def share_reading(session: Session) -> None:
    """Until this transaction ends, no compaction removes rows (it waits; readers wait while one does)."""
    session.execute(select(func.pg_advisory_xact_lock_shared(READING_LOCK)))


def horizon(session: Session) -> int:
    """The place at or below which the feed is compacted (0: never compacted)."""
    return int(session.scalar(select(func.coalesce(func.max(FeedCompaction.horizon), 0))) or 0)


def last_place_before(session: Session, cutoff) -> int:
    """The highest place of a row written before ``cutoff`` (0: none)."""
    query = select(func.coalesce(func.max(Change.pos), 0)).where(Change.pos.is_not(None), Change.at < cutoff)
    return int(session.scalar(query) or 0)


def take_compacting_turn(session: Session) -> bool:
    """One compaction at a time: False when another one is running now."""
    return bool(session.scalar(select(func.pg_try_advisory_xact_lock(COMPACTING_LOCK))))


def removable(session: Session, horizon: int) -> list[int]:
    return list(session.scalars(text(REMOVABLE), {"horizon": horizon}))


def remove(session: Session, seqs: list[int], *, horizon: int, cutoff) -> None:
    """Remove ``seqs`` and record the new horizon, with readers held off until this transaction commits
    (it waits for those in flight to finish first)."""
    session.execute(select(func.pg_advisory_xact_lock(READING_LOCK)))
    session.execute(
        text("DELETE FROM changes WHERE seq = ANY(:seqs)").bindparams(bindparam("seqs", type_=ARRAY(BigInteger))),
        {"seqs": seqs},
    )
    session.add(FeedCompaction(horizon=horizon, cutoff=cutoff, removed=len(seqs)))
    session.flush()


def epoch_identity(session: Session) -> tuple[str, int, int]:
    """The newest epoch, the cluster's system identifier and this database's
    oid: a restore into another cluster or another database changes one of them."""
    row = session.execute(
        text(
            "SELECT e.id::text, s.system_identifier, d.oid::bigint "
            "FROM (SELECT id FROM feed_epochs ORDER BY started_at DESC, id DESC LIMIT 1) e, "
            "pg_control_system() s, pg_database d WHERE d.datname = current_database()"
        )
    ).one()
    return row[0], int(row[1]), int(row[2])


def new_epoch(session: Session, reason: str) -> FeedEpoch:
    row = FeedEpoch(reason=reason[:200])
    session.add(row)
    session.flush()
    return row


def scope_members(session: Session, actor: Actor) -> list[str]:
    """What the actor's area is made of right now: the grids of a committee's
    community or a police station's area, a landlord's houses. When it changes
    (a grid moves, a landlord gains or loses a house) the phone starts over."""
    if actor.role == "landlord":
        rows = session.scalars(select(House.id).where(House.landlord_account_id == actor.account_id))
    elif actor.role in ("committee", "police"):
        rows = session.scalars(select(Grid.id).where(scoping.grid_condition(actor, Grid.id)))
    else:  # admins see everything; a grid worker's grids are on the account itself
        return []
    return sorted(str(r) for r in rows)


def visible_records(session: Session, visible, model, ids) -> dict:
    """The changed records among ``visible`` (the caller's scoped query for their type), by id."""
    return {r.id: r for r in session.scalars(visible.where(model.id.in_(set(ids))))} if ids else {}


def records(session: Session, model, ids) -> dict:
    """Records by id, whoever may see them (the caller checked)."""
    if not ids:
        return {}
    found: list[Any] = list(session.scalars(select(model).where(model.id.in_(set(ids)))))
    return {r.id: r for r in found}
