"""Visits: made from submissions of visit-kind forms (household visits,
inspections, landlord self-checks), in the transaction that stores them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.domain.forms.definition import NO_HAZARD, VISIT_KINDS
from server.services.apply import bound_values
from server.store.models import House, Submission, Unit, Visit


def record(session: Session, submission: Submission, form, previous: Submission | None) -> Visit | None:
    """The visit this submission describes; an edit updates the visit of the version it replaces."""
    if form.kind not in VISIT_KINDS or submission.subject_type not in ("house", "unit"):
        return None
    top, _ = bound_values(form, submission.answers)
    visit = None
    if previous is not None:
        visit = session.scalar(select(Visit).where(Visit.instance_id == previous.instance_id))
    if visit is None:
        visit = Visit()
        session.add(visit)
    subject_model = House if submission.subject_type == "house" else Unit
    subject = session.get(subject_model, submission.subject_id)
    visit.instance_id = submission.instance_id
    visit.kind, visit.form_id, visit.form_version = form.kind, form.id, form.version
    visit.subject_type = submission.subject_type
    visit.house_id = subject.id if submission.subject_type == "house" else None
    visit.unit_id = subject.id if submission.subject_type == "unit" else None
    visit.grid_id = submission.grid_id
    visit.account_id, visit.role = submission.account_id, submission.role
    visit.outcome = top.get("visit.outcome")
    visit.hazards = [h for h in (top.get("visit.hazards") or []) if h != NO_HAZARD]
    completed = submission.completed_at
    received = submission.server_received_at
    visit.visited_at = completed if completed is not None and completed <= received else received
    visit.received_at = received
    visit.location, visit.location_accuracy_m = submission.location, submission.location_accuracy_m
    visit.photo_names = list(top.get("visit.photos") or [])
    session.flush()
    return visit
