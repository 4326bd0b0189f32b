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

    recent = _run(app, "--fix-orphans")                       # inside the grace period: kept
    assert "too recent, kept: photos/0000/320.jpg" in recent.output
    assert store.exists("photos/0000/320.jpg")

    fixed = _run(app, "--fix-orphans", "--min-age-minutes", "0")
    assert "removed: photos/0000/320.jpg" in fixed.output
    assert not store.exists("photos/0000/320.jpg")
    assert all(store.exists(key_for(digest(kept), size)) for size in ("320", "1024", "2048"))
    assert fixed.exit_code == 1                                # the missing file is still missing
    assert ">> 1 missing, 1 orphans, 1 removed" in fixed.output
