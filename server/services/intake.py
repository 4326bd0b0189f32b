"""What the submissions of one request share (issue 17): the reads every item needs, made once for all
of them before the first item, and the writes every stored item asks for, made once after the last.

At ~0.4 ms of Python per SQL statement the statement count decides what a core ingests, and a batch of
25 made the same reads 25 times. ``prepare`` reads, for every item at once: which instance ids are stored
already, the subjects (scoped to the caller, with the metres from each submission's point to its subject's
address, for the visit's flags) and the photos uploaded before their submission. ``finish`` writes the
audit rows and the tier refreshes of the items that were stored, one INSERT each. Those rows stay out of
the session until then: an item refused later rolls back its savepoint, which must not take an earlier
item's rows with it. A single submission is a batch of one: one mechanism for both.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.auth.verbs import allowed
from server.services import tiers as tier_service
from server.services.visits import DISTANCE_NOT_READ
from server.store import audit, scoping
from server.store.models import Address, House, Photo, Submission, Unit
from server.store.queries import photos as photo_q
from server.store.queries import submissions as q

_SCOPED = {
    "house": (House, scoping.visible_houses, "house.read"),
    "unit": (Unit, scoping.visible_units, "unit.read"),
    "address": (Address, scoping.visible_addresses, "address.read"),
}


@dataclass
class Intake:
    existing: dict[uuid.UUID, Submission] = field(default_factory=dict)
    subjects: dict[tuple, object] = field(default_factory=dict)  # (type, id): visible to the caller
    distances: dict[tuple, float | None] = field(default_factory=dict)  # (subject id, lon, lat): metres
    pending: dict[uuid.UUID, list[Photo]] = field(default_factory=dict)  # uploaded before the submission
    audits: list[dict] = field(default_factory=list)  # of the items stored, written by ``finish``
    refresh: dict[str, list[uuid.UUID]] = field(default_factory=lambda: {"house": [], "unit": []})
    # light items' submissions and visits, out of the session until ``write_light`` (submissions._light)
    light: list = field(default_factory=list)

    def subject(self, subject: dict):
        """The record a body names, if it was read for it (None: read it on its own, which raises its 404)."""
        return self.subjects.get((subject["type"], subject.get("id")))

    def distance(self, subject_id: uuid.UUID | None, location: dict | None):
        """Metres from the submission's point to its subject's address (None without a point), or
        ``visits.DISTANCE_NOT_READ``."""
        return self.distances.get((subject_id, *_point(location)), DISTANCE_NOT_READ)

    def write_light(self, session: Session) -> None:
        """The light items' rows, in one flush: a multi-row INSERT of submissions, then one of visits."""
        session.add_all(self.light)
        session.flush()
        self.light = []

    def stored(self, submission: Submission, audit_row: dict, houses, units) -> None:
        """An item was stored (its savepoint released): what ``finish`` writes for it."""
        self.existing[submission.instance_id] = submission
        self.audits.append(audit_row)
        self.refresh["house"] += houses
        self.refresh["unit"] += units


def prepare(session: Session, actor: Actor, bodies: list[dict]) -> Intake:
    """The reads of every item, one statement per kind for all of them."""
    intake = Intake()
    if not bodies:
        return intake
    q.lock_instances(session, [b["instance_id"] for b in bodies])  # before reading which are stored
    intake.existing = q.by_instances(session, [b["instance_id"] for b in bodies])
    wanted: dict[str, list[dict]] = {}
    for body in bodies:
        if body["instance_id"] not in intake.existing and body["subject"].get("id") is not None:
            wanted.setdefault(body["subject"]["type"], []).append(body)
    for kind, named in wanted.items():
        if kind not in _SCOPED or not allowed(actor.role, _SCOPED[kind][2]):
            continue  # each item reads its own subject and gets that read's refusal
        model, visible, _ = _SCOPED[kind]
        if kind == "address":
            rows = q.records(session, visible(actor), model, [b["subject"]["id"] for b in named])
            intake.subjects.update(((kind, r.id), r) for r in rows)
            continue
        points = [(b["subject"]["id"], *_point(b.get("location"))) for b in named]
        rows, distances = q.records_with_distances(session, visible(actor), model, points)
        intake.subjects.update(((kind, r.id), r) for r in rows)
        intake.distances.update(distances)
    if actor.account_id is not None:
        intake.pending = photo_q.pending_of(session, [b["instance_id"] for b in bodies], actor.account_id)
    return intake


def finish(session: Session, intake: Intake) -> None:
    """The writes of every item stored: the light items' submissions and visits (one INSERT each, by the
    unit of work), one INSERT of audit rows, one of tier refreshes per kind."""
    intake.write_light(session)
    audit.record_all(session, intake.audits)
    for kind, ids in intake.refresh.items():
        tier_service.request_refresh(session, kind, ids)
    intake.audits, intake.refresh = [], {"house": [], "unit": []}


def _point(location: dict | None) -> tuple[float | None, float | None]:
    return (location["lon"], location["lat"]) if location else (None, None)
