"""What receiving submissions costs in SQL statements (issue 17): at ~0.4 ms of Python per statement, the
count decides how many submissions a core takes per second. The reads a batch needs are made once for all
its items, and its audit rows and tier refreshes are written once after them (services/intake.py)."""

from contextlib import contextmanager
from datetime import date

from sqlalchemy import func, select

from server.store.models import AuditEvent, TierRefresh
from tests.e2e.registry_helpers import house
from tests.e2e.statement_helpers import statements as counting
from tests.e2e.submission_helpers import resident, visit


@contextmanager
def statements(db):
    """The SQL statements the application sends while the block runs (savepoints included)."""
    with counting(db.engine) as seen:
        yield seen


def _post(client, url, body):
    """The request alone: not the tier refresh job the test client runs after it (``settled``)."""
    return client.client.post(url, json=body, headers=client._headers(None))


def test_a_not_home_visit_is_stored_in_ten_statements(db, as_worker):
    houses = [house(as_worker) for _ in range(2)]
    _post(as_worker, "/api/v1/submissions", visit(houses[0], [], outcome="not_home"))  # the token's first use

    with statements(db) as seen:
        r = _post(as_worker, "/api/v1/submissions", visit(houses[1], [], outcome="not_home"))

    assert r.status_code == 201, r.get_json()
    # token, the worker's grids, the instance id's lock, stored already?, the house with the visit's distance,
    # photos uploaded before, the submission (its result in the INSERT), the visit, audit, tier refresh
    # (not counted: the savepoint that stands for the request's transaction in a test, around it all)
    assert seen[0].startswith("SAVEPOINT") and seen[-1].startswith("RELEASE")
    assert len(seen) - 2 <= 10, "\n".join(seen)
    assert not [s for s in seen if s.startswith("UPDATE")], "the submission is written once, with its result"


def test_a_batch_of_19_visits_costs_the_statements_of_a_batch_of_1(db, session, as_worker):
    houses = [house(as_worker) for _ in range(21)]
    _post(as_worker, "/api/v1/submissions", visit(houses[0], [], outcome="not_home"))
    audits_before = session.scalar(select(func.count()).select_from(AuditEvent))
    refreshes_before = session.scalar(select(func.count()).select_from(TierRefresh))

    with statements(db) as few:
        small = _post(
            as_worker, "/api/v1/sync/submissions", {"submissions": [visit(houses[1], [], outcome="not_home")]}
        )
    with statements(db) as many:
        big = _post(
            as_worker,
            "/api/v1/sync/submissions",
            {"submissions": [visit(h, [], outcome="not_home") for h in houses[2:]]},
        )

    assert [i["outcome"] for i in small.get_json()["items"] + big.get_json()["items"]] == ["created"] * 20
    # visits that change no registry record need no savepoint each (their instance ids are locked first):
    # their submissions and visits go in one multi-row INSERT each, like their audit rows and tier refreshes
    assert len(many) == len(few), "\n".join(many)
    assert len([s for s in many if s.startswith("INSERT INTO submissions")]) == 1
    assert len([s for s in many if s.startswith("INSERT INTO audit_events")]) == 1
    # and every item still has its audit row and its tier refresh queued
    assert session.scalar(select(func.count()).select_from(AuditEvent)) - audits_before >= 20
    assert session.scalar(select(func.count()).select_from(TierRefresh)) - refreshes_before == 20


def test_a_visit_registering_two_new_residents_asks_each_question_once(db, as_worker):
    h = house(as_worker)
    residents = [resident(name="刘洋"), resident(name="王芳", sex="female", birth=date(1995, 1, 2))]
    _post(as_worker, "/api/v1/submissions", visit(house(as_worker), [], outcome="not_home"))

    with statements(db) as seen:
        r = _post(as_worker, "/api/v1/submissions", visit(h, residents))

    assert r.status_code == 201, r.get_json()
    assert sorted(c["type"] for c in r.get_json()["result"]["created"]) == ["person"] * 2 + ["residence"] * 2
    # per new resident: who holds the number (registered, or provisional in the caller's view), the person
    # (in a savepoint: a concurrent registration of the same number), its audit row, the residence and its
    # audit row; nothing looked up twice, and no residence looked for of a person created just now
    persons = [s for s in seen if s.startswith("SELECT persons")]
    assert len(persons) == 2 * 2, "\n".join(persons)
    assert not [s for s in seen if s.startswith("SELECT residences")]
    assert len(seen) - 2 <= 29, "\n".join(seen)
