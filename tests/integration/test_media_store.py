"""One storage contract, run against the local disk and S3 (moto's real HTTP server)."""

import secrets

import boto3
import pytest
from moto.server import ThreadedMotoServer

from server.media.storage import LocalStore, MediaNotFound, S3Store, probe


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path, monkeypatch):
    if request.param == "local":
        return LocalStore(tmp_path / "media")
    endpoint = request.getfixturevalue("s3_endpoint")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    bucket = f"gw-{secrets.token_hex(6)}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
    return S3Store(bucket, endpoint_url=endpoint, prefix="district-a")


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
    with pytest.raises(ValueError):
        store.put(key, b"x")


def test_the_health_probe_leaves_nothing_behind(store):
    probe(store)
    assert list(store.keys("healthz/")) == []
