"""A 2xx means the data is on disk (issue #11): the database `make run` serves waits for the
WAL flush before a commit returns, and `gridwork serve` refuses one that does not."""

from devtools import devdb
from server import config
from server.store.db import durability_problems


def _served_url() -> str:
    """The database `gridwork serve` would use from this checkout's environment."""
    return config.from_environment()["DATABASE_URL"] or devdb.private_url()


def test_the_served_database_waits_for_the_disk_before_a_commit_returns():
    assert durability_problems(_served_url()) == []


def test_serve_refuses_a_database_that_could_lose_acknowledged_writes(app):
    from server.cli import main

    # The suite's own throwaway database skips the flush (durable=False), like any database
    # someone configured with synchronous_commit = off.
    assert durability_problems(app.config["DATABASE_URL"]) == [
        "synchronous_commit = off (a crash loses commits already acknowledged)"
    ]
    result = app.test_cli_runner().invoke(cli=main, args=["serve", "--port", "1"])
    assert result.exit_code != 0
    assert "the database is not durable" in result.output
    assert "synchronous_commit = off" in result.output


def test_an_instance_made_before_the_fix_is_made_durable_when_started(tmp_path):
    """Checkouts initialised with the old `synchronous_commit = off` line get it overridden at start."""
    import psycopg

    url = devdb.scratch_server_url()
    from sqlalchemy.engine import make_url

    u = make_url(url)
    with psycopg.connect(
        host=u.host, port=u.port, user=u.username, password=u.password, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute("ALTER SYSTEM SET synchronous_commit = 'off'")
        conn.execute("SELECT pg_reload_conf()")
        try:
            _wait_for(conn, "off")
            devdb.make_durable(conn)
            _wait_for(conn, "on")
        finally:
            conn.execute("ALTER SYSTEM SET synchronous_commit = 'on'")
            conn.execute("SELECT pg_reload_conf()")


def _wait_for(conn, value):
    import time

    for _ in range(50):  # a reload reaches this backend at its next command
        if conn.execute("SHOW synchronous_commit").fetchone()[0] == value:
            return
        time.sleep(0.05)
    raise AssertionError(f"synchronous_commit never became {value}")
