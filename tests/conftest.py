"""Shared fixtures: a throwaway PostGIS database per test session, one
rolled-back transaction per test, and role-named API clients.

The database server is TEST_DATABASE_URL, else DATABASE_URL, else the private
instance under var/ (started if needed). A database `gridwork_test_<random>`
is created on it, migrated to head, and dropped at the end.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass

import pytest

from devtools import devdb

from .builders import Builders

# The tests play phones in the deployment's zone: their `date.today()` is the server's local day
# (TIMEZONE, default Asia/Shanghai). Without this the suite failed every evening from 16:00 UTC,
# when Shanghai's day is already tomorrow and "arrived 20 days ago" was 21 local days. Set before any
# test runs (nothing imported above reads the local time when it is imported).
os.environ["TZ"] = os.environ.get("TIMEZONE") or "Asia/Shanghai"
time.tzset()


@pytest.fixture(scope="session")
def make_database():
    """Factory for throwaway databases on the test server; all dropped at the end."""
    base = devdb.scratch_server_url()
    made = []

    def make(durable: bool = False) -> str:
        # Throwaway: commits need not wait for the disk (the served database always does;
        # `gridwork serve` refuses any other, so tests that serve ask for a durable one).
        made.append(devdb.create_scratch_database(base, "gridwork_test", durable=durable))
        return made[-1]

    yield make
    for url in made:
        devdb.drop_scratch_database(url)


@pytest.fixture(scope="session")
def database_url(make_database) -> str:
    from server.store import migrate

    url = make_database()
    migrate.upgrade(url)
    return url


def _test_app(database_url: str, media_root):
    from server.app import create_app

    # one recompute process: each test lives in one rolled-back transaction that other processes cannot see
    # (tests/integration/test_tiers_recompute_processes.py runs several on a committed database)
    config = {"TESTING": True, "DATABASE_URL": database_url, "MEDIA_BACKEND": "local", "MEDIA_ROOT": str(media_root)}
    return create_app(config | {"TIERS_RECOMPUTE_PROCESSES": 1})


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = _test_app(database_url, tmp_path_factory.mktemp("media"))
    yield app
    app.extensions["gridwork.db"].dispose()


@pytest.fixture
def db(app):
    """Bind the app to one connection whose transaction the test rolls back."""
    database = app.extensions["gridwork.db"]
    conn = database.engine.connect()
    outer = conn.begin()
    database.bind_to(conn)
    try:
        yield database
    finally:
        database.bind_to(None)
        outer.rollback()
        conn.close()


@pytest.fixture
def session(db):
    s = db.session()
    yield s
    s.close()


@pytest.fixture
def build(session) -> Builders:
    return Builders(session)


def settled(client, response):
    """After a write, the tier refresh job's work, as a caught-up worker would have done it by the next
    request (submissions queue their tier refresh: server/jobs/inline.py runs it in the test's transaction)."""
    if response.status_code < 300:
        from server.jobs.inline import refresh_queued_tiers
        from server.store.db import get_db

        app = client.application
        with app.app_context():
            session = get_db(app).session()
            try:
                refresh_queued_tiers(app, session)
                session.commit()
            finally:
                session.close()
    return response


@dataclass
class ApiClient:
    """The Flask test client with a bearer token (or none)."""

    client: object
    token: str | None = None
    username: str | None = None
    account_id: object = None

    def _headers(self, headers):
        merged = dict(headers or {})
        if self.token and "Authorization" not in merged:
            merged["Authorization"] = f"Bearer {self.token}"
        return merged

    def get(self, url, headers=None, **kw):
        return self.client.get(url, headers=self._headers(headers), **kw)

    def post(self, url, headers=None, **kw):
        return settled(self.client, self.client.post(url, headers=self._headers(headers), **kw))

    def put(self, url, headers=None, **kw):
        return settled(self.client, self.client.put(url, headers=self._headers(headers), **kw))

    def patch(self, url, headers=None, **kw):
        return settled(self.client, self.client.patch(url, headers=self._headers(headers), **kw))

    def delete(self, url, headers=None, **kw):
        return self.client.delete(url, headers=self._headers(headers), **kw)


@pytest.fixture
def anon(app, db) -> ApiClient:
    return ApiClient(app.test_client())


@pytest.fixture
def district(build):
    """A community with two grids, a third grid elsewhere, and a police station."""
    return build.district()


@pytest.fixture
def login(app, db, build):
    """login(role, **scope) -> ApiClient signed in as a new account of that role."""

    def _login(role: str, password: str = "correct horse battery", **scope) -> ApiClient:
        account = build.account(role, password=password, **scope)
        client = app.test_client()
        r = client.post("/api/v1/auth/tokens", json={"username": account.username, "password": password})
        assert r.status_code == 201, r.get_json()
        return ApiClient(client, r.get_json()["token"], account.username, account.id)

    return _login


@pytest.fixture
def as_admin(login):
    return login("admin")


@pytest.fixture
def as_police(login, district):
    return login("police", station=district.station.code)


@pytest.fixture
def as_committee(login, district):
    return login("committee", community=district.community.code)


@pytest.fixture
def as_worker(login, district):
    return login("grid_worker", grids=[district.grids[0].code])


@pytest.fixture
def as_landlord(login):
    return login("landlord")


# -- real parallel requests ---------------------------------------------------------------------
#
# The fixtures above run every request of a test on ONE connection inside one rolled-back
# transaction, so requests can never overlap there. Races need requests on their own
# connections that really commit: `committed` is an app on its own database (kept apart
# so nothing it commits leaks into the rolled-back tests), with builders that commit.


@dataclass
class Committed:
    """An app whose requests commit, a district built in it, and role-named logins."""

    app: object
    district: object

    def build(self, fn):
        """Run fn(builders) in a committed session; returns what fn returns."""
        database = self.app.extensions["gridwork.db"]
        with database.session() as s:
            result = fn(Builders(s))
            s.commit()
        return result

    def login(self, role: str, password: str = "correct horse battery", **scope) -> ApiClient:
        account = self.build(lambda b: b.account(role, password=password, **scope))
        client = self.app.test_client()
        r = client.post("/api/v1/auth/tokens", json={"username": account.username, "password": password})
        assert r.status_code == 201, r.get_json()
        return ApiClient(client, r.get_json()["token"], account.username, account.id)

    def another_device(self, who: ApiClient, password: str = "correct horse battery") -> ApiClient:
        """A new client (one per thread) signed in as the same account with a token of its own
        (requests sharing one fresh token would queue on its last-used time)."""
        client = self.app.test_client()
        r = client.post(
            "/api/v1/auth/tokens",
            json={"username": who.username, "password": password, "device_id": f"phone-{secrets.token_hex(3)}"},
        )
        assert r.status_code == 201, r.get_json()
        return ApiClient(client, r.get_json()["token"], who.username, who.account_id)

    def parallel(self, calls, workers: int | None = None) -> list:
        """Run the callables at the same moment, each on its own thread; their results in order."""
        import threading
        from concurrent.futures import ThreadPoolExecutor

        barrier = threading.Barrier(len(calls))

        def run(call):
            barrier.wait()
            return call()

        with ThreadPoolExecutor(max_workers=workers or len(calls)) as pool:
            return list(pool.map(run, calls))


@pytest.fixture(scope="module")
def own_engine(make_database):
    """An engine on a migrated database of this test module's own: for tests of real transactions on real
    connections (concurrent writers and readers), which the rolled-back test transaction cannot hold."""
    from sqlalchemy import create_engine

    from server.store import migrate

    url = make_database()
    migrate.upgrade(url)
    engine = create_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def committed_app(make_database, tmp_path_factory):
    from server.store import migrate

    url = make_database()
    migrate.upgrade(url)
    app = _test_app(url, tmp_path_factory.mktemp("committed-media"))
    yield app
    app.extensions["gridwork.db"].dispose()


@pytest.fixture
def committed(committed_app):
    """A district in the committed app; every table is emptied afterwards (districts built
    by the builders share coordinates, so two in one database would overlap)."""
    from sqlalchemy import text

    c = Committed(committed_app, None)
    c.district = c.build(lambda b: b.district())
    yield c
    engine = committed_app.extensions["gridwork.db"].engine
    with engine.begin() as conn:
        tables = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename NOT IN ('alembic_version', 'spatial_ref_sys')"
                )
            )
        ]
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
