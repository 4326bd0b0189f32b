"""Operators manage accounts from the command line."""

from click.testing import CliRunner
from flask.cli import ScriptInfo

from server.cli import main


def _run(app, args, stdin=None):
    return CliRunner().invoke(main, args, input=stdin, obj=ScriptInfo(create_app=lambda: app))


def test_create_an_account_from_a_script_then_sign_in(app, db, district, anon):
    result = _run(
        app,
        [
            "users",
            "create",
            "--role",
            "grid_worker",
            "--username",
            "Li.Na",
            "--grid",
            district.grids[0].code,
            "--password-stdin",
        ],
        "a long passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "created grid_worker account li.na" in result.output
    r = anon.post("/api/v1/auth/tokens", json={"username": "li.na", "password": "a long passphrase"})
    assert r.status_code == 201
    assert [g["code"] for g in r.get_json()["account"]["scope"]["grids"]] == [district.grids[0].code]


def test_cli_explains_a_bad_request_instead_of_a_traceback(app, db):
    result = _run(
        app,
        ["users", "create", "--role", "grid_worker", "--username", "nogrid", "--password-stdin"],
        "a long passphrase\n",
    )
    assert result.exit_code != 0
    assert "needs a grid" in result.output


def test_disable_signs_the_account_out(app, db, as_worker):
    assert as_worker.get("/api/v1/me").status_code == 200
    result = _run(app, ["users", "disable", as_worker.username])
    assert result.exit_code == 0, result.output
    r = as_worker.get("/api/v1/me")
    assert r.status_code == 401
    assert r.get_json()["code"] in ("auth.token_revoked", "auth.account_disabled")


def test_feed_compact_keeps_each_records_latest_change_and_a_second_run_does_nothing(app, db, session, as_worker):
    from sqlalchemy import text

    from tests.e2e.registry_helpers import house

    h = house(as_worker)
    for rooms in (2, 3, 4):
        assert as_worker.patch(f"/api/v1/houses/{h['id']}", json={"rooms": rooms}).status_code == 200
    as_worker.get("/api/v1/sync/changes")  # places the rows
    session.execute(text("UPDATE changes SET at = at - interval '40 days'"))
    session.flush()
    rows = "SELECT count(*) FROM changes WHERE entity_type = 'house' AND entity_id = :id"

    first = _run(app, ["feed", "compact"])
    assert first.exit_code == 0, first.output
    assert "older than 30 days" in first.output and " 0 rows removed" not in first.output
    assert session.scalar(text(rows), {"id": h["id"]}) == 1
    second = _run(app, ["feed", "compact"])
    assert second.exit_code == 0 and " 0 rows removed" in second.output, second.output

    assert _run(app, ["feed", "compact", "--retention-days", "0"]).exit_code != 0  # at least a day


def test_the_nightly_job_compacts_the_feed_like_the_command(app, db, session, as_worker):
    from sqlalchemy import text

    from server.jobs import tasks
    from tests.e2e.registry_helpers import house

    h = house(as_worker)
    assert as_worker.patch(f"/api/v1/houses/{h['id']}", json={"rooms": 2}).status_code == 200
    as_worker.get("/api/v1/sync/changes")
    session.execute(text("UPDATE changes SET at = at - interval '40 days'"))
    session.flush()
    tasks.bind(app)
    assert "rows removed" in tasks.compact_feed.func(timestamp=0)
    rows = session.execute(
        text("SELECT op FROM changes WHERE entity_type = 'house' AND entity_id = :id"), {"id": h["id"]}
    )
    assert rows.scalars().all() == ["upsert"]
