"""Benchmark the web pages' server time: `python bench/web_pages.py [HOUSEHOLDS] [--seed S] [--keep]`.

Seeds HOUSEHOLDS (default 80,000) in a throwaway database on the test server, grows the largest police
station to about 30,000 households (as bench/tiers.py does, with its inspections and compliance
record), recomputes the tiers, then renders the police officer's pages in-process through the
Flask test client (server time only: no network, no browser) and prints the median and p95 of each:
the due list (first page, filtered, a later page), the map's grid polygons and its due points for the
visible box (the whole station, one grid), a house page, the targets board (12 weeks: all counted live, then
again after `gridwork targets materialise` stored the last two weeks, then with all 12 stored) and a gap list.
`python bench/web_pages.py 1500` is the demo district's size (the whole district becomes the station).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from devtools import devdb  # noqa: E402
from server.auth.actor import system  # noqa: E402
from server.services import accounts  # noqa: E402
from server.services import seed as seeder  # noqa: E402
from server.store import migrate  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_tiers", ROOT / "bench" / "tiers.py")
assert _spec and _spec.loader
tiers_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tiers_bench)

PASSWORD = "bench-password-1"


def timed(client, url: str, runs: int) -> tuple[float, float, int]:
    client.get(url)  # warm up
    timings = []
    status = 0
    for _ in range(runs):
        started = time.perf_counter()
        r = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        status = r.status_code
    timings.sort()
    return statistics.median(timings), timings[min(len(timings) - 1, int(len(timings) * 0.95))], status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("households", nargs="?", type=int, default=80_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    with devdb.scratch_database("gridwork_bench", keep=args.keep) as url:
        engine = create_engine(url)
        migrate.upgrade(url)
        started = time.perf_counter()
        with Session(engine) as session:
            seeder.run(session, households=args.households, seed=args.seed, analyze=True)
            session.commit()
        print(f"seeded {args.households:,} households in {time.perf_counter() - started:.1f} s")
        with Session(engine) as session:
            station = tiers_bench._station_of(session, tiers_bench.STATION_HOUSEHOLDS)
            community = session.scalar(text("SELECT d.code FROM divisions d WHERE d.level = 'community' LIMIT 1"))
            police = accounts.create(
                session,
                system("bench"),
                username="bench-police",
                password=PASSWORD,
                role="police",
                station=station.code,
            )
            committee = accounts.create(
                session,
                system("bench"),
                username="bench-committee",
                password=PASSWORD,
                role="committee",
                community=community,
            )
            session.execute(text(tiers_bench.EXTRAS), {"police": police.id, "committee": committee.id})
            session.execute(text(tiers_bench.COMPLIANCE))
            session.commit()
        print(f"police station {station.code}: {station.n:,} households")
        env = dict(os.environ, DATABASE_URL=url)
        gridwork = str(Path(sys.executable).parent / "gridwork")
        subprocess.run([gridwork, "tiers", "recompute"], env=env, check=True, capture_output=True)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
            dues = conn.scalar(
                text(
                    "SELECT count(*) FROM inspection_dues WHERE due_on IS NOT NULL AND role = 'police' AND grid_id IN "
                    "(SELECT g.id FROM grids g JOIN stations s ON s.id = g.station_id WHERE s.code = :c)"
                ),
                {"c": station.code},
            )
            grid = conn.execute(
                text(
                    "SELECT g.code, count(*) FROM inspection_dues d JOIN grids g ON g.id = d.grid_id "
                    "JOIN stations s ON s.id = g.station_id WHERE s.code = :c AND d.role = 'police' "
                    "GROUP BY g.code ORDER BY 2 DESC LIMIT 1"
                ),
                {"c": station.code},
            ).one()
            box = conn.execute(
                text(
                    "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(g.geom) AS e "
                    "FROM grids g JOIN stations s ON s.id = g.station_id WHERE s.code = :c) x"
                ),
                {"c": station.code},
            ).one()
            grid_box = conn.execute(
                text(
                    "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) AS e "
                    "FROM grids WHERE code = :g) x"
                ),
                {"g": grid[0]},
            ).one()
            house_id = conn.scalar(
                text(
                    "SELECT r.house_id FROM residences r JOIN houses h ON h.id = r.house_id JOIN grids g ON "
                    "g.id = h.grid_id JOIN stations s ON s.id = g.station_id WHERE s.code = :c AND r.left_on IS NULL "
                    "GROUP BY r.house_id ORDER BY count(*) DESC LIMIT 1"
                ),
                {"c": station.code},
            )
        print(f"  {dues:,} police dues in the station; busiest grid {grid[0]}: {grid[1]:,}")

        from server.app import create_app

        app = create_app({"DATABASE_URL": url})
        client = app.test_client()
        page = client.get("/web/login").get_data(as_text=True)
        csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        r = client.post("/web/login", data={"username": "bench-police", "password": PASSWORD, "csrf_token": csrf})
        assert r.status_code == 302, r.status_code
        second = client.get("/web/due").get_data(as_text=True)
        cursor = second.split('id="next-page"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        bbox, grid_bbox = ",".join(f"{v:.6f}" for v in box), ",".join(f"{v:.6f}" for v in grid_box)
        pages = (
            ("due list, first page", "/web/due"),
            ("due list, overdue focus houses", "/web/due?status=overdue&tier=focus"),
            ("due list, second page", cursor),
            ("map: grid polygons", "/web/map/grids.geojson"),
            ("map: due points, whole station in view", f"/web/map/due.geojson?bbox={bbox}"),
            (f"map: due points, grid {grid[0]} in view", f"/web/map/due.geojson?bbox={grid_bbox}"),
            ("house page (most residents)", f"/web/houses/{house_id}"),
            ("targets board, station (12 weeks live)", "/web/targets"),
            ("targets board, by grid (12 weeks live)", "/web/targets?group_by=grid"),
            ("targets gaps: household coverage", "/web/targets/household_coverage/gaps"),
        )
        print(f"  (os.cpu_count() = {os.cpu_count()}; wall-clock server time, in-process; the machine may be shared)")
        for label, target in pages:
            p50, p95, status = timed(client, target, args.runs)
            print(f"  {label:<44} {status}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
        subprocess.run([gridwork, "targets", "materialise"], env=env, check=True, capture_output=True)
        for label, target in (
            ("targets board, station (2 of 12 weeks nightly)", "/web/targets"),
            ("targets board, by grid (2 of 12 weeks nightly)", "/web/targets?group_by=grid"),
        ):
            p50, p95, status = timed(client, target, args.runs)
            print(f"  {label:<44} {status}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
        # after twelve nights (or a one-off backfill) every week of the trend is stored
        with app.app_context():
            from server.domain.targets.periods import week_of
            from server.services.tiers import local_today

            last = week_of(local_today(app.config["TIMEZONE"]) - timedelta(days=7))
        weeks = [week_of(last.first_day - timedelta(weeks=n)).label for n in range(12)]
        backfill = [gridwork, "targets", "materialise", *(a for w in weeks for a in ("--week", w))]
        subprocess.run(backfill, env=env, check=True, capture_output=True)
        for label, target in (
            ("targets board, station (12 weeks nightly)", "/web/targets"),
            ("targets board, by grid (12 weeks nightly)", "/web/targets?group_by=grid"),
        ):
            p50, p95, status = timed(client, target, args.runs)
            print(f"  {label:<44} {status}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
        app.extensions["gridwork.db"].dispose()
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
