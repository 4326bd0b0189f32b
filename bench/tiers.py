"""Benchmark tiers and due lists: `python bench/tiers.py [HOUSEHOLDS] [--seed S] [--keep]`.

1. Creates a throwaway database on the test server (TEST_DATABASE_URL, else
   DATABASE_URL, else the private instance under var/), migrates it and seeds
   HOUSEHOLDS (default 350000) with the seed service.
2. Adds, set-based in SQL, what the seeder does not make so that tiers vary:
   0-3 inspections per let house (some finding serious or minor hazards) and
   the landlord's compliance record (on time, late, missed).
3. Times a full `gridwork tiers recompute` (the CLI, in a subprocess), then a
   second run (what a nightly re-run costs when little changed).
4. Serves the API with `gridwork serve` on that database and measures, with 8
   concurrent clients (threads + urllib), GET /inspections/due as the police
   officer of a station of about 30,000 households (the largest seeded station, given the
   grids of its neighbours), and GET
   /inspections/summary?group_by=grid as an administrator: p50 / p95 latency.
5. Stops the server and drops the database (unless --keep).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from devtools import devdb  # noqa: E402
from server.auth.actor import system  # noqa: E402
from server.config import normalise_database_url  # noqa: E402
from server.services import accounts  # noqa: E402
from server.services import seed as seeder  # noqa: E402
from server.store import migrate  # noqa: E402

PASSWORD = "bench-password-1"
CLIENTS = 8
STATION_HOUSEHOLDS = 30_000  # the officer's area: a large urban station

# Inspections and compliance events, decided by a hash of the house id so runs repeat.
# bucket r = hash % 100 of each let house:
#   0-59 two clean-or-not inspections, 60-79 one, 80-99 none;
#   the latest inspection finds a serious hazard for r 50-54, a minor one for r 55-59 and 60-62;
#   compliance: r 64-67 a missed arrival, 68-77 a late arrival, everyone else on time.
EXTRAS = """
WITH let AS (
    SELECT h.id, h.grid_id, abs(hashtext(h.id::text)) % 100 AS r
    FROM houses h WHERE h.use IN ('rented', 'mixed')
), plan AS (
    SELECT gen_random_uuid() AS iid, let.id AS house_id, let.grid_id, let.r, n,
           CASE WHEN n % 2 = 0 THEN :police ELSE :committee END AS account_id,
           CASE WHEN n % 2 = 0 THEN 'police' ELSE 'committee' END AS role,
           now() - make_interval(days => n * 9 + let.r % 5, hours => let.r % 24) AS at,
           CASE WHEN n = 1 AND let.r BETWEEN 50 AND 54 THEN ARRAY['coal_stove']
                WHEN n = 1 AND let.r BETWEEN 55 AND 62 THEN ARRAY['overcrowding']
                ELSE ARRAY[]::text[] END AS hazards
    FROM let, generate_series(1, CASE WHEN let.r < 60 THEN 2 WHEN let.r < 80 THEN 1 ELSE 0 END) AS n
), subs AS (
    INSERT INTO submissions (id, instance_id, form_id, form_version, subject_type, subject_id, grid_id,
                             account_id, role, completed_at, server_received_at, answers, content_hash)
    SELECT gen_random_uuid(), iid, 'inspection', '2026.1', 'house', house_id, grid_id, account_id, role, at, at,
           '{}'::jsonb, md5(iid::text) || md5(iid::text)
    FROM plan RETURNING instance_id
)
INSERT INTO visits (id, instance_id, kind, form_id, form_version, subject_type, house_id, grid_id, account_id,
                    role, outcome, hazards, visited_at, received_at)
SELECT gen_random_uuid(), iid, 'inspection', 'inspection', '2026.1', 'house', house_id, grid_id, account_id,
       role, 'met', hazards, at, at
