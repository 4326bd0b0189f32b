"""Bulk loading with PostgreSQL COPY (psycopg 3), for the synthetic-district seeder.

Rows are tuples of text values (or None) in the column order of ``COLUMNS``;
geometries are EWKT (``SRID=4326;POINT(lon lat)``), which COPY's text input
accepts for geometry columns. Everything runs on the caller's connection and
inside its transaction: nothing here commits. ``produced_elsewhere`` lets the
rows be generated in a second process while this one loads them.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import pickle
import queue
import subprocess
import sys
import threading

import psycopg
from psycopg import sql
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

COLUMNS = {
    "divisions": ("id", "code", "name", "level", "parent_id", "created_at", "updated_at"),
    "stations": ("id", "code", "name", "created_at", "updated_at"),
    "grids": ("id", "code", "name", "geom", "community_id", "station_id", "created_at", "updated_at"),
    "addresses": (
        "id",
        "community_id",
        "grid_id",
        "street",
        "door",
        "building",
        "unit",
        "floor",
        "room",
        "full_text",
        "canonical_key",
        "search_text",
        "geom",
        "created_at",
        "updated_at",
    ),
    "persons": (
        "id",
        "name",
        "sex",
        "ethnicity",
        "birth_date",
        "document_type",
        "document_number",
        "hukou_address",
        "phone",
        "created_at",
        "updated_at",
    ),
    "houses": (
        "id",
        "address_id",
        "grid_id",
        "use",
        "rental_mode",
        "rooms",
        "floor_area_m2",
        "rented_since",
        "landlord_person_id",
        "agreement_signed_on",
        "created_at",
        "updated_at",
    ),
    "residences": (
        "id",
        "person_id",
        "house_id",
        "category",
        "arrived_on",
        "left_on",
        "reported_at",
        "departure_reported_at",
        "source",
        "verification",
        "created_at",
        "updated_at",
    ),
    "units": (
        "id",
        "name",
        "kind",
        "address_id",
        "grid_id",
        "responsible_person_id",
        "phone",
        "created_at",
        "updated_at",
    ),
    "employments": ("id", "unit_id", "person_id", "started_on", "ended_on", "reported_at", "created_at", "updated_at"),
}
# The order that satisfies the foreign keys.
log = logging.getLogger(__name__)

LOAD_ORDER = ("divisions", "stations", "grids", "addresses", "persons", "houses", "residences", "units", "employments")
PERSON_DOCUMENT = (COLUMNS["persons"].index("document_type"), COLUMNS["persons"].index("document_number"))


def driver_connection(bind) -> psycopg.Connection:
    """The psycopg connection under a SQLAlchemy Session or Connection (or a psycopg one)."""
    if isinstance(bind, psycopg.Connection):
        return bind
    if isinstance(bind, Session):
        bind = bind.connection()
    if isinstance(bind, Connection) and isinstance(bind.connection.driver_connection, psycopg.Connection):
        return bind.connection.driver_connection
    raise TypeError(f"need a Session, a Connection or a psycopg connection, not {type(bind).__name__}")


def prepare(pg: psycopg.Connection) -> None:
    """Settings for this transaction only: a larger GIN pending list (trigram
    indexes on names and address text) is merged less often during COPY."""
    pg.execute("SET LOCAL gin_pending_list_limit = '64MB'")
    pg.execute("SET LOCAL work_mem = '64MB'")


def copy_rows(pg: psycopg.Connection, table: str, rows: list[tuple]) -> int:
    """COPY ``rows`` into ``table``; returns how many."""
    if not rows:
        return 0
    columns = COLUMNS[table]
    with pg.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    return len(rows)


def codes_in_use(pg: psycopg.Connection, *, divisions=(), stations=(), grids=()) -> list[str]:
    """Which of these division, station and grid codes exist already."""
    found = pg.execute(
        "SELECT code FROM divisions WHERE code = ANY(%(d)s) UNION ALL "
        "SELECT code FROM stations WHERE code = ANY(%(s)s) UNION ALL "
        "SELECT code FROM grids WHERE code = ANY(%(g)s) ORDER BY 1",
        {"d": list(divisions), "s": list(stations), "g": list(grids)},
    ).fetchall()
    return [code for (code,) in found]


def grids_overlapping(pg: psycopg.Connection, bounds: tuple[float, float, float, float]) -> list[str]:
    """Codes of existing grids whose interior meets the box (min lon, min lat, max lon, max lat)."""
    found = pg.execute(
        "SELECT code FROM grids WHERE geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326) "
        "AND ST_Relate(geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326), 'T********') ORDER BY code LIMIT 10",
        (*bounds, *bounds),
    ).fetchall()
    return [code for (code,) in found]


def has_documents(pg: psycopg.Connection) -> bool:
    return bool(_scalar(pg, "SELECT EXISTS (SELECT 1 FROM persons WHERE document_number IS NOT NULL)"))


def documents_in_use(pg: psycopg.Connection, person_rows: list[tuple]) -> set[tuple[str, str]]:
    """(document_type, document_number) pairs of these person rows that already exist."""
    t, n = PERSON_DOCUMENT
    pairs = [(row[t], row[n]) for row in person_rows if row[n] is not None]
    if not pairs:
        return set()
    found = pg.execute(
        "SELECT p.document_type, p.document_number FROM persons p "
        "JOIN unnest(%s::text[], %s::text[]) AS d(type, number) "
        "ON p.document_number = d.number AND p.document_type = d.type",
        ([p[0] for p in pairs], [p[1] for p in pairs]),
    ).fetchall()
    return {(a, b) for a, b in found}


def analyze(pg: psycopg.Connection, tables=LOAD_ORDER) -> None:
    """Fresh planner statistics after a large load."""
    for table in tables:
        pg.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))


def table_counts(pg: psycopg.Connection, tables=LOAD_ORDER) -> dict[str, int]:
    count = sql.SQL("SELECT count(*) FROM {}")
    return {t: _scalar(pg, count.format(sql.Identifier(t))) for t in tables}


def _scalar(pg: psycopg.Connection, statement):
    """The one value of a statement that always gives one row (a count, an EXISTS)."""
    row = pg.execute(statement).fetchone()
    assert row is not None, "an aggregate gives one row"
    return row[0]


def produced_elsewhere(target: str, *args: str, ahead: int = 4):
    """Iterate, in this process, over what the generator function ``target``
    ("package.module:function", called with string ``args``) yields in a child
    Python process: there it uses its own core while this process feeds COPY
    and PostgreSQL uses another (threads would share the GIL). A reader thread
    keeps up to ``ahead`` items queued so that the child runs ahead."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    child = subprocess.Popen(
        [sys.executable, "-c", "from server.store.bulk import _produce; _produce()", target, *args],
        stdout=subprocess.PIPE,
        env=env,
    )
    items: queue.Queue = queue.Queue(maxsize=ahead)

    def read():
        try:
            while (item := pickle.load(child.stdout)) is not None:
                items.put(item)
        except Exception:  # end of the pipe: the child failed (see stderr) or was stopped
            log.debug("bulk producer %s stopped before its end marker", target, exc_info=True)
        items.put(None)

    reader = threading.Thread(target=read, name="bulk-reader", daemon=True)
    reader.start()
    try:
        while (item := items.get()) is not None:
            yield item
        if child.wait() != 0:
            raise RuntimeError(f"{target} failed in its process (exit code {child.returncode}); see above")
    finally:
        if child.poll() is None:
            child.kill()
        while reader.is_alive():  # let a reader blocked on a full queue finish
            with contextlib.suppress(queue.Empty):
                items.get_nowait()
            reader.join(0.05)
        child.wait()
        if child.stdout is not None:
            child.stdout.close()


def _produce() -> None:
    """The child of produced_elsewhere: pickles on the original stdout, then None."""
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr  # nothing printed may corrupt the stream
    module, function = sys.argv[1].split(":")
    for item in getattr(importlib.import_module(module), function)(*sys.argv[2:]):
        pickle.dump(item, out, protocol=pickle.HIGHEST_PROTOCOL)
    pickle.dump(None, out)
    out.close()
