"""The private PostGIS instance under ``var/`` used when DATABASE_URL is unset.

`make run`, `make test` and every `gridwork` command run from the checkout
share it. It listens on 127.0.0.1 only (no Unix socket, so deep checkout paths
do not matter), on a port chosen once at creation and remembered in
``var/pg/port``; the `gridwork` superuser's password is random and kept in
``var/pg/password`` (mode 0600).

PostgreSQL refuses to run as root, so when we are root the server runs as the
``postgres`` OS user (which Debian's packages create). If that user cannot
reach the checkout (a home directory closed to others), the data directory
moves to /var/tmp/gridwork-pg/<hash of the checkout path>; see
docs/decisions/0001-private-postgis.md.

It is a development tool, so it lives outside the server package (decision 0016):
it imports the server's config, never the other way round.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from server import pg_binaries
from server.config import normalise_database_url, project_home

SUPERUSER = "gridwork"
DATABASE = "gridwork"
DEFAULT_PORT = 54329


class DevDbError(RuntimeError):
    """The private database could not be set up or reached; the message says why."""


def find_bindir() -> Path:
    """The newest PostgreSQL (15+) with PostGIS (server/pg_binaries.py), as a DevDbError if there is none."""
    try:
        return pg_binaries.find_bindir()
    except pg_binaries.PostgresNotFound as exc:
        raise DevDbError(str(exc)) from exc


def _is_root() -> bool:
    return os.geteuid() == 0


def _as_server_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if _is_root() else cmd


def _server_user_can_reach(path: Path) -> bool:
    if not _is_root():
        return True
    probe = subprocess.run(
        ["runuser", "-u", "postgres", "--", "test", "-x", str(path)],
        capture_output=True,
    )
    return probe.returncode == 0


@dataclass(frozen=True)
class Instance:
    """Where the private instance lives and how to reach it."""

    state_dir: Path  # var/pg: port, password (owned by the invoking user)
    data_dir: Path  # PGDATA (owned by the server user)

    @classmethod
    def for_checkout(cls, home: Path | None = None) -> Instance:
        home = home or project_home()
        state = home / "var" / "pg"
        data = home / "var" / "pgdata"
        if _is_root() and not _server_user_can_reach(home):
            digest = hashlib.sha1(str(home).encode(), usedforsecurity=False).hexdigest()[:12]
            data = Path("/var/tmp/gridwork-pg") / digest  # noqa: S108 - reachable by postgres (decision 0001)
        return cls(state_dir=state, data_dir=data)

    @property
    def port(self) -> int:
        try:
            return int((self.state_dir / "port").read_text().strip())
        except FileNotFoundError as exc:
            raise DevDbError("the private database has not been created yet: run `gridwork db start`") from exc

    @property
    def password(self) -> str:
        return (self.state_dir / "password").read_text().strip()

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql+psycopg://{SUPERUSER}:{quote(self.password, safe='')}@127.0.0.1:{self.port}/{database}"

    @property
    def exists(self) -> bool:
        return (self.state_dir / "port").exists() and (self.data_dir / "PG_VERSION").exists()

    def is_running(self) -> bool:
        if not self.exists:
            return False
        result = subprocess.run(
            _as_server_user([str(find_bindir() / "pg_ctl"), "status", "-D", str(self.data_dir)]),
            capture_output=True,
        )
        return result.returncode == 0

    # -- lifecycle -----------------------------------------------------------------

    def create(self) -> None:
        bindir = find_bindir()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        if self.data_dir.exists() and any(self.data_dir.iterdir()):
            shutil.rmtree(self.data_dir)  # a half-made cluster from an interrupted run
        self.data_dir.mkdir(parents=True, exist_ok=True)
        password = secrets.token_urlsafe(24)
        pwfile = self.data_dir.parent / f".pw-{secrets.token_hex(4)}"
        pwfile.write_text(password + "\n")
        os.chmod(pwfile, 0o600)
        if _is_root():
            shutil.chown(self.data_dir, "postgres", "postgres")
            shutil.chown(pwfile, "postgres", "postgres")
        try:
            _run(
                _as_server_user(
                    [
                        str(bindir / "initdb"),
                        "-D",
                        str(self.data_dir),
                        "-U",
                        SUPERUSER,
                        "--pwfile",
                        str(pwfile),
                        "--auth",
                        "scram-sha-256",
                        "-E",
                        "UTF8",
                        "--locale",
                        "C.UTF-8",
                    ]
                ),
                "initdb",
            )
        finally:
            pwfile.unlink(missing_ok=True)
        port = _free_port(DEFAULT_PORT)
        conf = (
            "\n# gridwork private instance\n"
            "listen_addresses = '127.0.0.1'\n"
            f"port = {port}\n"
            "unix_socket_directories = ''\n"
            "max_connections = 100\n"
            "shared_buffers = '256MB'\n"
            # `make run` serves from this instance: an acknowledged write must
            # survive a crash (issue #11), so commits wait for the WAL flush.
            # Only throwaway test databases turn this off, per database.
            "synchronous_commit = on\n"
            "fsync = on\n"
            "timezone = 'UTC'\n"
        )
        # root may append to the server user's file; ownership is kept
        with open(self.data_dir / "postgresql.conf", "a", encoding="utf-8") as fh:
            fh.write(conf)
        (self.state_dir / "password").write_text(password + "\n")
        os.chmod(self.state_dir / "password", 0o600)
        (self.state_dir / "port").write_text(f"{port}\n")

    def start(self) -> bool:
        """Create (first time) and start the instance; False when already running."""
        if not self.exists:
            self.create()
        if self.is_running():
            self._ensure_database()  # also makes an instance from before issue #11 durable
            return False
        log = self.data_dir / "server.log"
        _run(
            _as_server_user(
                [str(find_bindir() / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(self.data_dir), "-l", str(log)]
            ),
            "pg_ctl start",
        )
        self._ensure_database()
        return True

    def stop(self) -> bool:
        if not self.is_running():
            return False
        _run(
            _as_server_user([str(find_bindir() / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(self.data_dir)]),
            "pg_ctl stop",
        )
        return True

    def _ensure_database(self) -> None:
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                conn = psycopg.connect(
                    host="127.0.0.1",
                    port=self.port,
                    user=SUPERUSER,
                    password=self.password,
                    dbname="postgres",
                    autocommit=True,
                )
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        with conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone()
            if not found:
                conn.execute(f'CREATE DATABASE "{DATABASE}"')
            make_durable(conn)


def make_durable(conn) -> None:
    """Instances made before issue #11 were initialised with `synchronous_commit = off`;
    ALTER SYSTEM (postgresql.auto.conf) overrides that line, and a reload applies it."""
    if conn.execute("SHOW synchronous_commit").fetchone()[0] == "off":
        conn.execute("ALTER SYSTEM SET synchronous_commit = 'on'")
        conn.execute("SELECT pg_reload_conf()")


def _free_port(preferred: int) -> int:
    for port in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise DevDbError("no free port on 127.0.0.1")


def _run(cmd: list[str], what: str) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise DevDbError(f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


def private_url(database: str = DATABASE) -> str:
    """URL of the private instance (it must have been created)."""
    return Instance.for_checkout().url(database)


# -- throwaway databases for tests and benchmarks ---------------------------------


def scratch_server_url() -> str:
    """Where throwaway databases go: TEST_DATABASE_URL, else DATABASE_URL, else
    the private instance (started if needed)."""
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return normalise_database_url(url)
    instance = Instance.for_checkout()
    instance.start()
    return instance.url()


def _maintenance_connection(url: str):
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return psycopg.connect(
        host=u.host, port=u.port, user=u.username, password=u.password, dbname="postgres", autocommit=True
    )


def create_scratch_database(server_url: str, prefix: str, *, durable: bool = True) -> str:
    """Create ``<prefix>_<random>`` on the server; returns its URL.

    ``durable=False`` is for the test suite's throwaway databases only: their commits
    do not wait for the WAL flush (a crash may lose them, which nobody minds there).
    Benchmarks keep the default, so they measure what `make run` serves."""
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{secrets.token_hex(4)}"
    with _maintenance_connection(server_url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        if not durable:
            conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_scratch_database(database_url: str) -> None:
    from sqlalchemy.engine import make_url

    name = make_url(database_url).database
    with _maintenance_connection(database_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def scratch_database(prefix: str, *, keep: bool = False) -> Iterator[str]:
    """A throwaway database on the private server (benchmarks): dropped on leaving, or kept and its URL printed."""
    url = create_scratch_database(scratch_server_url(), prefix)
    try:
        yield url
    finally:
        if keep:
            print(f"kept: {url}")
        else:
            drop_scratch_database(url)


@contextmanager
def temporary_cluster() -> Iterator[Instance]:
    """A second, throwaway PostgreSQL cluster (initdb on a free port, the same
    binaries as the private instance), stopped and removed on leaving. Tests
    restore backups into it: a fresh cluster hands out its own transaction ids
    and system identifier."""
    import tempfile

    root = Path("/var/tmp/gridwork-pg") if _is_root() else None  # noqa: S108 - as above (decision 0001)
    if root is not None:
        root.mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o755)  # noqa: S103 - the server user (root: postgres) must reach it
    base = Path(tempfile.mkdtemp(prefix="cluster-", dir=root))
    os.chmod(base, 0o755)  # noqa: S103 - the server user (root: postgres) must reach the data directory
    instance = Instance(state_dir=base / "state", data_dir=base / "data")
    try:
        instance.start()
        yield instance
    finally:
        try:
            instance.stop()
        finally:
            shutil.rmtree(base, ignore_errors=True)
