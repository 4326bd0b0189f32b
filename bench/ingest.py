"""Benchmark submission ingest: `python bench/ingest.py [--clients 16] [--requests N] [--base REF] [--keep]`.

1. Creates a throwaway (durable) database on the private server, migrates it and loads the demo district
   (1,500 households, the demo accounts, tiers recomputed), as `make run` does.
2. Serves it with `gridwork serve` as `make run` does (2 gthread workers, 32 threads, 1 job worker).
3. Drives three cases with ``--clients`` concurrent clients (threads, http.client keep-alive), each
   submission with its own instance_id, as the grid worker `worker` to the houses of its two grids:
   - ``not_home``: `POST /api/v1/submissions`, a household visit "nobody at home";
   - ``residents``: the same, "met", registering 2 new residents (valid citizen ID numbers);
   - ``batch``: `POST /api/v1/sync/submissions` with 25 "not home" visits per request.
   Bodies are built before the clock starts. Every answer must be 201 (batch: 200, every item created).
4. Prints items/s, request p50/p99 (wall clock: the machine may be shared), and the CPU the server
   processes (gunicorn workers, job worker) and PostgreSQL spent per item (from /proc, steadier than wall
   clock on a shared machine), with ``os.cpu_count()``. Then waits for the job queue to drain (tier refreshes,
   if any were deferred) and prints how long that took.
5. ``--base REF`` (e.g. ``main``): first serves the code of that git ref (``git archive`` into a temporary
   directory, put first on ``PYTHONPATH``) on the same database and runs the same cases, then this tree's code,
   and prints the CPU per item of both and their ratio: one run, one machine load, before and after.
"""

from __future__ import annotations

import argparse
import atexit
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from devtools import devdb  # noqa: E402
from server.domain.id_numbers import make_citizen_id  # noqa: E402
from server.services import demo  # noqa: E402
from server.store import migrate  # noqa: E402

BATCH_ITEMS = 25
CASES = ("not_home", "residents", "batch")
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- what the phones send --------------------------------------------------------------------------


def envelope(house_id: str, answers: dict) -> dict:
    now = datetime.now(UTC)
    return {
        "instance_id": str(uuid.uuid4()),
        "form_id": "household_visit",
        "form_version": "2026.2",
        "subject": {"type": "house", "id": house_id},
        "device_id": "bench-phone",
        "started_at": (now - timedelta(minutes=9)).isoformat(),
        "completed_at": (now - timedelta(minutes=1)).isoformat(),
        "location": {"lon": 120.005, "lat": 30.005, "accuracy_m": 8},
        "answers": answers,
        "attachments": [],
    }


def not_home(house_id: str, rng: random.Random) -> dict:
    return envelope(house_id, {"outcome": "not_home"})


def resident(rng: random.Random) -> dict:
    birth = date(1950, 1, 1) + timedelta(days=rng.randrange(20000))
    sex = rng.choice(("male", "female"))
    seq = rng.randrange(500) * 2 + (1 if sex == "male" else 0)
    return {
        "name": f"测试{rng.randrange(10**6):06d}",
        "sex": sex,
        "document_type": "citizen_id",
        "document_number": make_citizen_id(f"3301{rng.randrange(10, 100)}", birth, seq),
        "birth_date": birth.isoformat(),
        "category": "floating",
        "arrived_on": (datetime.now(UTC).date() - timedelta(days=20)).isoformat(),
        "present": "yes",
    }


def two_residents(house_id: str, rng: random.Random) -> dict:
    return envelope(house_id, {"outcome": "met", "residents": [resident(rng), resident(rng)], "hazards": ["none"]})


# -- measuring -------------------------------------------------------------------------------------


def cpu_seconds(root_pid: int) -> float:
    """user + system CPU of ``root_pid`` and all its descendants, those that exited included (Linux /proc), in
    seconds."""
    children: dict[int, list[int]] = {}
    stats: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        pid, ppid = int(entry.name), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        # utime + stime, and cutime + cstime: the children it reaped (backends and workers that exited)
        stats[pid] = sum(int(f) for f in fields[11:15]) / TICKS
    total, todo = 0.0, [root_pid]
    while todo:
        pid = todo.pop()
        total += stats.get(pid, 0.0)
        todo.extend(children.get(pid, []))
    return total


