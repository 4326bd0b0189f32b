"""Every visit-kind submission becomes one visit record; an edit updates it."""

import uuid

from sqlalchemy import select

from server.store.models import Visit
from tests.e2e.registry_helpers import house
from tests.e2e.submission_helpers import envelope, resident, visit


def _visits(session, house_id):
    return list(session.scalars(select(Visit).where(Visit.house_id == uuid.UUID(house_id))))


def test_a_household_visit_is_recorded_with_where_when_who_and_findings(as_worker, session):
    h = house(as_worker)
    body = visit(h, [resident()])
    body["answers"]["hazards"] = ["gas_cylinder_indoors", "blocked_exit"]
    assert as_worker.post("/api/v1/submissions", json=body).status_code == 201
    [v] = _visits(session, h["id"])
    assert (v.kind, v.form_id, v.role, v.outcome) == ("visit", "household_visit", "grid_worker", "met")
    assert sorted(v.hazards) == ["blocked_exit", "gas_cylinder_indoors"]
    assert v.visited_at.isoformat()[:16] == body["completed_at"][:16]
    assert v.location is not None and v.location_accuracy_m == 8


def test_no_hazard_found_is_an_empty_finding_and_an_edit_updates_the_same_visit(as_worker, session):
    h = house(as_worker)
    body = visit(h, [resident()])
    assert as_worker.post("/api/v1/submissions", json=body).status_code == 201
    [first] = _visits(session, h["id"])
    assert first.hazards == []
    edit = visit(h, [resident()], deprecated_id=body["instance_id"])
    edit["answers"]["hazards"] = ["coal_stove"]
    assert as_worker.post("/api/v1/submissions", json=edit).status_code == 201
    session.expire_all()
    [again] = _visits(session, h["id"])
    assert again.id == first.id and again.hazards == ["coal_stove"]
    assert str(again.instance_id) == edit["instance_id"]


def test_an_inspection_is_a_visit_but_a_registration_is_not(as_police, as_worker, session):
    h = house(as_worker)
    answers = {
        "outcome": "met",
        "extinguisher_present": "yes",
        "exits_clear": "yes",
        "wiring_safe": "yes",
        "tenant_register_kept": "yes",
        "tenants_match_register": "yes",
        "hazards": ["none"],
    }
    r = as_police.post("/api/v1/submissions", json=envelope("inspection", answers, {"type": "house", "id": h["id"]}))
    assert r.status_code == 201, r.get_json()
    [v] = _visits(session, h["id"])
    assert (v.kind, v.role) == ("inspection", "police")
