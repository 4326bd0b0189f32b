"""Administrators manage accounts; nobody else can."""

from sqlalchemy import select

from server.store.models import AuditEvent


def test_admin_creates_a_grid_worker_who_can_sign_in(as_admin, anon, district):
    r = as_admin.post(
        "/api/v1/users",
        json={
            "username": "Zhang.Min",
            "password": "a long passphrase",
            "role": "grid_worker",
            "display_name": "张敏",
            "grids": [district.grids[0].code, district.grids[1].code],
        },
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["username"] == "zhang.min" and body["display_name"] == "张敏"
    assert sorted(g["code"] for g in body["scope"]["grids"]) == sorted(g.code for g in district.grids[:2])
    assert "password" not in body and "password_hash" not in body
    assert (
        anon.post("/api/v1/auth/tokens", json={"username": "zhang.min", "password": "a long passphrase"}).status_code
        == 201
    )


def test_each_role_needs_its_scope(as_admin, district):
    r = as_admin.post("/api/v1/users", json={"username": "cop1", "password": "a long passphrase", "role": "police"})
    assert r.status_code == 422
    assert r.get_json()["errors"] == {"station": ["police 账号须有 station。"]}
    r = as_admin.post(
        "/api/v1/users",
        json={
            "username": "cop1",
            "password": "a long passphrase",
            "role": "police",
            "station": district.station.code,
            "grids": ["NOPE"],
        },
    )
    assert r.status_code == 422
    assert set(r.get_json()["errors"]) == {"grids"}


def test_weak_passwords_and_taken_usernames_are_refused_by_field(as_admin, as_worker):
    weak = {"username": "x.y", "password": "short", "role": "admin"}
    r = as_admin.post("/api/v1/users", json=weak)
    assert r.status_code == 422 and r.get_json()["errors"] == {"password": ["请至少使用 8 个字符。"]}
    r = as_admin.post("/api/v1/users", json=weak, headers={"Accept-Language": "en"})
    assert r.get_json()["errors"] == {"password": ["Use at least 8 characters."]}
    r = as_admin.post(
        "/api/v1/users", json={"username": as_worker.username.upper(), "password": "a long passphrase", "role": "admin"}
    )
    assert r.status_code == 409 and r.get_json()["code"] == "account.username_taken"


def test_only_admins_manage_accounts(as_police, as_worker, as_committee, as_landlord):
    for client in (as_police, as_worker, as_committee, as_landlord):
        assert client.get("/api/v1/users").status_code == 403
        r = client.post("/api/v1/users", json={"username": "sneaky", "password": "a long passphrase", "role": "admin"})
        assert r.status_code == 403 and r.get_json()["code"] == "auth.forbidden"


def test_accounts_are_listed_in_stable_pages(as_admin, build):
    for i in range(5):
        build.account("landlord", username=f"page-test-{i}")
    seen, cursor = [], None
    while True:
        url = "/api/v1/users?role=landlord&limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = as_admin.get(url).get_json()
        seen += [u["username"] for u in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert {f"page-test-{i}" for i in range(5)} <= set(seen)


def test_a_tampered_cursor_is_a_field_error(as_admin):
    r = as_admin.get("/api/v1/users?cursor=!!!")
    assert r.status_code == 422 and "cursor" in r.get_json()["errors"]


def test_moving_a_worker_to_another_grid_and_resetting_the_password(as_admin, login, anon, district):
    worker = login("grid_worker", grids=[district.grids[0].code])
    r = as_admin.patch(
        f"/api/v1/users/{worker.account_id}", json={"grids": [district.grids[2].code], "password": "another passphrase"}
    )
    assert r.status_code == 200
    assert [g["code"] for g in r.get_json()["scope"]["grids"]] == [district.grids[2].code]
    assert worker.get("/api/v1/me").status_code == 401  # a new password signs out old tokens
    assert (
        anon.post(
            "/api/v1/auth/tokens", json={"username": worker.username, "password": "another passphrase"}
        ).status_code
        == 201
    )


def test_unknown_accounts_answer_404(as_admin):
    r = as_admin.get("/api/v1/users/01890000-0000-7000-8000-000000000000")
    assert r.status_code == 404 and r.get_json()["code"] == "account.not_found"


def test_account_changes_are_audited(as_admin, login, session):
    worker = login("landlord")
    as_admin.patch(f"/api/v1/users/{worker.account_id}", json={"display_name": "房东 二号", "disabled": True})
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "account.update", AuditEvent.subject_ids == [str(worker.account_id)]
        )
    ).one()
    assert event.actor_id == as_admin.account_id and event.actor_role == "admin"
    assert set(event.fields) == {"display_name", "disabled"}
