"""Behind a reverse proxy (docs/operations.md): with PROXY_COUNT set, the client's address and
scheme come from X-Forwarded-*, so rate limits count each phone, not the proxy."""

from server.app import create_app


def _app(database_url, tmp_path, **config):
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "MEDIA_ROOT": str(tmp_path), **config})

    @app.get("/probe")
    def probe():
        from flask import request

        return {"addr": request.remote_addr, "scheme": request.scheme}

    return app


def test_forwarded_client_address_and_scheme_are_used_behind_one_proxy(database_url, tmp_path):
    client = _app(database_url, tmp_path, PROXY_COUNT=1).test_client()
    r = client.get(
        "/probe",
        headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    assert r.get_json() == {"addr": "203.0.113.7", "scheme": "https"}


def test_forwarded_headers_are_ignored_without_a_configured_proxy(database_url, tmp_path):
    client = _app(database_url, tmp_path).test_client()
    r = client.get(
        "/probe",
        headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    assert r.get_json() == {"addr": "10.0.0.2", "scheme": "http"}
