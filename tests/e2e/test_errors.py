"""Every error has one shape, a stable code, and names the field at fault."""

SHAPE = {"code", "status", "message", "errors"}


def test_unknown_paths_answer_404_in_the_error_shape(anon):
    r = anon.get("/api/v1/no-such-thing")
    assert r.status_code == 404
    assert SHAPE <= set(r.get_json()) and r.get_json()["code"] == "not_found"


def test_wrong_method_answers_405_with_allow(as_admin):
    r = as_admin.put("/api/v1/healthz")
    assert r.status_code == 405
    assert set(r.headers["Allow"].replace(" ", "").split(",")) >= {"GET"}
    assert r.get_json()["code"] == "method_not_allowed"


def test_unknown_fields_are_rejected_not_ignored(anon):
    r = anon.post("/api/v1/auth/tokens", json={"username": "a", "password": "b", "remember_me": True})
    assert r.status_code == 422
    assert r.get_json()["errors"] == {"remember_me": ["Unknown field."]}


def test_missing_fields_are_named(anon):
    r = anon.post("/api/v1/auth/tokens", json={"username": "a"})
    assert r.status_code == 422
    body = r.get_json()
    assert body["code"] == "validation.failed"
    assert body["errors"] == {"password": ["Missing data for required field."]}
    assert "password" in body["message"]


def test_broken_json_is_a_400_that_says_so(anon):
    r = anon.post("/api/v1/auth/tokens", data="{not json", content_type="application/json")
    assert r.status_code == 400
    assert r.get_json()["code"] == "request.malformed"
    assert "JSON" in r.get_json()["message"]


def test_oversized_bodies_answer_413(app, anon):
    r = anon.post("/api/v1/auth/tokens", data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
                  content_type="application/json")
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
