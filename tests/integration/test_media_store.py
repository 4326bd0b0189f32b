"""One storage contract, run against the local disk and S3 (moto's real HTTP server)."""

from datetime import UTC, datetime, timedelta

import pytest

from server.media.storage import LocalStore, MediaNotFound, probe
from tests.s3 import s3_endpoint, s3_store  # noqa: F401 (fixture)


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path, monkeypatch):
    if request.param == "local":
        return LocalStore(tmp_path / "media")
    return s3_store(request.getfixturevalue("s3_endpoint"), monkeypatch)


def test_what_is_put_comes_back_byte_for_byte(store):
    data = bytes(range(256)) * 10
    store.put("photos/ab/abcdef.jpg", data, "image/jpeg")
    assert store.exists("photos/ab/abcdef.jpg")
    assert store.get("photos/ab/abcdef.jpg") == data


def test_missing_keys_are_reported_as_missing(store):
    assert not store.exists("photos/none.jpg")
    with pytest.raises(MediaNotFound):
        store.get("photos/none.jpg")


def test_keys_are_listed_by_prefix_and_deleted(store):
    store.put("photos/1.jpg", b"1")
    store.put("photos/2.jpg", b"2")
    store.put("exports/x.csv", b"x")
    assert sorted(store.keys("photos/")) == ["photos/1.jpg", "photos/2.jpg"]
    store.delete("photos/1.jpg")
    assert sorted(store.keys("photos/")) == ["photos/2.jpg"]


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a//b", "a/./b", ""])
def test_keys_that_could_escape_the_store_are_refused(store, key):
    with pytest.raises(ValueError, match="invalid media key"):
        store.put(key, b"x")


def test_the_health_probe_leaves_nothing_behind(store):
    probe(store)
    assert list(store.keys("healthz/")) == []


def test_entries_list_keys_with_their_modification_time(store):
    before = datetime.now(UTC) - timedelta(seconds=5)
    store.put("photos/ab/1.jpg", b"1")
    store.put("other/2.jpg", b"2")
    [(key, modified)] = list(store.entries("photos/"))
    assert key == "photos/ab/1.jpg"
    assert before <= modified <= datetime.now(UTC) + timedelta(seconds=5)
