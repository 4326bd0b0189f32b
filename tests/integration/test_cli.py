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
