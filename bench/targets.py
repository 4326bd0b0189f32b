"""Benchmark the targets board: `python bench/targets.py [HOUSEHOLDS] [--seed S] [--keep | --database URL]`.

1. Creates a throwaway database on the test server (like bench/tiers.py), migrates it and seeds HOUSEHOLDS
   (default 350000) with the seed service.
2. Adds, set-based in SQL, what the seeder does not make: one grid worker per grid, and a year of field work:
   each lived-in house gets 0-3 visits over the last 365 days (a hash of its id decides; about 1 in 6 gets none),
   and each worker 20-40 visits in the last complete ISO week (some to units), so that every indicator varies.
3. Serves the API with `gridwork serve` and measures with 4 concurrent clients (threads + urllib) p50 / p95:
   GET /targets?group_by=grid as an administrator counted live (few requests: it is slow), then runs
   `gridwork targets materialise` (the nightly job, timed) and measures group_by=grid (district-wide: the
   figure the issue sets at <= 200 ms p95), community, station and worker, and one grid's coverage gaps.
4. Stops the server and drops the database (unless --keep).

`--database URL` reuses a database seeded before (by bench/tiers.py --keep or by this script with --keep):
nothing is seeded or added that is already there (the district, the grid workers and their visits, the
admin), and it is kept. One 350k district then serves both benchmarks.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

import bench.tiers as tiers_bench  # noqa: E402
from devtools import devdb  # noqa: E402
from server.auth.actor import system  # noqa: E402
from server.services import accounts  # noqa: E402

PASSWORD = "bench-password-1"
CLIENTS = 4

WORKERS = """
WITH made AS (
    INSERT INTO accounts (id, username, display_name, role, password_hash)
    SELECT gen_random_uuid(), 'bw-' || lower(g.code), '网格员 ' || g.code, 'grid_worker', t.password_hash
    FROM grids g, accounts t WHERE t.id = :template
    RETURNING id, username
)
INSERT INTO account_grids (account_id, grid_id)
SELECT made.id, g.id FROM made JOIN grids g ON 'bw-' || lower(g.code) = made.username
"""
# Visits over the year (r = hash % 6 visits minus 2 → 0..3, clipped at 0) and the week's visits per worker.
VISITS = """
WITH plan AS (
    SELECT gen_random_uuid() AS iid, h.id AS house_id, NULL::uuid AS unit_id, h.grid_id, ag.account_id,
           now() - make_interval(days => 8 + (abs(hashtext(h.id::text || n)) % 350)) AS at
    FROM houses h JOIN account_grids ag ON ag.grid_id = h.grid_id,
         generate_series(1, greatest(0, abs(hashtext(h.id::text)) % 6 - 2)) AS n
    WHERE h.use <> 'vacant'
    UNION ALL
    SELECT gen_random_uuid(), CASE WHEN n % 4 = 0 THEN NULL ELSE h.id END,
           CASE WHEN n % 4 = 0 THEN u.id END, ag.grid_id, ag.account_id,
           CAST(:week_from AS timestamptz) + make_interval(hours => 9 + n % 9, days => n % 7)
    FROM account_grids ag
    JOIN LATERAL (SELECT id FROM houses WHERE grid_id = ag.grid_id LIMIT 1) h ON true
    JOIN LATERAL (SELECT id FROM units WHERE grid_id = ag.grid_id LIMIT 1) u ON true,
         generate_series(1, 20 + abs(hashtext(ag.account_id::text)) % 21) AS n
), subs AS (
    INSERT INTO submissions (id, instance_id, form_id, form_version, subject_type, subject_id, grid_id,
                             account_id, role, completed_at, server_received_at, answers, content_hash)
    SELECT gen_random_uuid(), iid, 'visit', '2026.1', CASE WHEN unit_id IS NULL THEN 'house' ELSE 'unit' END,
           coalesce(house_id, unit_id), grid_id, account_id, 'grid_worker', at, at, '{}'::jsonb,
           md5(iid::text) || md5(iid::text)
    FROM plan RETURNING instance_id
)
INSERT INTO visits (id, instance_id, kind, form_id, form_version, subject_type, house_id, unit_id, grid_id,
                    account_id, role, outcome, visited_at, received_at)
SELECT gen_random_uuid(), iid, 'visit', 'visit', '2026.1', CASE WHEN unit_id IS NULL THEN 'house' ELSE 'unit' END,
       house_id, unit_id, grid_id, account_id, 'grid_worker', 'met', at, at
