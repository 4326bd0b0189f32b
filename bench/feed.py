"""Benchmark a new phone's first sync: `python bench/feed.py [HOUSEHOLDS] [--area N] [--rounds R] [--keep]`.

1. Creates a throwaway database (like bench/tiers.py), seeds HOUSEHOLDS (default 6000) with the seed
   service, runs the tier recompute (due inspections are in the feed too) and gives a grid worker
   adjacent grids holding about --area households (default 2000; the seeder's grids hold 200-400).
2. Writes history: --rounds (default 3) updates of every address, house, unit and residence, and one of
   every person (which re-announces their residences), then ages every feed row by 60 days and gives
   each its place, as sync calls would have.
3. Times the worker's first sync in-process (Flask test client: JSON encoding included, no socket):
   GET /sync/changes from no cursor, following next_cursor while `more`, at --limit (default 200, the
   API's default page) and at 1000; prints items, pages, wall seconds, and CPU seconds of this process
   (Flask, marshmallow, SQLAlchemy) and of the PostgreSQL backends serving it (from /proc: the private
   instance runs on this machine), which a shared machine disturbs far less than wall time.
4. Runs the compaction (`feed.compact`, the nightly job) with the 30-day window and times the same
   first sync again. Drops the database (unless --keep).
"""

from __future__ import annotations

import argparse
import os
import resource
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
from server.services import accounts, feed  # noqa: E402
from server.store.queries import feed as feed_q  # noqa: E402

PASSWORD = "bench-password-1"
TOUCH = {  # one feed row per record and round (the triggers write them)
    "addresses": "UPDATE addresses SET version = version + 1, updated_at = now()",
    "houses": "UPDATE houses SET version = version + 1, updated_at = now()",
    "units": "UPDATE units SET version = version + 1, updated_at = now()",
    "residences": "UPDATE residences SET version = version + 1, updated_at = now()",
}


def area_grids(session: Session, households: int) -> tuple[list[str], int]:
    """Grids in code order (neighbours in one community, then the next) until about ``households``."""
    codes, total = [], 0
    for code, n in session.execute(
        text("SELECT g.code, count(h.id) FROM grids g LEFT JOIN houses h ON h.grid_id = g.id GROUP BY 1 ORDER BY 1")
    ):
        if total >= households:
            break
        codes.append(code)
        total += n
    return codes, total


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def backends_cpu(engine) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving the bench's database (the private instance
    runs on this machine: /proc tells)."""
    with engine.connect() as conn:
        pids = conn.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")).all()
    ticks, used = os.sysconf("SC_CLK_TCK"), {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return used


def first_sync(client, token: str, limit: int, engine) -> tuple[int, int, float, float, float, bool]:
    """(items, pages, wall s, this process's CPU s, PostgreSQL's CPU s, reset seen) of a phone syncing
    from nothing."""
    headers = {"Authorization": f"Bearer {token}"}
    cursor, more, items, pages, reset = None, True, 0, 0, False
    db_before = backends_cpu(engine)
    wall, used = time.perf_counter(), cpu()
    while more:
        query = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        r = client.get("/api/v1/sync/changes", query_string=query, headers=headers)
        assert r.status_code == 200, r.get_data(as_text=True)[:300]
        body = r.get_json()
        items, pages, reset = items + len(body["items"]), pages + 1, reset or body["reset"]
        cursor, more = body["next_cursor"], body["more"]
    wall, used = time.perf_counter() - wall, cpu() - used
    db_after = backends_cpu(engine)
    db = sum(seconds - db_before.get(pid, 0.0) for pid, seconds in db_after.items())
    return items, pages, wall, used, db, reset


def feed_rows(engine, grids: list[str]) -> tuple[int, int]:
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT count(*), count(*) FILTER (WHERE grid_id IN (SELECT id FROM grids WHERE code = ANY(:g))) "
                "FROM changes"
            ),
            {"g": grids},
        ).one()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("households", nargs="?", type=int, default=6000)
    parser.add_argument("--area", type=int, default=2000, help="households in the worker's grids")
    parser.add_argument("--rounds", type=int, default=3, help="updates of every record (history)")
    parser.add_argument("--limit", type=int, default=200, help="the phone's page size")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()} (the machine is shared: wall seconds vary, CPU seconds less so)")

    with devdb.scratch_database("gridwork_bench_feed", keep=args.keep) as url:
        engine = create_engine(url)
        try:
            tiers_bench.seed_district(engine, url, args.households, args.seed)
            env = dict(os.environ, DATABASE_URL=url)
            gridwork = str(Path(sys.executable).parent / "gridwork")
            subprocess.run([gridwork, "tiers", "recompute"], env=env, check=True, capture_output=True)
            with Session(engine) as session:
                grids, households = area_grids(session, args.area)
                accounts.create(
                    session, system("bench"), username="bench-worker", password=PASSWORD, role="grid_worker",
                    grids=grids,
                )  # fmt: skip
                started = time.perf_counter()
                for _ in range(args.rounds):
                    for sql in TOUCH.values():
                        session.execute(text(sql))
                session.execute(text("UPDATE persons SET version = version + 1, updated_at = now()"))
                session.execute(text("UPDATE changes SET at = at - interval '60 days'"))
                session.commit()
                while feed_q.place(session, batch=50_000):  # the places sync calls would have given
                    session.commit()
                session.commit()
                seconds = time.perf_counter() - started
                print(f"history: {args.rounds} rounds of updates and one of persons in {seconds:.1f} s")
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE changes"))
            print(f"worker's area: {len(grids)} grids, {households:,} households")

            from server.app import create_app

            app = create_app({"DATABASE_URL": url})
            client = app.test_client()
            token = client.post(
                "/api/v1/auth/tokens",
                json={"username": "bench-worker", "password": PASSWORD, "device_id": "bench-phone"},
            ).get_json()["token"]

            results = {}
            for label in ("before compaction", "after compaction"):
                total, mine = feed_rows(engine, grids)
                print(f"{label}: feed {total:,} rows, {mine:,} of them in the worker's grids")
                for limit in dict.fromkeys((args.limit, 1000)):
                    items, pages, wall, used, db, reset = first_sync(client, token, limit, engine)
                    results[(label, limit)] = used + db
                    print(
                        f"  first sync, limit {limit:>4}: {items:>6,} items in {pages:>4} pages: {wall:6.2f} s wall; "
                        f"CPU {used:5.2f} s Python + {db:5.2f} s PostgreSQL = {used + db:5.2f} s"
                        f"{'  RESET?' * reset}"
                    )
                if label == "before compaction":
                    started = time.perf_counter()
                    with Session(engine) as session:
                        done = feed.compact(session, retention_days=30)
                        session.commit()
                    print(
                        f"compaction: horizon {done.horizon:,}, {done.removed:,} rows removed "
                        f"in {time.perf_counter() - started:.2f} s wall"
                    )
                    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                        conn.execute(text("VACUUM ANALYZE changes"))
            for limit in dict.fromkeys((args.limit, 1000)):
                before, after = results[("before compaction", limit)], results[("after compaction", limit)]
                print(f"limit {limit}: CPU after/before compaction = {after / before:.2f}")
            app.extensions["gridwork.db"].dispose()
        finally:
            engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