FROM plan
"""
COMPLIANCE = """
INSERT INTO compliance_events (id, kind, house_id, days_late, occurred_on)
SELECT gen_random_uuid(),
       CASE WHEN r BETWEEN 64 AND 67 THEN 'missed_arrival' WHEN r BETWEEN 68 AND 77 THEN 'arrival_late'
            ELSE 'arrival_on_time' END,
       id, CASE WHEN r BETWEEN 68 AND 77 THEN 3 ELSE 0 END, current_date - (r % 150)
FROM (SELECT h.id, abs(hashtext(h.id::text)) % 100 AS r FROM houses h WHERE h.use IN ('rented', 'mixed')) let
"""


def _station_of(session: Session, households: int):
    """The largest station, grown to about ``households`` by taking over the grids of the next
    stations (the seeder's stations are smaller than a large urban one)."""
    sizes = session.execute(
        text(
            "SELECT s.id, s.code, count(h.id) AS n FROM stations s JOIN grids g ON g.station_id = s.id "
            "LEFT JOIN houses h ON h.grid_id = g.id GROUP BY s.id, s.code ORDER BY n DESC"
        )
    ).all()
    target, total = sizes[0], sizes[0].n
    for other in sizes[1:]:
        if total >= households:
            break
        session.execute(text("UPDATE grids SET station_id = :t WHERE station_id = :o"), {"t": target.id, "o": other.id})
        total += other.n
    session.commit()
    return type("Station", (), {"code": target.code, "n": total})


def seed_district(engine, url: str, households: int, seed: int) -> None:
    """Migrate the scratch database and seed the synthetic district into it (printing what and how long)."""
    migrate.upgrade(url)
    started = time.perf_counter()
    with Session(engine) as session:
        counts = seeder.run(session, households=households, seed=seed, analyze=True)
        session.commit()
    print(
        f"seeded {households:,} households ({counts['houses']:,} houses, {counts['units']:,} units) "
        f"in {time.perf_counter() - started:.1f} s"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url: str, token: str | None = None, body: dict | None = None) -> tuple[int, bytes]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.status, response.read()


def alone(url: str, token: str, requests: int = 20) -> float:
    """Median latency of one client alone (the service time, without queueing), in ms."""
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        call(url, token)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def measure(label: str, url: str, token: str, requests: int) -> None:
    timings: list[float] = []
    lock = threading.Lock()
    per_client = max(1, requests // CLIENTS)

    def client():
        for _ in range(per_client):
            started = time.perf_counter()
            status, _ = call(url, token)
            elapsed = time.perf_counter() - started
            assert status == 200
            with lock:
                timings.append(elapsed)

    call(url, token)  # warm up
    single = alone(url, token)
    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    timings.sort()
    p50 = statistics.median(timings) * 1000
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))] * 1000
    print(
        f"  {label:<44} {len(timings):>4} requests, {CLIENTS} clients: p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
        f"({len(timings) / wall:5.1f} req/s); one client alone: p50 {single:6.1f} ms"
    )


