"""Property-based contract test: every operation in the generated spec,
called with generated input as every role, never answers 500 and always
answers as documented (status, content type, body schema)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

ROLES = ["admin", "police", "committee", "grid_worker", "landlord"]


@pytest.fixture
def api_schema(app):
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    loaded.hook(filter_query)  # schema-scoped: other schemathesis tests keep their own hooks
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")


def filter_query(ctx, query):
    """Leave out generated queries with a parameter whose value is None or an empty list.

    The HTTP client cannot send such a parameter: `?x=` needs a value, and Werkzeug (like
    requests) writes nothing for None or []. The request that reaches the server therefore
    carries no extra parameter, yet schemathesis still counts the case as "schema-violating
    request accepted" (ST201) when the unseen parameter was an undocumented one. That was the
    suite's occasional red run on GET /inspections/summary and GET /houses (issue #11). Every
    other generated query, extra parameters with a value included, is still sent and checked.
    """
    if not query:
        return True
    return all(value is not None and value != [] for value in query.values())


@pytest.fixture
def sign_in(login, district):
    """sign_in(role) -> a client signed in as a new account of that role, scoped to `district`."""
    scopes = {"police": {"station": district.station.code}, "committee": {"community": district.community.code},
              "grid_worker": {"grids": [district.grids[0].code]}}
    return lambda role: login(role, **scopes.get(role, {}))


@pytest.fixture
def role_tokens(sign_in):
    return {role: sign_in(role) for role in ROLES}


@schema.parametrize()
# derandomize: the same code generates the same cases, so a red run reproduces exactly (issue #11).
@settings(max_examples=15, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented_for_every_role(case, role_tokens, sign_in, session):
    connection = session.connection()
    for role in ROLES:
        # The whole run shares one test transaction. A failed request rolls back to its savepoint, which stays
        # open, so later savepoints nest ever deeper and their transaction-id locks pile up until the server's
        # lock table is full ("out of shared memory") after a few thousand calls. Each call therefore runs in a
        # savepoint of its own that is rolled back and released (plain SQL: SQLAlchemy's rollback of a nested
        # transaction does not release it). No call relies on data another call made.
        connection.exec_driver_sql("SAVEPOINT contract_call")
        client = role_tokens[role]
        if case.method == "DELETE" and case.path == "/api/v1/auth/tokens/current":
            client = sign_in(role)  # a fresh token, so signing out does not end the run
        try:
            # positive_data_acceptance is left out on purpose: domain rules (check
            # characters, scopes, cursors) rightly answer 422 to input the JSON
            # schema alone cannot rule out. Every other check runs, including
            # not_a_server_error, status codes, bodies, and rejection of invalid input.
            case.call_and_validate(headers={"Authorization": f"Bearer {client.token}"},
                                   excluded_checks=[positive_data_acceptance])
        except AssertionError as exc:
            raise AssertionError(f"as {role}: {exc}") from exc
        finally:
            connection.exec_driver_sql("ROLLBACK TO SAVEPOINT contract_call")
            connection.exec_driver_sql("RELEASE SAVEPOINT contract_call")
