"""Signing in and out, token lifetimes, disabled accounts and throttling."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from server.store.models import AuditEvent, Token


def _login(anon, username, password="correct horse battery", **extra):
    return anon.post("/api/v1/auth/tokens", json={"username": username, "password": password, **extra})


def test_web_login_gives_a_12_hour_token_that_opens_me(anon, build, district):
    account = build.account("grid_worker", grids=[district.grids[0].code])
    r = _login(anon, account.username.upper())  # usernames are case-insensitive
    assert r.status_code == 201
    body = r.get_json()
    assert body["kind"] == "web" and body["token_type"] == "Bearer"
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(hours=11, minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=12)
    me = anon.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"}).get_json()
    assert me["username"] == account.username
    assert me["role"] == "grid_worker"
    assert [g["code"] for g in me["scope"]["grids"]] == [district.grids[0].code]
    assert "visit.create" in me["verbs"] and "account.create" not in me["verbs"]


def test_a_phone_gets_a_30_day_device_token(anon, build):
    account = build.account("landlord")
    body = _login(anon, account.username, device_id="android-7f3a").get_json()
    assert body["kind"] == "device" and body["device_id"] == "android-7f3a"
    assert datetime.fromisoformat(body["expires_at"]) - datetime.now(UTC) > timedelta(days=29, hours=23)


def test_only_the_hash_of_a_token_is_stored(anon, build, session):
    account = build.account("admin")
    token = _login(anon, account.username).get_json()["token"]
    rows = session.scalars(select(Token).where(Token.account_id == account.id)).all()
    assert len(rows) == 1 and token.encode() not in rows[0].token_hash


def test_wrong_password_and_unknown_user_get_the_same_answer(anon, build):
    account = build.account("admin")
    wrong = _login(anon, account.username, "not the password")
    unknown = _login(anon, "nobody-here", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert wrong.get_json()["code"] == "auth.invalid_credentials"


def test_logout_takes_effect_on_the_next_request(as_worker):
    assert as_worker.delete("/api/v1/auth/tokens/current").status_code == 204
    r = as_worker.get("/api/v1/me")
    assert r.status_code == 401 and r.get_json()["code"] == "auth.token_revoked"


def test_expired_tokens_are_refused_with_a_clear_code(as_worker, session):
    session.execute(Token.__table__.update().values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    r = as_worker.get("/api/v1/me")
    assert r.status_code == 401
    assert r.get_json()["code"] == "auth.token_expired"
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_disabled_accounts_cannot_sign_in_or_use_old_tokens(as_admin, login, anon):
    worker = login("landlord")
    r = as_admin.patch(f"/api/v1/users/{worker.account_id}", json={"disabled": True})
    assert r.status_code == 200 and r.get_json()["disabled"] is True
    assert worker.get("/api/v1/me").status_code == 401
    again = _login(anon, worker.username)
    assert again.status_code == 401 and again.get_json()["code"] == "auth.account_disabled"


def test_tokens_are_never_taken_from_the_url(as_worker, anon):
    r = anon.get(f"/api/v1/me?access_token={as_worker.token}")
    assert r.status_code == 401


def test_garbage_tokens_and_other_schemes_are_refused(anon):
    assert (
        anon.get("/api/v1/me", headers={"Authorization": "Bearer gw_nonsense"}).get_json()["code"]
        == "auth.token_invalid"
    )
    assert anon.get("/api/v1/me", headers={"Authorization": "Basic YTpi"}).get_json()["code"] == "auth.malformed_header"


def test_repeated_failures_lock_the_username_for_a_while(anon, build, app):
    account = build.account("police", station=build.station().code)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert _login(anon, account.username, "guess guess").status_code == 401
    locked = _login(anon, account.username)  # even the right password waits
    assert locked.status_code == 429
    assert locked.get_json()["code"] == "auth.locked"
    assert 0 < int(locked.headers["Retry-After"]) <= app.config["LOGIN_LOCK_MINUTES"] * 60
    other = build.account("admin")
    assert _login(anon, other.username).status_code == 201  # other users are unaffected


def test_a_successful_login_resets_the_failure_count(anon, build, app):
    account = build.account("admin")
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        _login(anon, account.username, "guess guess")
    assert _login(anon, account.username).status_code == 201
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        _login(anon, account.username, "guess guess")
    assert _login(anon, account.username).status_code == 201


def test_logins_failures_and_logouts_are_audited(anon, build, session):
    account = build.account("committee", community=build.district().community.code)
    _login(anon, account.username, "wrong password")
    token = _login(anon, account.username).get_json()["token"]
    anon.delete("/api/v1/auth/tokens/current", headers={"Authorization": f"Bearer {token}", "X-Request-ID": "req-42"})
    events = session.execute(
        select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.request_id, AuditEvent.client_addr)
        .where(AuditEvent.subject_ids == [account.username])
        .order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["auth.login_failed", "auth.login", "auth.logout"]
    assert events[0].actor_id is None and events[1].actor_id == account.id
    assert events[2].request_id == "req-42"
    assert all(e.client_addr is not None for e in events)


def test_a_phone_holding_a_revoked_token_can_still_sign_in(as_worker):
    as_worker.delete("/api/v1/auth/tokens/current")
    r = as_worker.post(
        "/api/v1/auth/tokens", json={"username": as_worker.username, "password": "correct horse battery"}
    )
    assert r.status_code == 201
