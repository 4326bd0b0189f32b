"""Crash test: does every acknowledged submission survive `kill -9` of PostgreSQL?

`python bench/crash.py [--seconds 4] [--clients 4] [--unsafe-async-commit]`

Starts a PostGIS cluster of its own in a temporary folder (configured exactly as the
private instance `make run` serves from), migrates it, loads the demo district, serves it
with `gridwork serve` (gunicorn, 2 workers) on a free port, and has CLIENTS threads send
"not home" household visits as the demo grid worker. After SECONDS it kills the postmaster
and all its backends with SIGKILL (a power cut, as far as the database can tell), lets the
clients see the outage for a second, restarts the cluster (crash recovery), and counts:

    acknowledged  submissions answered 201
    present       of those, found in the database after recovery
    lost          acknowledged but gone (must be 0)
    duplicated    instance ids stored more than once (must be 0)

It exits 1 when anything was lost or duplicated. `--unsafe-async-commit` runs the same
experiment with `synchronous_commit = off` (gunicorn started directly, since `gridwork
serve` refuses such a database), to show what the setting costs: acknowledged visits lost.
tests/integration/test_crash_durability.py runs it as a slow test.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devtools import devdb

BIN = Path(sys.executable).parent


def _call(base: str, method: str, path: str, body=None, token=None, timeout=10):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, None
    except OSError:
        return 0, None  # refused, reset, timed out: not acknowledged


def _not_home(house_id: str) -> dict:
    now = datetime.now(UTC)
    return {
        "instance_id": str(uuid.uuid4()),
        "form_id": "household_visit",
        "form_version": "2026.1",
        "subject": {"type": "house", "id": house_id},
        "device_id": "crash-test",
        "started_at": (now - timedelta(minutes=3)).isoformat(),
        "completed_at": now.isoformat(),
        "location": {"lon": 120.0, "lat": 30.0, "accuracy_m": 8},
        "answers": {"outcome": "not_home"},
        "attachments": [],
    }


def _kill_cluster(data_dir: Path) -> int:
    """SIGKILL the postmaster and every process it started; returns how many were killed."""
    pid = int((data_dir / "postmaster.pid").read_text().splitlines()[0])
    victims = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                victims.append(int(entry.name))
    for victim in victims:
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.kill(victim, signal.SIGKILL)
    # Until init reaps it, a killed postmaster still "exists" for kill(pid, 0), which is how both
    # pg_ctl status and the new postmaster's lock-file check decide that a server is running.
    deadline = time.monotonic() + 30
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return len(victims)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(seconds: float = 4.0, clients: int = 4, unsafe_async_commit: bool = False, quiet: bool = False) -> dict:
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    with devdb.temporary_cluster() as instance:
        return _experiment(instance, seconds, clients, unsafe_async_commit, say)


def _experiment(instance, seconds, clients, unsafe_async_commit, say) -> dict:
    root = instance.data_dir.parent
    server = None
    try:
        url = instance.url()
        env = {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(root / "media")}
        if unsafe_async_commit:
            _sql(url, "ALTER SYSTEM SET synchronous_commit = 'off'", "SELECT pg_reload_conf()")
        for command in (["db", "upgrade"], ["demo", "load"]):
            done = subprocess.run([BIN / "gridwork", *command], env=env, capture_output=True, text=True)
            if done.returncode:
                raise RuntimeError(f"gridwork {' '.join(command)} failed:\n{done.stdout}{done.stderr}")
        port = _free_port()
        if unsafe_async_commit:
            cmd = [
                BIN / "gunicorn",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--no-control-socket",
                "server.app:create_app()",
            ]
        else:
            cmd = [BIN / "gridwork", "serve", "--port", str(port), "--workers", "2"]
        server = subprocess.Popen(
            cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        base = f"http://127.0.0.1:{port}/api/v1"
        for _ in range(100):
            if _call(base, "GET", "/healthz")[0] == 200:
                break
            time.sleep(0.2)
        else:
            raise RuntimeError("the server did not come up")
        status, body = _call(base, "POST", "/auth/tokens", {"username": "worker", "password": "gridwork-demo"})
        assert status == 201, status
        token = body["token"]
        status, houses = _call(base, "GET", "/houses?limit=20", token=token)
        house_ids = [h["id"] for h in houses["items"]]

        acked: list[str] = []
        failed = [0]
        stop = threading.Event()
        lock = threading.Lock()

        def client(n: int) -> None:
            i = n
            while not stop.is_set():
                body = _not_home(house_ids[i % len(house_ids)])
                i += clients
                status, _ = _call(base, "POST", "/submissions", body, token=token, timeout=5)
                with lock:
                    if status == 201:
                        acked.append(body["instance_id"])
                    else:
                        failed[0] += 1

        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
        for t in threads:
            t.start()
        time.sleep(seconds)
        killed = _kill_cluster(instance.data_dir)
        say(f"killed the postmaster and {killed - 1} backends after {seconds:.1f} s")
        time.sleep(1.0)
        stop.set()
        for t in threads:
            t.join(timeout=10)

        instance.start()  # crash recovery replays the WAL
        ids = list(acked)
        rows = _sql(
            url,
            (
                "SELECT instance_id::text, count(*) FROM submissions "
                "WHERE instance_id = ANY(%s::uuid[]) GROUP BY instance_id",
                (ids,),
            ),
        )
        present = {row[0]: row[1] for row in rows}
        result = {
            "acknowledged": len(ids),
            "present": sum(1 for i in ids if i in present),
            "lost": sum(1 for i in ids if i not in present),
            "duplicated": sum(1 for n in present.values() if n > 1),
            "refused_or_failed": failed[0],
            "synchronous_commit": "off" if unsafe_async_commit else "on",
        }
        say("  ".join(f"{k} {v}" for k, v in result.items()))
        return result
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)


def _sql(url: str, *statements):
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    rows = []
    with psycopg.connect(
        host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database, autocommit=True
    ) as conn:
        for statement in statements:
            sql, params = statement if isinstance(statement, tuple) else (statement, None)
            cur = conn.execute(sql, params)
            rows = cur.fetchall() if cur.description else []
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="submissions before the kill (default 4)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent phones (default 4)")
    parser.add_argument(
        "--unsafe-async-commit",
        action="store_true",
        help="run with synchronous_commit = off to see acknowledged writes lost",
    )
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}")
    result = run(args.seconds, args.clients, args.unsafe_async_commit)
    return 1 if result["lost"] or result["duplicated"] else 0


if __name__ == "__main__":
    sys.exit(main())
