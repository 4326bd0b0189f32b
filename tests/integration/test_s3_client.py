"""S3 calls give up in bounded time: explicit timeouts and a bounded number of tries, from the environment
(botocore's defaults, 60 s per read and the legacy retries, held a worker for minutes on a silent endpoint)."""

import socket
import threading
import time

import pytest
from botocore.exceptions import ReadTimeoutError

from server import config
from server.media.storage import from_config


@pytest.fixture
def silent_endpoint():
    """An 'S3' on 127.0.0.1 that accepts connections and reads requests but never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    seen, held, stop = [], [], threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            held.append(conn)
            seen.append(time.monotonic())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", seen
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_a_silent_s3_endpoint_fails_after_the_configured_timeout_and_tries(silent_endpoint, monkeypatch):
    url, seen = silent_endpoint
    for name, value in {
        "MEDIA_BACKEND": "s3",
        "S3_BUCKET": "media",
        "S3_ENDPOINT_URL": url,
        "S3_READ_TIMEOUT": "0.5",
        "S3_CONNECT_TIMEOUT": "0.5",
        "S3_MAX_ATTEMPTS": "2",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    store = from_config(config.from_environment())
    started = time.monotonic()
    with pytest.raises(ReadTimeoutError):
        store.get("photos/ab/abcdef.jpg")
    assert time.monotonic() - started < 10
    assert len(seen) == 2  # the first try and one retry, no more


def test_the_defaults_are_explicit_and_bounded(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    for name in ("S3_READ_TIMEOUT", "S3_CONNECT_TIMEOUT", "S3_MAX_ATTEMPTS"):
        monkeypatch.delenv(name, raising=False)
    settings = config.from_environment() | {"MEDIA_BACKEND": "s3", "S3_BUCKET": "media"}
    client_config = from_config(settings).client.meta.config
    assert (client_config.connect_timeout, client_config.read_timeout) == (5.0, 30.0)
    assert client_config.retries == {"mode": "standard", "total_max_attempts": 3}
