"""`gridwork serve`'s gunicorn, for real: JSON log lines on stderr (one per request, no access-log line
beside it), and /metrics adding up what every worker measured (prometheus_client's multiprocess mode)."""

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from server.cli import gunicorn_argv, prepare_metrics_dir

TOKEN = "t" * 40


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url, headers=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.fixture
def served(database_url, tmp_path, monkeypatch):
    port = _free_port()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "prometheus"))
    (tmp_path / "prometheus").mkdir()
    (tmp_path / "prometheus" / "histogram_999999.db").write_bytes(b"left by the last run")
    metrics_dir = prepare_metrics_dir(port)
    env = os.environ | {
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    with open(tmp_path / "stderr.log", "w+") as stderr, open(tmp_path / "stdout.log", "w+") as stdout:
        proc = subprocess.Popen(gunicorn_argv("127.0.0.1", port, 2), env=env, stdout=stdout, stderr=stderr)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        try:  # the server is stopped even when it never came up
            while True:
                try:
                    _get(base + "/metrics")  # up (401 without the token); not counted under /healthz
                    break
                except OSError:
                    assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "stderr.log").read_text()
                    time.sleep(0.2)
            yield base, tmp_path / "stderr.log", metrics_dir
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def test_served_requests_log_json_lines_and_metrics_add_up_across_workers(served):
    base, log_file, metrics_dir = served
    assert not (metrics_dir / "histogram_999999.db").exists()  # the last run's counts start afresh
    for _ in range(8):
        status, _ = _get(base + "/api/v1/healthz", {"X-Request-ID": "probe-1"})
        assert status == 200
    assert _get(base + "/metrics")[0] == 401
    status, text = _get(base + "/metrics", {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200
    counts = [
        line
        for line in text.splitlines()
        if line.startswith("gridwork_http_request_duration_seconds_count")
        and 'route="/api/v1/healthz"' in line
        and 'status_class="2xx"' in line
    ]
    assert len(counts) == 1 and float(counts[0].rsplit(" ", 1)[1]) == 8  # whichever worker answered each
    time.sleep(0.5)
    lines = [line for line in log_file.read_text().splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]  # every line is JSON, gunicorn's own included
    health = [p for p in parsed if p.get("route") == "/api/v1/healthz" and p["request_id"] == "probe-1"]
    assert len(health) == 8 and all(p["status"] == 200 and p["method"] == "GET" for p in health)
    assert any(p["logger"].startswith("gunicorn") for p in parsed)
    assert TOKEN not in log_file.read_text()
    assert (log_file.parent / "stdout.log").read_text() == ""  # no access-log line beside the JSON one
