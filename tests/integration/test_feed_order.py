"""The change feed under concurrent writers and readers (decision 0003's
guarantee, kept by decision 0010): a change that commits after a reader moved
on is never skipped, and a reader never sees a place that a later row could
still undercut. Real transactions on real connections, so its own database."""

import uuid

import pytest
from sqlalchemy import text, true
from sqlalchemy.orm import Session

from server.store.queries import feed as q


@pytest.fixture(scope="module")
def engine(own_engine):
    return own_engine


def _write(conn, entity_id):
    conn.execute(
        text("INSERT INTO changes (entity_type, entity_id, op) VALUES ('house', :id, 'upsert')"), {"id": entity_id}
    )


def _read(engine, pos):
    """One sync call: place what committed, read after ``pos``, commit. Returns (ids, last pos)."""
    with Session(engine) as session:
        q.place(session)
        rows = [(r.entity_id, r.pos) for r in q.after(session, true(), pos, 1000)]
        session.commit()
    return [entity_id for entity_id, _ in rows], (rows[-1][1] if rows else pos)


def test_a_change_committed_after_a_later_one_is_not_skipped(engine):
    slow, fast = uuid.uuid4(), uuid.uuid4()
    _, pos = _read(engine, None)
    with engine.connect() as slow_writer, engine.connect() as fast_writer:
        _write(slow_writer, slow)  # inserted first (lower seq), still running
        _write(fast_writer, fast)
        fast_writer.commit()
        seen, pos = _read(engine, pos)
        assert seen == [fast]
        slow_writer.commit()
    seen, pos = _read(engine, pos)
    assert seen == [slow]  # after the cursor, although it was inserted before `fast`
    assert _read(engine, pos) == ([], pos)


def test_places_given_by_an_unfinished_reader_are_not_overtaken(engine):
    first, second = uuid.uuid4(), uuid.uuid4()
    _, pos = _read(engine, None)
    with engine.connect() as writer:
        _write(writer, first)
        writer.commit()
    with Session(engine) as placing:  # a sync call that placed `first` and has not committed yet
        assert q.place(placing) == 1
        with engine.connect() as writer:
            _write(writer, second)
            writer.commit()
        seen, other_pos = _read(engine, pos)  # another phone meanwhile: must not get `second` before `first`
        assert seen == []
        placing.commit()
    seen, pos = _read(engine, other_pos)
    assert seen == [first, second]