def time_recompute(env: dict, gridwork: str) -> None:
    """`gridwork tiers recompute` twice: the first run, then a re-run with nothing changed (wall and CPU of
    the command itself; the database's CPU is not in it)."""
    for run in ("first", "second"):
        started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run([gridwork, "tiers", "recompute"], env=env, check=True, capture_output=True, text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        print(
            f"tiers recompute ({run} run): {time.perf_counter() - started:.1f} s wall, {cpu:.1f} s CPU in Python; "
            f"{out.stdout.strip().splitlines()[-1]}"
        )


def recompute_only(url: str) -> int:
    """--recompute-on URL: on a database seeded before (--keep), forget every tier (states, history, dues and
    their feed rows) and time a first run and a re-run."""
    url = normalise_database_url(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE tier_states, tier_changes, inspection_dues"))
        conn.execute(text("DELETE FROM changes WHERE entity_type = 'inspection_due'"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE tier_states, tier_changes, inspection_dues, changes"))
    engine.dispose()
    print(f"machine: {os.cpu_count()} CPUs (shared with other work); {url.rsplit('/', 1)[-1]}")
    time_recompute(dict(os.environ, DATABASE_URL=url), str(Path(sys.executable).parent / "gridwork"))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("households", nargs="?", type=int, default=350_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=200, help="requests per endpoint (all clients together)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--keep", action="store_true", help="keep the database (prints its URL)")
    parser.add_argument(
        "--recompute-on", metavar="URL", help="only time the recompute, from no tiers, on a database kept before"
    )
    args = parser.parse_args()
    if args.recompute_on:
        return recompute_only(args.recompute_on)

    with devdb.scratch_database("gridwork_bench", keep=args.keep) as url:
        engine = create_engine(url)
        server = None
        try:
            seed_district(engine, url, args.households, args.seed)

            with Session(engine) as session:
                station = _station_of(session, STATION_HOUSEHOLDS)
                community = session.scalar(text("SELECT d.code FROM divisions d WHERE d.level = 'community' LIMIT 1"))
                made = {}
                for role, scope in (
                    ("admin", {}),
                    ("police", {"station": station.code}),
                    ("committee", {"community": community}),
                ):
                    made[role] = accounts.create(
                        session, system("bench"), username=f"bench-{role}", password=PASSWORD, role=role, **scope
                    )
                started = time.perf_counter()
                session.execute(text(EXTRAS), {"police": made["police"].id, "committee": made["committee"].id})
                session.execute(text(COMPLIANCE))
                session.commit()
                session.execute(text("ANALYZE visits; ANALYZE submissions; ANALYZE compliance_events"))
                session.commit()
                visits = session.scalar(text("SELECT count(*) FROM visits"))
                seconds = time.perf_counter() - started
                print(f"added {visits:,} inspections and the compliance record in {seconds:.1f} s")
            print(f"police station {station.code}: {station.n:,} households")

            env = dict(os.environ, DATABASE_URL=url)
            gridwork = str(Path(sys.executable).parent / "gridwork")
            time_recompute(env, gridwork)
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                # what autovacuum does soon after a bulk write (visibility map for index-only scans, statistics)
                conn.execute(text("VACUUM ANALYZE tier_states, inspection_dues, tier_changes, changes"))
                for row in conn.execute(
                    text("SELECT subject_type, tier, count(*) FROM tier_states GROUP BY 1, 2 ORDER BY 1, 2")
                ):
                    print(f"  {row[0]:<6} {row[1]:<10} {row[2]:>8,}")
                dues = conn.execute(
                    text(
                        "SELECT count(*) FILTER (WHERE role = 'police' AND grid_id IN (SELECT g.id FROM grids g "
                        "JOIN stations s ON s.id = g.station_id WHERE s.code = :code)), count(*) FROM inspection_dues "
                        "WHERE due_on IS NOT NULL"
                    ),
                    {"code": station.code},
                ).one()
                print(f"  due rows: {dues[1]:,} in all, {dues[0]:,} for the officer of {station.code}")
                conn.commit()

            port = free_port()
            server = subprocess.Popen(
                [gridwork, "serve", "--port", str(port), "--workers", str(args.workers)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            base = f"http://127.0.0.1:{port}/api/v1"
            for _ in range(100):
                try:
                    if call(f"{base}/healthz")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            tokens = {
                role: json.loads(
                    call(f"{base}/auth/tokens", body={"username": f"bench-{role}", "password": PASSWORD})[1]
                )["token"]
                for role in ("admin", "police")
            }
            print(f"HTTP ({args.workers} gunicorn workers):")
            measure("police: GET /inspections/due", f"{base}/inspections/due", tokens["police"], args.requests)
            measure(
                "police: GET /inspections/due?status=overdue",
                f"{base}/inspections/due?status=overdue",
                tokens["police"],
                args.requests,
            )
            measure(
                "admin: GET /inspections/summary?group_by=grid",
                f"{base}/inspections/summary?group_by=grid",
                tokens["admin"],
                args.requests,
            )
            measure(
                "admin: GET /inspections/summary?group_by=tier",
                f"{base}/inspections/summary?group_by=tier",
                tokens["admin"],
                args.requests,
            )
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)
            engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
