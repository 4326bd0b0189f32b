"""What reaches the log when the database refuses a statement: the error, never the values sent with it
(an unexpected error is logged with its traceback, and the values can be names and ID numbers)."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError


def test_a_database_error_does_not_carry_the_values_sent(app, db):
    secret = "110101199003077777"
    with db.session() as session, pytest.raises(DBAPIError) as caught:
        session.execute(text("SELECT CAST(:number AS bigint) / 0"), {"number": secret})
    assert "division by zero" in str(caught.value)
    assert secret not in str(caught.value)
