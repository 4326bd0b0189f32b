"""The schema in production is the schema the tests saw."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from server.store import migrate
from server.store.models import Base


@pytest.fixture(scope="module")
def empty_database(make_database):
    return make_database()


def _diff(url):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn,
                opts={"include_object": migrate.include_object, "compare_type": True, "target_metadata": Base.metadata},
            )
            return compare_metadata(ctx, Base.metadata)
    finally:
        engine.dispose()


def test_empty_database_migrates_to_head_and_matches_the_models(empty_database):
    migrate.upgrade(empty_database)
    assert _diff(empty_database) == []


def test_downgrade_to_base_and_upgrade_again(empty_database):
    migrate.upgrade(empty_database)
    migrate.downgrade(empty_database, "base")
    engine = create_engine(empty_database)
    try:
        tables = set(inspect(engine).get_table_names()) - {"spatial_ref_sys", "alembic_version"}
        assert tables == set()
    finally:
        engine.dispose()
    migrate.upgrade(empty_database)
    assert _diff(empty_database) == []


def test_audit_rows_cannot_be_changed_or_deleted(session):
    session.execute(text("INSERT INTO audit_events (action) VALUES ('test.event')"))
    with pytest.raises(Exception, match="append-only"), session.begin_nested():
        session.execute(text("UPDATE audit_events SET action = 'forged' WHERE action = 'test.event'"))
    with pytest.raises(Exception, match="append-only"), session.begin_nested():
        session.execute(text("DELETE FROM audit_events WHERE action = 'test.event'"))
