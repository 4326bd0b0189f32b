"""Visits: made from submissions of visit-kind forms (household visits,
inspections, landlord self-checks), in the transaction that stores them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.auth.verbs import require
from server.domain import plausibility
from server.domain.forms.definition import NO_HAZARD, VISIT_KINDS
from server.services.apply import bound_values
from server.store import audit, scoping
from server.store.models import Submission, Visit
from server.store.queries import pages as pages_q
from server.store.queries import visits as q

DISTANCE_NOT_READ = object()  # ``record``'s distance_m when the caller did not read it


def record(
    session: Session,
    submission: Submission,
    form,
    previous: Submission | None,
    limits: plausibility.Limits | None = None,
    distance_m=DISTANCE_NOT_READ,
) -> Visit | None:
    """The visit this submission describes; an edit updates the visit of the version it replaces.
    ``distance_m``: metres from the submission's point to its subject's address, when the caller read it
    (services/intake.py does, for a whole batch at once)."""
    if form.kind not in VISIT_KINDS or submission.subject_type not in ("house", "unit"):
        return None
    top, _ = bound_values(form, submission.answers)
    visit = None
    if previous is not None:
        visit = q.by_instance(session, previous.instance_id)
    new = visit is None
    if visit is None:
        visit = Visit()
    with session.no_autoflush:  # one INSERT with every value, not an INSERT then an UPDATE
        visit.instance_id = submission.instance_id
        visit.kind, visit.form_id, visit.form_version = form.kind, form.id, form.version
        visit.subject_type = submission.subject_type
        visit.house_id = submission.subject_id if submission.subject_type == "house" else None
        visit.unit_id = submission.subject_id if submission.subject_type == "unit" else None
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
        # its own flags now, so that they go in with the INSERT; its photos are linked later in the
        # transaction (services/after_submission.py), which computes the photo flags then
        visit.flags, visit.flag_details = plausibility.combine(_own_flags(session, visit, limits, distance_m), {})
    if new:
        session.add(visit)  # written at the next flush (a batch's light items: all together at its end)
    return visit


def _own_flags(
    session: Session, visit: Visit, limits: plausibility.Limits | None, distance_m=DISTANCE_NOT_READ
) -> dict:
    if distance_m is DISTANCE_NOT_READ:
        distance_m = q.subject_distance_m(session, visit)
    return plausibility.visit_flags(
        distance_m=distance_m,
        accuracy_m=visit.location_accuracy_m,
        visited_at=visit.visited_at,
        received_at=visit.received_at,
        limits=limits or plausibility.Limits(),
    )


def refresh_flags(session: Session, visit: Visit, limits: plausibility.Limits) -> None:
    """(Re)compute the plausibility flags of a visit and of each of its received photos.
    Runs when the submission arrives and again whenever one of its photos arrives."""
    own = _own_flags(session, visit, limits)
    photos = [p for p in q.linked_photos(session, [visit.instance_id]) if p.account_id == visit.account_id]
    distances = q.photo_distances_m(session, visit, photos)
    per_photo = {}
    for photo in photos:
        flags = plausibility.photo_flags(
            distance_m=distances[photo.id], taken_at=photo.taken_at, visited_at=visit.visited_at, limits=limits
        )
        photo.flags = [f for f in plausibility.PHOTO_FLAGS if f in flags]
        per_photo[photo.name] = flags
    visit.flags, visit.flag_details = plausibility.combine(own, per_photo)
    session.flush()


def refresh_for_instance(session: Session, instance_id: uuid.UUID, limits: plausibility.Limits) -> None:
    visit = q.by_instance(session, instance_id)
    if visit is not None:
        refresh_flags(session, visit, limits)


def search(
    session: Session,
    actor: Actor,
    *,
    house_id=None,
    unit_id=None,
    grid_id=None,
    account_id=None,
    since: datetime | None = None,
    until: datetime | None = None,
    flag: str | None = None,
    after=None,
    limit: int = 50,
) -> list[Visit]:
    """Visits in the actor's scope, newest first: up to ``limit`` + 1 rows (the extra one only tells that
    there is a next page). Audited: visits show who was visited, where and when."""
    require(actor, "visit.read")
    query = q.filtered(
        scoping.visible_visits(actor),
        house_id=house_id,
        unit_id=unit_id,
        grid_id=grid_id,
        account_id=account_id,
        since=since,
        until=until,
        flag=flag,
    )
    rows = q.newest_first_page(session, query, after, limit + 1)
    audit_read(session, actor, rows[:limit])
    return rows


def audit_read(session: Session, actor: Actor, visits: list[Visit]) -> None:
    if visits:
        audit.record(session, actor, "visit.read", subject_type="visit", subject_ids=[v.id for v in visits])


@dataclass
class PhotoSlot:
    """One photo a visit names (or that arrived for it): the stored photo, or None while missing."""

    name: str
    photo: object | None


@dataclass
class Shown:
    """What a page of visits shows beside them: one statement each for photos, actors and addresses."""

    photos: dict
    accounts: dict
    addresses: dict

    def account(self, visit: Visit):
        return self.accounts.get(visit.account_id)

    def address(self, visit: Visit) -> str | None:
        return self.addresses.get(("house" if visit.house_id else "unit", visit.house_id or visit.unit_id))

    def slots(self, visit: Visit) -> list[PhotoSlot]:
        """The photos the form named, in its order, then any others that arrived for the visit."""
        names = list(visit.photo_names or [])
        arrived = {key[2] for key in self.photos if key[0] == visit.instance_id and key[1] == visit.account_id}
        names += sorted(arrived - set(names))
        return [PhotoSlot(name, self.photos.get((visit.instance_id, visit.account_id, name))) for name in names]


def shown(session: Session, visits: list[Visit]) -> Shown:
    photos = {
        (p.instance_id, p.account_id, p.name): p for p in q.linked_photos(session, [v.instance_id for v in visits])
    }
    return Shown(
        photos=photos,
        accounts=q.accounts(session, [v.account_id for v in visits]),
        addresses=pages_q.subject_addresses(session, [v.house_id for v in visits], [v.unit_id for v in visits]),
    )