def postmaster_pid(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        data_dir = conn.scalar(text("SHOW data_directory"))
    engine.dispose()
    try:
        return int(Path(data_dir, "postmaster.pid").read_text().split()[0])
    except OSError:  # the data directory belongs to the postgres user: ask ps instead
        out = subprocess.run(["pgrep", "-o", "-f", f"-D {data_dir}"], capture_output=True, text=True).stdout
        return int(out.split()[0]) if out.strip() else 0


def run_case(name, port, token, bodies, clients, path, items_per_request):
    per_client = [bodies[i::clients] for i in range(clients)]
    timings: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client(mine):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        local = []
        barrier.wait()
        for body in mine:
            started = time.perf_counter()
            conn.request("POST", path, body, headers)
            response = conn.getresponse()
            data = response.read()
            local.append(time.perf_counter() - started)
            if response.status not in (200, 201) or (
                items_per_request > 1 and any(i["outcome"] != "created" for i in json.loads(data)["items"])
            ):
                with lock:
                    failures.append(f"{response.status} {data[:300]!r}")
        conn.close()
        with lock:
            timings.extend(local)

    threads = [threading.Thread(target=client, args=(m,)) for m in per_client]
    for t in threads:
        t.start()
    barrier.wait()
    return threads, timings, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=3000, help="requests per single-submission case")
    parser.add_argument("--batches", type=int, default=240, help="requests of the batch case")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (make run: 2)")
    parser.add_argument("--case", action="append", choices=CASES, help="only these cases (repeatable)")
    parser.add_argument("--keep", action="store_true", help="keep the database (prints its URL)")
    parser.add_argument(
        "--base", help="also serve this git ref's code (or a directory's) first, on the same database, and compare"
    )
    args = parser.parse_args()
    cases = args.case or list(CASES)
    rng = random.Random(17)

    with devdb.scratch_database("gridwork_bench", keep=args.keep) as url:
        migrate.upgrade(url)
        engine = create_engine(url)
        with Session(engine) as session:
            demo.load(session)
            session.commit()
            houses = [
                str(h)
                for h in session.scalars(
                    text(
                        "SELECT h.id FROM houses h JOIN account_grids ag ON ag.grid_id = h.grid_id "
                        "JOIN accounts a ON a.id = ag.account_id WHERE a.username = 'worker'"
                    )
                )
            ]
        engine.dispose()
        print(
            f"demo district: {len(houses)} houses in the worker's grids; cores: {os.cpu_count()}; "
            f"load average: {os.getloadavg()[0]:.1f}"
        )

        figures: dict[str, dict[str, float]] = {}
        trees = [(args.base, base_tree(args.base)), ("this tree", None)] if args.base else [("this tree", None)]
        for label, tree in trees:
            print(f"serving {label}:")
            figures[label] = serve_and_drive(url, args, cases, houses, rng, tree)
        if args.base:
            print(f"CPU per item (app + PostgreSQL), {args.base} -> this tree:")
            for case, before in figures[args.base].items():
                after = figures["this tree"][case]
                print(f"  {case:<42} {before:6.2f} ms -> {after:6.2f} ms  ({after / before:.2f})")
    return 0


def base_tree(ref: str) -> str:
    """The code of ``ref``, extracted into a temporary directory (removed when the process exits); a
    directory is taken as it is (a copy made beforehand, e.g. while this script runs from another copy)."""
    if Path(ref).is_dir():
        return str(Path(ref).resolve())
    tree = tempfile.mkdtemp(prefix="gridwork-base-")
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", tree], input=archive, check=True)
    atexit.register(shutil.rmtree, tree, True)
    return tree


