"""Engine and sessions: one database transaction per request.

Services only ``flush``; the request hook commits when the response is a
success (< 400) and rolls back otherwise, so a failed request leaves nothing
behind. Nothing connects until the first request or command needs it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker


class Database:
    def __init__(self, url_factory: Callable[[], str]):
        self._url_factory = url_factory
        self._engine: Engine | None = None
        self._bind: Engine | Connection | None = None
        self._factory: sessionmaker | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            # hide_parameters: a failed statement's error (logged with its traceback) names the SQL but
            # not the values bound to it, which are names, ID numbers and phone numbers (decision 0012)
            self._engine = create_engine(
                self._url_factory(),
                pool_pre_ping=True,
                pool_size=5,
                max_overflow=10,
                hide_parameters=True,
            )
        return self._engine

    def bind_to(self, connection: Connection | None) -> None:
        """Tests: run every session inside ``connection``'s outer transaction
        (commits become savepoints, the test rolls everything back)."""
        self._bind = connection
        self._factory = None

    def session(self) -> Session:
        if self._factory is None:
            if self._bind is not None:
                self._factory = sessionmaker(
                    bind=self._bind, join_transaction_mode="create_savepoint", expire_on_commit=False
                )
            else:
                self._factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        return self._factory()

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def init_app(app: Flask, db: Database) -> None:
    app.extensions["gridwork.db"] = db

    @app.after_request
    def _finish_transaction(response):
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            try:
                if response.status_code < 400:
                    session.commit()
                else:
                    session.rollback()
            except Exception as exc:
                from server.errors import database_unavailable, database_unavailable_response

                if not database_unavailable(exc):
                    raise
                return database_unavailable_response(current_app)  # nothing was acknowledged
            finally:
                session.close()
        return response

    @app.teardown_request
    def _close_session(exc):
        session: Session | None = g.pop("db_session", None)
        if session is not None:  # the request failed before after_request ran
            session.rollback()
            session.close()


def get_db(app: Flask | None = None) -> Database:
    return (app or current_app).extensions["gridwork.db"]


def request_session() -> Session:
    """The session of the current request (opened on first use)."""
    if "db_session" not in g:
        g.db_session = get_db().session()
        g.db_session.info["zone"] = current_app.config["TIMEZONE"]  # settings travel with the unit of work
    return g.db_session


def durability_problems(url: str) -> list[str]:
    """Settings of the database at ``url`` that would let an acknowledged commit vanish in a crash.

    A 2xx promises the data is on disk (ARCHITECTURE.md: the served database never runs with
    `synchronous_commit = off`). Read as the serving role sees them, so per-database and
    per-role settings count too."""
    from sqlalchemy import text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            values: dict[str, str] = {
                name: conn.execute(text(f"SHOW {name}")).scalar_one()
                for name in ("synchronous_commit", "fsync", "full_page_writes")
            }
    finally:
        engine.dispose()
    problems = []
    if values["synchronous_commit"] == "off":
        problems.append("synchronous_commit = off (a crash loses commits already acknowledged)")
    if values["fsync"] == "off":
        problems.append("fsync = off (a crash can lose or corrupt committed data)")
    if values["full_page_writes"] == "off":
        problems.append("full_page_writes = off (a crash can leave torn pages)")
    return problems
