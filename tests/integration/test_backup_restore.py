"""`gridwork backup` and `gridwork restore` onto a fresh PostgreSQL cluster keep
sync exact: a phone with no cursor receives its whole area, a phone whose
cursor predates the restore starts over (reset), and later changes reach both.

Everything here commits for real (two clusters, the CLI as a subprocess), so
it uses its own databases, not the rolled-back test transaction."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from devtools import devdb
from server.app import create_app
from server.store import backup, migrate
from tests.builders import Builders
from tests.conftest import ApiClient
from tests.e2e.registry_helpers import house

pytestmark = pytest.mark.slow

GRIDWORK = str(Path(sys.executable).with_name("gridwork"))
PASSWORD = "correct horse battery"


def _cli(url: str, *args: str) -> str:
    r = subprocess.run(
        [GRIDWORK, *args], env=os.environ | {"DATABASE_URL": url}, capture_output=True, text=True, timeout=600
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def _app(url, tmp_path):
    return create_app(
        {"TESTING": True, "DATABASE_URL": url, "MEDIA_BACKEND": "local", "MEDIA_ROOT": str(tmp_path / "media")}
    )


def _phone(app, username) -> ApiClient:
    client = app.test_client()
    r = client.post("/api/v1/auth/tokens", json={"username": username, "password": PASSWORD, "device_id": "phone"})
    assert r.status_code == 201, r.get_json()
    return ApiClient(client, r.get_json()["token"], username)


def _sync(phone, cursor=None):
    """Drain the feed from ``cursor``: the items, the last cursor, and whether it answered reset."""
    items, more, reset = [], True, False
    while more:
        r = phone.get("/api/v1/sync/changes", query_string={"limit": 25} | ({"cursor": cursor} if cursor else {}))
        assert r.status_code == 200, r.get_json()
        body = r.get_json()
        reset = reset or body["reset"]
        items += body["items"]
        cursor, more = body["next_cursor"], body["more"]
    return items, cursor, reset


def _apply(held: set, items) -> set:
    held = set(held)
    for i in items:
        if i["type"] == "house":
            (held.discard if i["op"] == "delete" else held.add)(i["id"])
    return held


def _burn_transaction_ids(url, n=1500):
    """The original cluster has handed out more transaction ids than a fresh one (as in production)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        for _ in range(n):
            conn.execute(text("SELECT pg_current_xact_id()"))
            conn.commit()
    engine.dispose()


def test_restore_onto_a_fresh_cluster_keeps_sync_exact(make_database, tmp_path):
    url = make_database()
    migrate.upgrade(url)
    _burn_transaction_ids(url)
    engine = create_engine(url)
    with Session(engine) as session:
        build = Builders(session)
        district = build.district()
        worker = build.account("grid_worker", password=PASSWORD, grids=[district.grids[0].code])
        username = worker.username
        session.commit()
    engine.dispose()

    app = _app(url, tmp_path)
    phone_a = _phone(app, username)
    before = {house(phone_a)["id"] for _ in range(30)}
    items, cursor_a, _ = _sync(phone_a)
    held_a = _apply(set(), items)
    assert held_a == before

    backup_file = tmp_path / "gridwork.dump"
    assert "backup written" in _cli(url, "backup", str(backup_file))
    lost = {house(phone_a)["id"] for _ in range(2)}  # acknowledged after the backup: lost with the old server
    items, cursor_a, _ = _sync(phone_a, cursor_a)
    held_a = _apply(held_a, items)
    assert held_a == before | lost
    app.extensions["gridwork.db"].dispose()

    with devdb.temporary_cluster() as fresh:
        restored_url = fresh.url()
        _cli(restored_url, "restore", str(backup_file))
        app2 = _app(restored_url, tmp_path)
        try:
            phone_b = _phone(app2, username)  # a new phone: no cursor
            items, cursor_b, reset = _sync(phone_b)
            held_b = _apply(set(), items)
            assert not reset and held_b == before

            phone_a = ApiClient(app2.test_client(), phone_a.token)  # its token was restored with the accounts
            items, cursor_a, reset = _sync(phone_a, cursor_a)
            assert reset, "a cursor from before the restore must start over"
            held_a = _apply(set(), items)  # reset: the phone drops its data and applies the items
            assert held_a == before

            later = house(phone_b)["id"]
            items, _, reset = _sync(phone_a, cursor_a)
            assert not reset and _apply(held_a, items) == before | {later}
            items, _, reset = _sync(phone_b, cursor_b)
            assert not reset and _apply(held_b, items) == before | {later}
        finally:
            app2.extensions["gridwork.db"].dispose()


def test_restore_refuses_a_database_that_is_not_empty_and_restores_beside_it(make_database, tmp_path):
    url = make_database()
    migrate.upgrade(url)
    backup_file = tmp_path / "gridwork.dump"
    _cli(url, "backup", str(backup_file))
    r = subprocess.run(
        [GRIDWORK, "restore", str(backup_file)],
        env=os.environ | {"DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode != 0 and "not empty" in r.stderr

    beside = f"{make_url(url).database}_restored"
    try:
        assert beside in _cli(url, "restore", "--database", beside, str(backup_file))
        restored = make_url(url).set(database=beside).render_as_string(hide_password=False)
        assert "alembic_version" in backup.user_tables(restored) and "houses" in backup.user_tables(restored)
    finally:
        devdb.drop_scratch_database(make_url(url).set(database=beside).render_as_string(hide_password=False))
