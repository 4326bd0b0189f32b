"""`gridwork serve` (gunicorn): the errors the HTTP server answers itself are in the API's JSON shape too."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _exchange(port: int, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(raw)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


@pytest.fixture(scope="module")
def served(make_database, tmp_path_factory):
    from server.store import migrate

    database_url = make_database(durable=True)  # gridwork serve refuses a database that may lose commits
    migrate.upgrade(database_url)
    port = _free_port()
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
        MAX_CONTENT_LENGTH="100000",
    )
    gridwork = Path(sys.executable).with_name("gridwork")
    process = subprocess.Popen(
        [str(gridwork), "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("gridwork serve did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.mark.parametrize(
    "raw,status,code",
    [
        (
            b"GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 10_000 + b"\r\n\r\n",
            431,
            "request.header_fields_too_large",
        ),
        (b"GET /api/v1/houses?q=" + b"a" * 5_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "request.uri_too_long"),
        (b"GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\nX-Odd: a\rb\r\n\r\n", 400, "request.malformed"),
    ],
    ids=["10 KB header", "5 KB query", "bare CR in a header"],
)
def test_requests_the_http_server_refuses_itself_get_the_json_error_shape(served, raw, status, code):
    got, headers, body = _exchange(served, raw)
    assert got == status
    assert headers["content-type"] == "application/json"
    error = json.loads(body)
    assert (error["code"], error["status"]) == (code, status)
    assert error["message"] and error["errors"] == {}


def test_ordinary_requests_still_reach_the_application(served):
    got, _headers, body = _exchange(
        served, b"GET /api/v1/no-such-thing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    assert got == 404 and json.loads(body)["code"] == "not_found"


def test_a_chunked_body_over_the_limit_is_a_413_through_the_real_server(served):
    """gunicorn passes a chunked body on without Content-Length; past MAX_CONTENT_LENGTH it is refused
    whole, not cut at the limit and read as if complete."""
    body = json.dumps({"username": "u", "password": "p" * 150_000}).encode()
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (len(body[i : i + 8192]), body[i : i + 8192]) for i in range(0, len(body), 8192)
    )
    got, _, answer = _exchange(
        served,
        b"POST /api/v1/auth/tokens HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n",
    )
    assert (got, json.loads(answer)["code"]) == (413, "request.too_large")
