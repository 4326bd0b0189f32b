"""`gridwork media check`: files missing from storage and files nothing references, on both backends."""

import pytest

from server.media.storage import LocalStore
from server.services.photos import key_for
from tests.e2e.photo_helpers import camera_jpeg, digest, put, visit_with_photos
from tests.e2e.registry_helpers import house
from tests.s3 import s3_endpoint, s3_store  # noqa: F401 (fixture)


@pytest.fixture(params=["local", "s3"])
def store(request, app, tmp_path, monkeypatch):
    if request.param == "local":
        fresh = LocalStore(tmp_path / "media")
    else:
        fresh = s3_store(request.getfixturevalue("s3_endpoint"), monkeypatch)
    monkeypatch.setitem(app.extensions, "gridwork.media", fresh)
    return fresh


def _uploaded(client):
    data = camera_jpeg()
    body = visit_with_photos(house(client), {"door.jpg": data})
    assert client.post("/api/v1/submissions", json=body).status_code == 201
    assert put(client, body["instance_id"], "door.jpg", data).status_code == 201
    return data


def _run(app, *args):
    from server.cli import main

    return app.test_cli_runner().invoke(cli=main, args=["media", "check", *args])


def test_a_consistent_store_passes(store, app, as_worker):
    _uploaded(as_worker)
    result = _run(app)
    assert result.exit_code == 0, result.output
    assert "3 files under photos/, 3 referenced" in result.output
    assert ">> 0 missing, 0 orphans, 0 removed" in result.output


def test_missing_files_and_orphans_are_reported_and_only_old_orphans_are_removed(store, app, as_worker):
    kept = _uploaded(as_worker)
    lost = _uploaded(as_worker)
    store.delete(key_for(digest(lost), "1024"))
    store.put("photos/0000/320.jpg", b"left by a failed upload", "image/jpeg")

    result = _run(app)
    assert result.exit_code == 1
    assert f"missing: {key_for(digest(lost), '1024')}" in result.output
    assert "orphan: photos/0000/320.jpg" in result.output

    recent = _run(app, "--fix-orphans")  # inside the grace period: kept
    assert "too recent, kept: photos/0000/320.jpg" in recent.output
    assert store.exists("photos/0000/320.jpg")

    fixed = _run(app, "--fix-orphans", "--min-age-minutes", "0")
    assert "removed: photos/0000/320.jpg" in fixed.output
    assert not store.exists("photos/0000/320.jpg")
    assert all(store.exists(key_for(digest(kept), size)) for size in ("320", "1024", "2048"))
    assert fixed.exit_code == 1  # the missing file is still missing
    assert ">> 1 missing, 1 orphans, 1 removed" in fixed.output


def _pending(client, data):
    """An upload whose submission never arrives."""
    import uuid

    instance = str(uuid.uuid4())
    assert put(client, instance, "door.jpg", data).status_code == 201
    return instance


def _age(session, instance, days):
    from sqlalchemy import text

    session.execute(
        text("UPDATE photos SET received_at = now() - make_interval(days => :d) WHERE instance_id = :i"),
        {"d": days, "i": instance},
    )


def _photo_count(session, instance):
    from sqlalchemy import text

    return session.execute(text("SELECT count(*) FROM photos WHERE instance_id = :i"), {"i": instance}).scalar()


def test_pending_uploads_whose_submission_never_came_expire_with_their_files(store, app, as_worker, session):
    abandoned = camera_jpeg(size=(300, 200))
    old = _pending(as_worker, abandoned)
    _age(session, old, 8)
    recent = _pending(as_worker, camera_jpeg(size=(310, 200)))
    _age(session, recent, 6)
    shared = _uploaded(as_worker)  # linked to a submission...
    old_copy = _pending(as_worker, shared)  # ...and the same picture left pending long ago
    _age(session, old_copy, 30)

    result = _run(app, "--expire-pending")
    assert ">> expired 2 pending photos older than 7 days, removed 3 files" in result.output, result.output
    assert _photo_count(session, old) == 0 and _photo_count(session, old_copy) == 0
    assert _photo_count(session, recent) == 1
    assert not any(store.exists(key_for(digest(abandoned), size)) for size in ("320", "1024", "2048"))
    assert all(store.exists(key_for(digest(shared), size)) for size in ("320", "1024", "2048"))
    assert result.exit_code == 0  # nothing missing, no orphans left behind


def test_the_pending_age_is_a_setting(store, app, as_worker, session):
    old = _pending(as_worker, camera_jpeg(size=(300, 200)))
    _age(session, old, 3)
    assert "expired 0 pending" in _run(app, "--expire-pending").output
    assert "expired 1 pending photos older than 2 days" in _run(app, "--expire-pending", "--pending-days", "2").output
    assert _photo_count(session, old) == 0
