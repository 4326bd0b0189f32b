"""GET /api/v1/healthz: public, reads only, and answers 503 when the database or the media store fails."""

import boto3
import pytest

from tests.s3 import s3_endpoint, s3_store  # noqa: F401 (fixture)


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


def test_health_answers_503_when_media_is_not_writable(app, anon, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "HEALTHZ_STORAGE_CACHE_SECONDS", 0)
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


@pytest.fixture
def s3_media(app, request, monkeypatch):
    """The app's media store swapped for S3 (moto's real HTTP server), on a bucket that keeps every version:
    a write, even one deleted at once, leaves a trace there."""
    store = s3_store(request.getfixturevalue("s3_endpoint"), monkeypatch)  # the fixture imported above
    store.client.put_bucket_versioning(Bucket=store.bucket, VersioningConfiguration={"Status": "Enabled"})
    monkeypatch.setitem(app.extensions, "gridwork.media", store)
    return store


def _traces(store) -> list:
    listed = store.client.list_object_versions(Bucket=store.bucket)
    return listed.get("Versions", []) + listed.get("DeleteMarkers", [])


def test_health_on_s3_writes_nothing_to_the_bucket(anon, s3_media):
    for _ in range(3):
        r = anon.get("/api/v1/healthz")
        assert r.status_code == 200 and r.get_json()["media"] == {"ok": True, "backend": "s3"}
    assert _traces(s3_media) == []


def test_health_answers_503_when_the_bucket_is_gone(app, anon, s3_media, monkeypatch):
    monkeypatch.setitem(app.config, "HEALTHZ_STORAGE_CACHE_SECONDS", 0)
    boto3.client("s3", endpoint_url=s3_media.client.meta.endpoint_url, region_name="us-east-1").delete_bucket(
        Bucket=s3_media.bucket
    )
    r = anon.get("/api/v1/healthz")
    assert r.status_code == 503
    assert r.get_json()["media"] == {"ok": False, "backend": "s3"} and r.get_json()["database"]["ok"] is True


def test_health_asks_the_media_store_once_per_cache_period(app, anon, s3_media, monkeypatch):
    monkeypatch.setitem(app.config, "HEALTHZ_STORAGE_CACHE_SECONDS", 3600)
    assert anon.get("/api/v1/healthz").status_code == 200
    s3_media.client.delete_bucket(Bucket=s3_media.bucket)
    # within the period the last answer stands: a load balancer polling every node costs S3 nothing
    assert anon.get("/api/v1/healthz").status_code == 200
    monkeypatch.setitem(app.config, "HEALTHZ_STORAGE_CACHE_SECONDS", 0)
    assert anon.get("/api/v1/healthz").status_code == 503


def test_health_answers_503_when_the_database_is_unreachable(tmp_path):
    from server.app import create_app

    # port 1 on the loopback: nothing listens, the connection is refused at once
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": "postgresql+psycopg://gridwork@127.0.0.1:1/gridwork",
            "MEDIA_BACKEND": "local",
            "MEDIA_ROOT": str(tmp_path),
        }
    )
    r = app.test_client().get("/api/v1/healthz")
    assert r.status_code == 503
    body = r.get_json()
    assert body["status"] == "unavailable" and body["database"] == {"ok": False, "postgis_version": None}
    assert body["media"] == {"ok": True, "backend": "local"}
