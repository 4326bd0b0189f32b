"""Backup and restore of the whole database with pg_dump / pg_restore.

A backup is one pg_dump in custom format: a consistent snapshot of every table
(pg_dump reads in one repeatable-read transaction while the server keeps
serving). It is restored into an empty database, on this server or another
cluster. The change feed's order is ordinary data (decision 0010), so it
survives; the restore starts a new feed epoch so phones that synced against
the old database start over (reset: true).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from server.pg_binaries import find_bindir


class BackupError(RuntimeError):
    """pg_dump / pg_restore failed, or the target database is not empty; the message says why."""


def _conninfo(url: str) -> tuple[list[str], dict]:
    """pg_dump-style connection arguments and environment (the password goes in PGPASSWORD)."""
    u = make_url(url)
    if not u.database:
        raise BackupError("The database URL names no database.")
    args = [
        "--host",
        u.host or "127.0.0.1",
        "--port",
        str(u.port or 5432),
        "--username",
        u.username or "postgres",
        "--dbname",
        u.database,
    ]
    env = os.environ | {"PGPASSWORD": u.password or "", "PGCONNECT_TIMEOUT": "10"}
    return args, env


def _run(cmd: list[str], env: dict, what: str) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{what} failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}")


def backup(url: str, path: Path) -> None:
    """Write a pg_dump custom-format archive of the database at ``url`` to ``path``."""
    args, env = _conninfo(url)
    partial = path.with_name(path.name + ".partial")
    _run(
        [str(find_bindir() / "pg_dump"), "--format=custom", "--no-password", "--file", str(partial), *args],
        env,
        "pg_dump",
    )
    partial.replace(path)  # a backup file is either whole or absent


def user_tables(url: str) -> list[str]:
    """Tables in the database other than PostGIS's own (an empty database has none)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(
                conn.scalars(
                    text(
                        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                        "AND n.nspname NOT LIKE 'pg_toast%' AND c.relname <> 'spatial_ref_sys' "
                        "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') "
                        "ORDER BY 1"
                    )
                )
            )
    finally:
        engine.dispose()


def restore(url: str, path: Path) -> None:
    """Restore the archive at ``path`` into the (empty) database at ``url``, all or nothing."""
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    found = user_tables(url)
    if found:
        raise BackupError(
            f"the database {make_url(url).database!r} is not empty ({len(found)} tables, e.g. "
            f"{', '.join(found[:3])}); restore into a new, empty database"
        )
    args, env = _conninfo(url)
    _run(
        [
            str(find_bindir() / "pg_restore"),
            "--no-password",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            *args,
            str(path),
        ],
        env,
        "pg_restore",
    )


def with_database(url: str, name: str | None) -> str:
    """``url`` pointed at database ``name`` on the same server, created when missing (None: ``url`` itself)."""
    if not name:
        return url
    import psycopg
    from psycopg import sql

    target = make_url(url).set(database=name)
    u = make_url(url)
    with psycopg.connect(
        host=u.host, port=u.port, user=u.username, password=u.password, dbname="postgres", autocommit=True
    ) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return target.render_as_string(hide_password=False)


@contextmanager
def session_for(url: str) -> Iterator[Session]:
    """A session on the database at ``url`` (the restored one may not be the app's)."""
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def database_name(url: str) -> str | None:
    return make_url(url).database
