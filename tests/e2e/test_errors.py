"""Every error has one shape, a stable code, and names the field at fault."""

SHAPE = {"code", "status", "message", "errors"}


def test_unknown_paths_answer_404_in_the_error_shape(anon):
    r = anon.get("/api/v1/no-such-thing")
    assert r.status_code == 404
    assert set(r.get_json()) >= SHAPE and r.get_json()["code"] == "not_found"


def test_wrong_method_answers_405_with_allow(as_admin):
    r = as_admin.put("/api/v1/healthz")
    assert r.status_code == 405
    assert set(r.headers["Allow"].replace(" ", "").split(",")) >= {"GET"}
    assert r.get_json()["code"] == "method_not_allowed"


def test_unknown_fields_are_rejected_not_ignored(anon):
    r = anon.post("/api/v1/auth/tokens", json={"username": "a", "password": "b", "remember_me": True})
    assert r.status_code == 422
    assert r.get_json()["errors"] == {"remember_me": ["未知字段。"]}


def test_missing_fields_are_named(anon):
    r = anon.post("/api/v1/auth/tokens", json={"username": "a"})
    assert r.status_code == 422
    body = r.get_json()
    assert body["code"] == "validation.failed"
    assert body["errors"] == {"password": ["缺少必填字段。"]}
    assert "password" in body["message"]


def test_broken_json_is_a_400_that_says_so(anon):
    r = anon.post("/api/v1/auth/tokens", data="{not json", content_type="application/json")
    assert r.status_code == 400
    assert r.get_json()["code"] == "request.malformed"
    assert "JSON" in r.get_json()["message"]


def test_oversized_bodies_answer_413(app, anon):
    r = anon.post(
        "/api/v1/auth/tokens", data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1), content_type="application/json"
    )
    assert r.status_code == 413
    assert r.get_json()["code"] == "request.too_large"


def test_server_errors_hide_internals_but_give_a_request_id(app, anon, monkeypatch):
    from server.services import health

    def explode(*a, **k):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(health, "check", explode)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        r = anon.get("/api/v1/healthz", headers={"X-Request-ID": "trace-me-1"})
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert r.status_code == 500
    body = r.get_json()
    assert body["code"] == "internal" and body["request_id"] == "trace-me-1"
    assert "secret" not in r.get_data(as_text=True)


def test_a_nul_character_in_a_query_parameter_is_a_422_naming_it(as_police):
    for url, field in (("/api/v1/divisions?parent=33%0001", "parent"), ("/api/v1/visits?grid=G%00-1", "grid")):
        r = as_police.get(url)
        assert (r.status_code, list(r.get_json()["errors"])) == (422, [field]), url


def test_a_database_outage_is_a_503_with_retry_after_so_phones_back_off(tmp_path):
    """Nothing listens on the database port: every request, signed in or not, says 'later', not 'broken'."""
    import socket

    from server.app import create_app

    with socket.socket() as s:  # a port that was free a moment ago: connecting to it is refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"postgresql+psycopg://nobody:x@127.0.0.1:{port}/gone",
            "MEDIA_BACKEND": "local",
            "MEDIA_ROOT": str(tmp_path),
        }
    )
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    for r in (
        client.post("/api/v1/auth/tokens", json={"username": "worker", "password": "correct horse battery"}),
        client.get("/api/v1/houses", headers={"Authorization": "Bearer " + "a" * 43}),
    ):
        assert r.status_code == 503, r.get_json()
        assert r.get_json()["code"] == "service.unavailable"
        assert int(r.headers["Retry-After"]) > 0
    r = client.get("/api/v1/healthz")
    assert (r.status_code, r.get_json()["database"]["ok"]) == (503, False)
    assert int(r.headers["Retry-After"]) > 0
    app.extensions["gridwork.db"].dispose()


def test_a_connection_cut_before_the_commit_is_a_503_and_nothing_is_kept(make_database, tmp_path):
    """The database drops the request's connection after the work and before the commit (a restart, a
    failover): the phone must hear 'send it again later', and indeed nothing was stored."""
    import sqlalchemy as sa
    from flask import g

    from server.app import create_app
    from server.store import migrate
    from tests.e2e.registry_helpers import IN_G0

    url = make_database()
    migrate.upgrade(url)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "MEDIA_BACKEND": "local", "MEDIA_ROOT": str(tmp_path)})
    app.config["PROPAGATE_EXCEPTIONS"] = False
    killer = sa.create_engine(url)

    @app.after_request
    def cut_the_connection(response):  # runs before the commit hook (registered later, so called earlier)
        if "db_session" in g:
            pid = g.db_session.execute(sa.text("SELECT pg_backend_pid()")).scalar()
            with killer.begin() as conn:
                conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return response

    body = {
        "username": "cut.landlord",
        "password": "landlord secret 1",
        "name": "方丽",
        "phone": "13800001111",
        "document_type": "passport",
        "document_number": "E12345678",
        "houses": [{"address": "幸福路 12号 501", "location": IN_G0}],
    }
    try:
        r = app.test_client().post("/api/v1/landlord/account-requests", json=body)
        assert r.status_code == 503, r.get_json()
        assert r.headers["Retry-After"]
        with killer.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM accounts WHERE username = 'cut.landlord'")).scalar() == 0
    finally:
        app.extensions["gridwork.db"].dispose()
        killer.dispose()
