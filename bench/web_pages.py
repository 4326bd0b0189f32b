"""Benchmark the web pages' server time: `python bench/web_pages.py [HOUSEHOLDS] [--seed S] [--keep] [--database URL]`.

Seeds HOUSEHOLDS (default 80,000) in a throwaway database on the test server, grows the largest police
station to about 30,000 households (as bench/tiers.py does, with its inspections and compliance
record), recomputes the tiers, then renders the police officer's pages in-process through the
Flask test client (server time only: no network, no browser) and prints the median and p95 of each, with
the median CPU time of this Python process (the comparable figure on a shared machine; PostgreSQL's
own time is in the wall time only): the due list (first page, filtered, a later page), the map's grid
polygons, its due points for the visible box (one grid, six grids) and its counts per grid (the whole
station), a house page, the targets board (12 weeks: with no nightly counts, all counted live; then after
`gridwork targets materialise`, which now stores the whole trend on its first run; by grid, the first and the
second page of areas) and a gap list. `--database URL` measures again on a district kept by `--keep` (no
seeding; its nightly counts are emptied first).
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


def timed(client, url: str, runs: int) -> tuple[float, float, float, int]:
    """Wall p50 and p95 and CPU p50 of this process (ms), and the status."""
    client.get(url)  # warm up
    timings, cpu = [], []
    status = 0
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        r = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        status = r.status_code
    timings.sort()
    return (
        statistics.median(timings),
        timings[min(len(timings) - 1, int(len(timings) * 0.95))],
        statistics.median(cpu),
        status,
    )


def show(client, label: str, target: str, runs: int) -> None:
    p50, p95, cpu, status = timed(client, target, runs)
    print(f"  {label:<50} {status}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  cpu p50 {cpu:7.1f} ms")


def seed(url: str, args) -> None:
    """Seed the district, grow the station, make the two accounts, recompute the tiers."""
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
            session, system("bench"), username="bench-police", password=PASSWORD, role="police", station=station.code
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
    subprocess.run([GRIDWORK, "tiers", "recompute"], env=ENV | {"DATABASE_URL": url}, check=True, capture_output=True)
    engine.dispose()


def materialise(url: str, label: str, *weeks: str) -> None:
    """`gridwork targets materialise` (with no week: what the nightly job runs); prints its wall and CPU time."""
    started = time.perf_counter()
    before = os.times()
    command = [GRIDWORK, "targets", "materialise", *(a for w in weeks for a in ("--week", w))]
    done = subprocess.run(command, env=ENV | {"DATABASE_URL": url}, check=True, capture_output=True, text=True)
    after = os.times()
    cpu = after.children_user + after.children_system - before.children_user - before.children_system
    print(
        f"  {label}: {time.perf_counter() - started:.1f} s wall, {cpu:.1f} s CPU of the command (the database's "
        f"not included); {done.stdout.strip().splitlines()[-1]}"
    )


GRIDWORK = str(Path(sys.executable).parent / "gridwork")
# the commands run this checkout's server too (a copy of the bench in another checkout measures that one)
ENV = dict(os.environ, PYTHONPATH=str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("households", nargs="?", type=int, default=80_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--database", help="a district kept by --keep: measure again without seeding")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}")
    if args.database:
        measure(args.database, args)
        return 0
    with devdb.scratch_database("gridwork_bench", keep=args.keep) as url:
        seed(url, args)
        measure(url, args)
    return 0


def measure(url: str, args) -> None:
    engine = create_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("DELETE FROM target_counts"))  # the live board first, as on a new installation
        conn.execute(text("VACUUM ANALYZE"))
        station = conn.scalar(
            text(
                "SELECT s.code FROM accounts a JOIN stations s ON s.id = a.station_id WHERE a.username = 'bench-police'"
            )
        )
        dues = conn.scalar(
            text(
                "SELECT count(*) FROM inspection_dues WHERE due_on IS NOT NULL AND role = 'police' AND grid_id IN "
                "(SELECT g.id FROM grids g JOIN stations s ON s.id = g.station_id WHERE s.code = :c)"
            ),
            {"c": station},
        )
        grid = conn.execute(
            text(
                "SELECT g.code, count(*) FROM inspection_dues d JOIN grids g ON g.id = d.grid_id "
                "JOIN stations s ON s.id = g.station_id WHERE s.code = :c AND d.role = 'police' "
                "GROUP BY g.code ORDER BY 2 DESC LIMIT 1"
            ),
            {"c": station},
        ).one()
        extent = (
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) AS e FROM ({}) x) y"
        )
        box = conn.execute(
            text(extent.format("SELECT g.geom FROM grids g JOIN stations s ON s.id = g.station_id WHERE s.code = :c")),
            {"c": station},
        ).one()
        grid_box = conn.execute(text(extent.format("SELECT geom FROM grids WHERE code = :g")), {"g": grid[0]}).one()
        # the busiest grid and its five nearest of the station: the most the map shows as houses
        six_box = conn.execute(
            text(
                extent.format(
                    "SELECT g.geom FROM grids g JOIN stations s ON s.id = g.station_id WHERE s.code = :c "
                    "ORDER BY ST_Distance(ST_Centroid(g.geom), (SELECT ST_Centroid(geom) FROM grids WHERE code = :g)) "
                    "LIMIT 6"
                )
            ),
            {"c": station, "g": grid[0]},
        ).one()
        house_id = conn.scalar(
            text(
                "SELECT r.house_id FROM residences r JOIN houses h ON h.id = r.house_id JOIN grids g ON "
                "g.id = h.grid_id JOIN stations s ON s.id = g.station_id WHERE s.code = :c AND r.left_on IS NULL "
                "GROUP BY r.house_id ORDER BY count(*) DESC LIMIT 1"
            ),
            {"c": station},
        )
    print(f"  station {station}: {dues:,} police dues; busiest grid {grid[0]}: {grid[1]:,}")

    from server.app import create_app

    app = create_app({"DATABASE_URL": url})
    client = app.test_client()
    page = client.get("/web/login").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = client.post("/web/login", data={"username": "bench-police", "password": PASSWORD, "csrf_token": csrf})
    assert r.status_code == 302, r.status_code
    second = client.get("/web/due").get_data(as_text=True)
    cursor = second.split('id="next-page"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    bbox, grid_bbox, six_bbox = (",".join(f"{v:.6f}" for v in b) for b in (box, grid_box, six_box))
    pages = (
        ("due list, first page", "/web/due"),
        ("due list, overdue focus houses", "/web/due?status=overdue&tier=focus"),
        ("due list, second page", cursor),
        ("map: grid polygons", "/web/map/grids.geojson"),
        ("map: due points, whole station in view (before)", f"/web/map/due.geojson?bbox={bbox}"),
        ("map: due counts per grid, whole station in view", f"/web/map/due-counts.geojson?bbox={bbox}"),
        (f"map: due points, grid {grid[0]} in view", f"/web/map/due.geojson?bbox={grid_bbox}"),
        ("map: due points, six grids in view", f"/web/map/due.geojson?bbox={six_bbox}"),
        ("house page (most residents)", f"/web/houses/{house_id}"),
        ("targets board, station (12 weeks live)", "/web/targets"),
        ("targets board, by grid, first page (12 weeks live)", "/web/targets?group_by=grid"),
        ("targets gaps: household coverage", "/web/targets/household_coverage/gaps"),
    )
    print(f"  (os.cpu_count() = {os.cpu_count()}; wall-clock server time, in-process; the machine may be shared)")
    for label, target in pages:
        show(client, label, target, args.runs)
    materialise(url, "first nightly run")
    materialise(url, "the next night")
    with app.app_context():
        from server.domain.targets.periods import parse_period, week_of
        from server.services.tiers import local_today

        last = parse_period(None, local_today(app.config["TIMEZONE"]))
    trend = [week_of(last.first_day - timedelta(weeks=n)).label for n in range(12)]
    with engine.connect() as conn:
        kept = conn.scalar(text("SELECT count(DISTINCT week) FROM target_counts WHERE week = ANY(:w)"), {"w": trend})
    if kept < len(trend):  # a nightly job that stores only two weeks a night: twelve nights, or this backfill
        print(f"  after the nightly runs {kept} of the trend's 12 weeks are stored")
        for label, target in (
            ("targets board, station (2 of 12 weeks nightly)", "/web/targets"),
            ("targets board, by grid (2 of 12 weeks nightly)", "/web/targets?group_by=grid"),
        ):
            show(client, label, target, args.runs)
        materialise(url, "backfill of the 12 weeks by hand", *trend)
    board = client.get("/web/targets?group_by=grid").get_data(as_text=True)
    pages = [
        ("targets board, station (12 weeks nightly)", "/web/targets"),
        ("targets board, by grid, first page (12 weeks nightly)", "/web/targets?group_by=grid"),
    ]
    if 'rel="next" id="next-page"' in board:  # areas paged
        following = board.split('rel="next" id="next-page"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
        pages.append(("targets board, by grid, second page (12 weeks nightly)", following.replace("&amp;", "&")))
    for label, target in pages:
        show(client, label, target, args.runs)
    print(f"load average {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}")
    app.extensions["gridwork.db"].dispose()
    engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