FROM plan
"""


def _add_field_work(session: Session, week_from) -> None:
    """The admin, one grid worker per grid and a year of their visits (see the module's docstring)."""
    if not session.scalar(text("SELECT EXISTS (SELECT 1 FROM accounts WHERE username = 'bench-admin')")):
        accounts.create(session, system("bench"), username="bench-admin", password=PASSWORD, role="admin")
    template = accounts.create(session, system("bench"), username="bench-template", password=PASSWORD, role="admin")
    session.flush()
    started = time.perf_counter()
    session.execute(text(WORKERS), {"template": template.id})
    session.execute(text(VISITS), {"week_from": week_from})
    session.commit()
    session.execute(text("ANALYZE accounts; ANALYZE account_grids; ANALYZE visits; ANALYZE submissions"))
    session.commit()
    visits = session.scalar(text("SELECT count(*) FROM visits"))
    workers = session.scalar(text("SELECT count(*) FROM account_grids"))
    print(
        f"added {workers:,} grid workers and {visits:,} visits in {time.perf_counter() - started:.1f} s "
        "(admin bench-admin)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("households", nargs="?", type=int, default=350_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=100, help="requests per endpoint (all clients together)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--keep", action="store_true", help="keep the database (prints its URL)")
    parser.add_argument("--database", metavar="URL", help="reuse this database (seeded before; kept)")
    parser.add_argument("--skip-live", action="store_true", help="do not measure the live count (slow at 350k)")
    args = parser.parse_args()
    tiers_bench.CLIENTS = CLIENTS

    from server.domain.targets.periods import days_bounds, parse_period
    from server.services.tiers import local_today

    week = parse_period(None, local_today())
    week_from = days_bounds(week.first_day, week.last_day, "Asia/Shanghai")[0]
    print(f"machine: {os.cpu_count()} CPUs (shared with other work: compare figures of one run)")
    reuse = contextlib.nullcontext(devdb.normalise_database_url(args.database)) if args.database else None
    with reuse or devdb.scratch_database("gridwork_bench_targets", keep=args.keep) as url:
        engine = create_engine(url)
        server = None
        try:
            with engine.connect() as conn:
                seeded = conn.scalar(text("SELECT to_regclass('houses') IS NOT NULL")) and conn.scalar(
                    text("SELECT EXISTS (SELECT 1 FROM houses)")
                )
            if seeded:
                print(f"reusing {url.rsplit('/', 1)[-1]}: already seeded")
            else:
                tiers_bench.seed_district(engine, url, args.households, args.seed)
            with Session(engine) as session:
                added = session.scalar(text("SELECT EXISTS (SELECT 1 FROM accounts WHERE username LIKE 'bw-%')"))
                if not added:
                    _add_field_work(session, week_from)
                print(f"period {week.label}")
                grid = session.scalar(text("SELECT code FROM grids ORDER BY code LIMIT 1"))

            env = dict(os.environ, DATABASE_URL=url)
            gridwork = str(Path(sys.executable).parent / "gridwork")
            port = tiers_bench.free_port()
            server = subprocess.Popen(
                [gridwork, "serve", "--port", str(port), "--workers", str(args.workers)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            base = f"http://127.0.0.1:{port}/api/v1"
            for _ in range(100):
                try:
                    if tiers_bench.call(f"{base}/healthz")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            token = json.loads(
                tiers_bench.call(f"{base}/auth/tokens", body={"username": "bench-admin", "password": PASSWORD})[1]
            )["token"]
            body = json.loads(tiers_bench.call(f"{base}/targets?group_by=grid", token)[1])
            short = sum(1 for g in body["groups"] for f in g["figures"].values() if f["status"] == "short")
            print(f"group_by=grid: {len(body['groups'])} grids, {short} indicator figures short")
            print(f"HTTP ({args.workers} gunicorn workers, {CLIENTS} clients), counted live at each request:")
            live = max(CLIENTS, args.requests // 10)
            url = f"{base}/targets?group_by=grid"
            if not args.skip_live:
                tiers_bench.measure("admin: GET /targets?group_by=grid (live)", url, token, live)
            started = time.perf_counter()
            out = subprocess.run(
                [gridwork, "targets", "materialise"], env=env, check=True, capture_output=True, text=True
            ).stdout
            print(f"targets materialise (nightly): {time.perf_counter() - started:.1f} s wall; {out.strip()}")
            body = json.loads(tiers_bench.call(f"{base}/targets?group_by=grid", token)[1])
            print(f"HTTP, from the nightly counts (counts={body['counts']}):")
            for group in ("grid", "community", "station", "worker"):
                tiers_bench.measure(
                    f"admin: GET /targets?group_by={group}", f"{base}/targets?group_by={group}", token, args.requests
                )
            tiers_bench.measure(
                "admin: GET /targets/household_coverage/gaps?grid=",
                f"{base}/targets/household_coverage/gaps?grid={grid}",
                token,
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
