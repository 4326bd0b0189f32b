"""Compaction under concurrent writers and readers (decision 0020): a change committed while the feed is
being compacted is never lost, and a reader never sees a horizon without the rows that go with it.
Real transactions on real connections, so its own database."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text, true
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from server.services import feed
from server.store.queries import feed as q

LATER = datetime.now(UTC) + timedelta(days=365)  # compacting "a year from now": every row so far is old


@pytest.fixture(scope="module")
def engine(own_engine):
    return own_engine


def _write(engine, entity_id, op="upsert"):
    with engine.connect() as conn:
        conn.execute(
            text("INSERT INTO changes (entity_type, entity_id, op) VALUES ('house', :id, :op)"),
            {"id": entity_id, "op": op},
        )
        conn.commit()


def _read(engine, pos):
    """One sync call: hold compaction off, place what committed, read after ``pos``, commit."""
    with Session(engine) as session:
        q.share_reading(session)
        q.place(session)
        rows = [(r.entity_id, r.op, r.pos) for r in q.after(session, true(), pos, 1000)]
        session.commit()
    return [(entity_id, op) for entity_id, op, _ in rows], (rows[-1][2] if rows else pos)


def test_a_change_committed_during_compaction_is_not_lost(engine):
    record = uuid.uuid4()
    for _ in range(3):
        _write(engine, record)
    _, pos = _read(engine, None)
    with Session(engine) as compacting:
        done = feed.compact(compacting, retention_days=30, now=LATER)
        assert done.removed >= 2  # the superseded rows of `record`, not yet committed
        _write(engine, record)  # a writer commits meanwhile: a later change of the same record
        unplaced = uuid.uuid4()
        _write(engine, unplaced)
        compacting.commit()
    seen, pos = _read(engine, pos)
    assert seen == [(record, "upsert"), (unplaced, "upsert")]
    with Session(engine) as compacting:  # the next night: those two are the latest rows, and stay
        again = feed.compact(compacting, retention_days=30, now=LATER)
        compacting.commit()
    assert again.horizon == pos and _read(engine, None)[0][-2:] == [(record, "upsert"), (unplaced, "upsert")]


def test_readers_wait_while_a_compaction_removes_rows(engine):
    gone = uuid.uuid4()
    _write(engine, gone)
    _write(engine, gone, "delete")
    _read(engine, None)
    with Session(engine) as compacting:
        assert feed.compact(compacting, retention_days=30, now=LATER).removed >= 2
        with Session(engine) as reader:
            reader.execute(text("SET lock_timeout = '200ms'"))
            with pytest.raises(OperationalError, match="lock timeout"):
                q.share_reading(reader)  # would otherwise see the rows gone but the old horizon
            reader.rollback()
        compacting.commit()
    assert gone not in {entity_id for entity_id, _ in _read(engine, None)[0]}


def test_only_one_compaction_runs_at_a_time(engine):
    with Session(engine) as first, Session(engine) as second:
        assert not feed.compact(first, retention_days=30, now=LATER).busy
        assert feed.compact(second, retention_days=30, now=LATER).busy
        first.commit()
        second.commit()
