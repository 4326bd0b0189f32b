def test_health_reports_database_postgis_and_media_without_signing_in(anon):
    r = anon.get("/api/v1/healthz")
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["postgis_version"].startswith("3.")
    assert body["media"] == {"ok": True, "backend": "local"}


def test_health_reveals_no_connection_details(anon, database_url):
    text = anon.get("/api/v1/healthz").get_data(as_text=True)
    assert "postgresql" not in text and "127.0.0.1" not in text and "password" not in text


def test_health_answers_503_when_media_is_not_writable(app, anon, tmp_path):
    store = app.extensions["gridwork.media"]
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    original = store.root
    store.root = blocker / "media"
    try:
        r = anon.get("/api/v1/healthz")
    finally:
        store.root = original
    assert r.status_code == 503
    assert r.get_json()["status"] == "unavailable"
    assert r.get_json()["media"]["ok"] is False
