"""Where a due-list or summary request spends its time: `python bench/due_profile.py --database URL [--requests N]`.

Runs the app in-process (Flask's test client, no HTTP server, no other clients) against a
database seeded by `python bench/tiers.py 350000 --seed 29 --keep`, as its police officer
(GET /inspections/due) and its administrator (GET /inspections/summary?group_by=grid), and prints,
per endpoint, the CPU time of this process per request (time.process_time: the database's own
work runs in the PostgreSQL server and is not in it), the wall time per request (the machine may be
shared), and a cProfile split of that CPU time into token lookup, query, serialisation, JSON
encoding and the rest. `--etag` also measures the revalidating request (If-None-Match: 304).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from server.app import create_app  # noqa: E402

PASSWORD = "bench-password-1"

# (label, a function of the profile whose cumulative time is that part), the first match wins
PARTS = [
    ("token lookup", ("services/auth.py", "authenticate")),
    ("query (SQLAlchemy + psycopg, the Python side)", ("sqlalchemy/orm/session.py", "execute")),
    ("serialisation (marshmallow)", ("marshmallow/schema.py", "dump")),
    ("lean serialisation (due page)", ("api/schemas/due_rows.py", "dump_page")),
    ("lean serialisation (summary)", ("api/schemas/due_rows.py", "dump_summary")),
    ("ETag digest", ("api/conditional.py", "etag")),
    ("the summary's rows in Python", ("store/queries/tiers.py", "due_summary")),
    ("JSON encoding", ("flask/json/provider.py", "response")),
    ("commit", ("sqlalchemy/orm/session.py", "commit")),
]


def _cumulative(stats: pstats.Stats, where: tuple[str, str]) -> float:
    total = 0.0
    for (filename, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if filename.endswith(where[0]) and name == where[1]:
            total += ct
    return total


def profile(client, url: str, headers: dict, requests: int, label: str) -> None:
    response = client.get(url, headers=headers)  # warm up
    assert response.status_code in (200, 304), response.get_data(as_text=True)
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(requests):
        client.get(url, headers=headers)
    cpu, wall = (time.process_time() - cpu) / requests, (time.perf_counter() - wall) / requests
    profiler = cProfile.Profile(time.process_time)  # CPU of this process: waiting on PostgreSQL is not in it
    profiler.enable()
    for _ in range(requests):
        client.get(url, headers=headers)
    profiler.disable()
    stats = pstats.Stats(profiler)
    print(
        f"{label}: status {response.status_code}, {len(response.data):,} bytes; per request "
        f"{cpu * 1000:.2f} ms CPU of this process, {wall * 1000:.2f} ms wall (no profiler)"
    )
    profiled = _cumulative(stats, ("werkzeug/test.py", "open")) / requests
    print(f"  under cProfile (CPU time): {profiled * 1000:.2f} ms per request in all, of which")
    for part, where in PARTS:
        seconds = _cumulative(stats, where) / requests
        if seconds:
            print(f"    {part:<54} {seconds * 1000:7.2f} ms")
    if os.environ.get("PROFILE_TOP"):
        stats.sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(int(os.environ["PROFILE_TOP"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a database seeded by bench/tiers.py --keep")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--etag", action="store_true", help="also the revalidating request (If-None-Match)")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs (the machine may be shared: compare CPU times, not wall times)")
    app = create_app({"DATABASE_URL": args.database})
    client = app.test_client()
    tokens = {}
    for role in ("police", "admin"):
        answer = client.post("/api/v1/auth/tokens", json={"username": f"bench-{role}", "password": PASSWORD})
        tokens[role] = answer.get_json()["token"]
    for label, url, role in (
        ("police: GET /inspections/due", "/api/v1/inspections/due", "police"),
        ("admin: GET /inspections/summary?group_by=grid", "/api/v1/inspections/summary?group_by=grid", "admin"),
    ):
        headers = {"Authorization": f"Bearer {tokens[role]}"}
        profile(client, url, headers, args.requests, label)
        if args.etag:
            etag = client.get(url, headers=headers).headers.get("ETag")
            if etag:
                profile(client, url, {**headers, "If-None-Match": etag}, args.requests, f"{label} (If-None-Match)")
    app.extensions["gridwork.db"].dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
