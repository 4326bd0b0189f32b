"""Compacting the change feed (decision 0020): below the horizon only each record's latest state stays.
A phone that synced within the retention window gets exactly what changed after its cursor; a phone
behind the horizon starts over (reset) and receives its whole area, never a stale record."""

from datetime import timedelta

from sqlalchemy import func, select, text

from server.services import feed
from tests.e2e.registry_helpers import house, person, residence
from tests.e2e.sync_helpers import drain
from tests.e2e.sync_helpers import held as _held


def _drain(client, cursor=None, limit=3):
    """Small pages, so that a sync crosses the horizon mid-way."""
    return drain(client, cursor, limit)


def _now(session):
    return session.scalar(select(func.clock_timestamp()))


def _compact_before(session, mark):
    """Compact what was written before ``mark``, as the nightly job does 30 days later."""
    done = feed.compact(session, retention_days=30, now=mark + timedelta(days=30))
    session.flush()
    return done


def _history(client):
    """Records with a past: a house edited three times, one deleted, a resident with a move."""
    edited, gone = house(client), house(client)
    for rooms in (2, 3, 4):
        assert client.patch(f"/api/v1/houses/{edited['id']}", json={"rooms": rooms}).status_code == 200
    assert client.delete(f"/api/v1/houses/{gone['id']}").status_code == 204
    p = person(client)
    residence(client, p["id"], edited["id"])
    return edited, gone


def _feed_rows(session):
    return session.execute(text("SELECT seq, pos, entity_type, entity_id, grid_id, op FROM changes ORDER BY pos")).all()


def test_a_phone_inside_the_window_gets_only_the_changes_after_its_cursor(as_worker, session):
    edited, _ = _history(as_worker)
    _, cursor, _ = _drain(as_worker)
    mark = _now(session)
    fresh = house(as_worker)
    assert as_worker.patch(f"/api/v1/houses/{edited['id']}", json={"rooms": 5}).status_code == 200
    doomed = house(as_worker)
    assert as_worker.delete(f"/api/v1/houses/{doomed['id']}").status_code == 204

    assert _compact_before(session, mark).removed > 0
    items, _, reset = _drain(as_worker, cursor)

    assert reset is False
    assert {(i["type"], i["id"], i["op"]) for i in items} == {
        ("address", fresh["address"]["id"], "upsert"),
        ("house", fresh["id"], "upsert"),
        ("house", edited["id"], "upsert"),
        ("address", doomed["address"]["id"], "upsert"),
        ("house", doomed["id"], "delete"),  # the tombstone inside the window survives
    }
    assert next(i for i in items if i["id"] == edited["id"])["data"]["rooms"] == 5


def test_a_phone_behind_the_horizon_starts_over_and_receives_the_whole_current_area(as_worker, session):
    gone = house(as_worker)
    held_items, old_cursor, _ = _drain(as_worker)  # a phone that synced once, then stayed in a drawer
    assert ("house", gone["id"]) in _held(held_items)
    assert as_worker.delete(f"/api/v1/houses/{gone['id']}").status_code == 204  # its tombstone will go
    edited, _ = _history(as_worker)
    expected = _held(_drain(as_worker)[0])  # what a new phone holds, before compaction
    _compact_before(session, _now(session))

    items, _, reset = _drain(as_worker, old_cursor)

    assert reset is True
    now_held = _held(items if reset else held_items + items)
    assert now_held == expected and ("house", gone["id"]) not in now_held
    assert expected[("house", edited["id"])]["rooms"] == 4
    assert all(i["op"] == "upsert" for i in items)  # no tombstones for records the phone never held


def test_a_new_phone_reads_the_compacted_feed_page_by_page_without_being_reset(as_worker, session):
    _history(as_worker)
    expected = _held(_drain(as_worker)[0])
    _compact_before(session, _now(session))
    items, _, reset = _drain(as_worker, limit=2)
    assert reset is False and _held(items) == expected


def test_compaction_keeps_the_latest_row_per_record_and_grid_and_the_window_untouched(as_worker, session):
    _history(as_worker)
    mark = _now(session)
    recent = house(as_worker)
    assert as_worker.delete(f"/api/v1/houses/{recent['id']}").status_code == 204
    as_worker.get("/api/v1/sync/changes")  # gives the rows their places
    before = _feed_rows(session)

    done = _compact_before(session, mark)

    after = _feed_rows(session)
    old = [r for r in after if r.pos <= done.horizon]
    keys = [(r.entity_type, r.entity_id, r.grid_id) for r in old]
    assert len(keys) == len(set(keys))  # one row per record and grid below the horizon
    assert {r.op for r in old} == {"upsert"}
    latest = {(r.entity_type, r.entity_id, r.grid_id): r for r in before}  # ordered by pos: the last wins
    assert all(latest[k].seq == r.seq for k, r in zip(keys, old, strict=True))
    window = [r for r in before if r.pos > done.horizon]
    assert [r for r in after if r.pos > done.horizon] == window  # inside the window nothing goes
    assert ("house", recent["id"]) in {(r.entity_type, str(r.entity_id)) for r in window if r.op == "delete"}


def test_compacting_twice_changes_nothing(as_worker, session):
    _history(as_worker)
    as_worker.get("/api/v1/sync/changes")
    mark = _now(session)
    first = _compact_before(session, mark)
    rows = _feed_rows(session)
    compactions = session.scalar(text("SELECT count(*) FROM feed_compactions"))

    second = _compact_before(session, mark)

    assert (second.horizon, second.removed) == (first.horizon, 0)
    assert _feed_rows(session) == rows
    assert session.scalar(text("SELECT count(*) FROM feed_compactions")) == compactions


def test_a_cursor_from_before_compaction_existed_still_syncs(as_worker, session):
    import base64
    import json

    _, cursor, _ = _drain(as_worker)
    epoch, pos, scope, _ = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    old = base64.urlsafe_b64encode(json.dumps([epoch, pos, scope]).encode()).decode().rstrip("=")
    h = house(as_worker)
    body = as_worker.get("/api/v1/sync/changes", query_string={"cursor": old}).get_json()
    assert body["reset"] is False and h["id"] in {i["id"] for i in body["items"]}
