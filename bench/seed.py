"""Benchmark the synthetic-district seeder: `python bench/seed.py [HOUSEHOLDS] [--seed S]`.

Creates a throwaway database on the test server (TEST_DATABASE_URL, else
DATABASE_URL, else the private instance under var/), migrates it, seeds
HOUSEHOLDS (default 100000) in one transaction, commits, prints the counts and
the rate, and drops the database.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from devtools import devdb
from server.services import seed as seeder
from server.store import bulk, migrate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("households", nargs="?", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database (prints its URL)")
    args = parser.parse_args()

    with devdb.scratch_database("gridwork_bench", keep=args.keep) as url:
        name = url.rsplit("/", 1)[-1]
        engine = create_engine(url)
        try:
            started = time.perf_counter()
            migrate.upgrade(url)
            print(f"database {name} migrated in {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            with Session(engine) as session:
                counts = seeder.run(session, households=args.households, seed=args.seed)
                session.commit()
            elapsed = time.perf_counter() - started
            with engine.connect() as conn:
                stored = bulk.table_counts(bulk.driver_connection(conn))
            rows = sum(stored.values())
            for table, n in stored.items():
                print(f"  {table:<12} {n:>9,}")
            print(
                f"households {args.households:,}  addresses {stored['addresses']:,}  persons {stored['persons']:,}"
                f"  residences {stored['residences']:,}"
            )
            print(
                f"seeded {rows:,} rows in {elapsed:.1f} s: {rows / elapsed:,.0f} rows/s, "
                f"{args.households / elapsed:,.0f} households/s"
            )
            assert counts["addresses"] == stored["addresses"]
        finally:
            engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