def serve_and_drive(url, args, cases, houses, rng, tree: str | None) -> dict[str, float]:
    """Serve the code (``tree``: another checkout; None: this one), drive the cases;
    {case label: CPU ms per item, app + PostgreSQL}."""
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url)
    # the code served: the base ref's copy, or the tree this script is in (also when it is a copy)
    env["PYTHONPATH"] = (tree or str(ROOT)) + os.pathsep + env.get("PYTHONPATH", "")
    gridwork = str(Path(sys.executable).parent / "gridwork")
    server = subprocess.Popen(
        [gridwork, "serve", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    figures = {}
    try:
        token = wait_and_sign_in(port)
        pg = postmaster_pid(url)
        warm = [json.dumps(not_home(rng.choice(houses), rng)) for _ in range(100)]
        run_and_report("warm-up", port, token, warm, args.clients, "/api/v1/submissions", 1, server.pid, pg, quiet=True)
        for case in cases:
            if case == "batch":
                bodies = [
                    json.dumps({"submissions": [not_home(rng.choice(houses), rng) for _ in range(BATCH_ITEMS)]})
                    for _ in range(args.batches)
                ]
                label = f"POST /sync/submissions, {BATCH_ITEMS} not-home items"
                path, items = "/api/v1/sync/submissions", BATCH_ITEMS
            else:
                make = not_home if case == "not_home" else two_residents
                bodies = [json.dumps(make(rng.choice(houses), rng)) for _ in range(args.requests)]
                label = (
                    "POST /submissions, visit not home" if case == "not_home" else "POST /submissions, 2 new residents"
                )
                path, items = "/api/v1/submissions", 1
            figures[label] = run_and_report(label, port, token, bodies, args.clients, path, items, server.pid, pg)
        drain(url)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return figures


def wait_and_sign_in(port: int) -> str:
    for _ in range(150):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/healthz")
            if conn.getresponse().status == 200:
                break
        except OSError:
            time.sleep(0.2)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"username": "worker", "password": demo.DEMO_PASSWORD, "device_id": "bench-phone"})
    conn.request("POST", "/api/v1/auth/tokens", body, {"Content-Type": "application/json"})
    return json.loads(conn.getresponse().read())["token"]


def run_and_report(label, port, token, bodies, clients, path, items, server_pid, pg_pid, quiet=False):
    cpu_before = cpu_seconds(server_pid), cpu_seconds(pg_pid)
    started = time.perf_counter()
    threads, timings, failures = run_case(label, port, token, bodies, clients, path, items)
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    cpu_after = cpu_seconds(server_pid), cpu_seconds(pg_pid)
    if failures:
        print(f"  {label}: {len(failures)} failed, e.g. {failures[0]}")
    if quiet:
        return 0.0
    timings.sort()
    n_items = len(bodies) * items
    p50 = statistics.median(timings) * 1000
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))] * 1000
    app_ms = (cpu_after[0] - cpu_before[0]) / n_items * 1000
    pg_ms = (cpu_after[1] - cpu_before[1]) / n_items * 1000
    print(
        f"  {label:<42} {n_items:>5} items, {clients} clients: {n_items / wall:7.1f} items/s  "
        f"p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  CPU per item: app {app_ms:5.2f} ms, PostgreSQL {pg_ms:5.2f} ms"
    )
    return app_ms + pg_ms


def drain(url: str) -> None:
    """Wait for the job queue and the queued tier refreshes to empty; how long it took after the last request."""
    engine = create_engine(url)
    started = time.perf_counter()
    with engine.connect() as conn:
        while True:
            left = conn.scalar(
                text(
                    "SELECT (SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing') "
                    "AND task_name <> 'tiers.refresh_queued') + (SELECT count(*) FROM tier_refreshes)"
                )
            )
            conn.commit()
            if not left or time.perf_counter() - started > 120:
                break
            time.sleep(0.2)
    engine.dispose()
    print(
        f"  jobs and tier refreshes done {time.perf_counter() - started:.1f} s after the last request "
        f"({left or 0} left)"
    )


if __name__ == "__main__":
    sys.exit(main())
