"""Slow uploads against the due list: `python bench/slow_clients.py [--url URL] [--clients 20] [--rate 100]`.

Against a running server (`make run`: the demo district, demo logins), on loopback only. Measures the
police due list (`GET /inspections/due`, one client, sequential) alone, then while ``--clients`` clients each
upload ``--mb`` MB at ``--rate`` KB/s (a throttled socket; PUT of an attachment, whatever the answer) and
prints p50/p95 of both and their ratio (issue 17: p95 at most 2x). Bounded: the uploads end after
mb*1024/rate seconds (40 s by default), and the due list is sampled meanwhile.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import threading
import time
import urllib.parse
import uuid


def _token(host: str, port: int, username: str) -> str:
    conn = http.client.HTTPConnection(host, port, timeout=30)
    body = json.dumps({"username": username, "password": "gridwork-demo"})
    conn.request("POST", "/api/v1/auth/tokens", body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    data = json.loads(response.read())
    conn.close()
    return data["token"] if "token" in data else data["access_token"]


def _due_list(host: str, port: int, token: str, until: float, min_samples: int) -> list[float]:
    times: list[float] = []
    conn = http.client.HTTPConnection(host, port, timeout=60)
    while time.monotonic() < until or len(times) < min_samples:
        started = time.perf_counter()
        conn.request("GET", "/api/v1/inspections/due?limit=50", headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        response.read()
        assert response.status == 200, response.status
        times.append((time.perf_counter() - started) * 1000)
    conn.close()
    return times


def _slow_upload(host: str, port: int, token: str, size: int, rate: int, results: list[int]) -> None:
    body = b"\xff\xd8\xff\xe0" + os.urandom(size - 4)
    conn = http.client.HTTPConnection(host, port, timeout=600)
    conn.putrequest("PUT", f"/api/v1/submissions/{uuid.uuid4()}/attachments/slow.jpg")
    conn.putheader("Authorization", f"Bearer {token}")
    conn.putheader("Content-Type", "image/jpeg")
    conn.putheader("Content-Length", str(size))
    conn.endheaders()
    chunk = rate // 10  # ten sends a second
    for start in range(0, size, chunk):
        conn.send(body[start : start + chunk])
        time.sleep(0.1)
    results.append(conn.getresponse().status)
    conn.close()


def _summary(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--mb", type=float, default=4.0)
    parser.add_argument("--rate", type=int, default=100, help="KB/s per upload")
    parser.add_argument("--samples", type=int, default=200, help="due-list requests measured alone")
    args = parser.parse_args()
    parsed = urllib.parse.urlparse(args.url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("loopback only")
    police, worker = _token(host, port, "police"), _token(host, port, "worker")
    alone = _due_list(host, port, police, 0, args.samples)
    size, rate = int(args.mb * 1024 * 1024), args.rate * 1024
    statuses: list[int] = []
    uploads = [
        threading.Thread(target=_slow_upload, args=(host, port, worker, size, rate, statuses))
        for _ in range(args.clients)
    ]
    for thread in uploads:
        thread.start()
    time.sleep(2)  # every upload is in flight
    until = time.monotonic() + size / rate - 4
    during = _due_list(host, port, police, until, 20)
    for thread in uploads:
        thread.join()
    a50, a95 = _summary(alone)
    d50, d95 = _summary(during)
    print(f"cores: {os.cpu_count()}; {args.clients} uploads of {args.mb} MB at {args.rate} KB/s")
    print(f"due list alone:        n={len(alone):4d}  p50 {a50:7.1f} ms  p95 {a95:7.1f} ms")
    print(f"due list during them:  n={len(during):4d}  p50 {d50:7.1f} ms  p95 {d95:7.1f} ms")
    print(f"p95 ratio during/alone: {d95 / a95:.2f}x (target <= 2x); upload answers: {sorted(set(statuses))}")


if __name__ == "__main__":
    main()
