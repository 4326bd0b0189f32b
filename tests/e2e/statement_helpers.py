"""Counting the SQL statements the application sends: the tests that hold a page or a submission to a fixed
number of statements (tests/e2e/test_list_queries.py, test_submission_statements.py, test_inspections_etag.py)."""

from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def statements(engine):
    """The SQL statements sent on ``engine`` (savepoints included) while the block runs, as a list."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)
