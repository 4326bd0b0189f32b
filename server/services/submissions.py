"""Receiving filled forms from phones: exactly once, validated against the
form version the phone used, applied to the registry in the same transaction.

* The same ``instance_id`` with the same content is a replay: the first answer
  is returned again and nothing is stored twice.
* The same ``instance_id`` with different content is refused (409).
* An edit is a new submission naming ``deprecated_id``; the old one is kept as
  history and its received attachments carry over by name and hash.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.auth.verbs import require
from server.domain.events import HouseChanged, PhotosDeclared, UnitChanged
from server.domain.forms.answers import check_answers
from server.domain.plausibility import Limits
from server.domain.privacy import answer_fields
from server.domain.reporting import DEFAULT_DEADLINE_DAYS, local_date
from server.errors import Conflict, Forbidden, NotFound, ValidationFailed
from server.services import addresses as address_service
from server.services import after_submission
from server.services import houses as house_service
from server.services import intake as intake_service
from server.services import units as unit_service
from server.services import visits as visit_service
from server.services.apply import Context, apply
from server.services.intake import Intake
from server.store import audit, geometry, scoping
from server.store.models import Address, Attachment, Submission, Visit
from server.store.queries import persons as person_q
from server.store.queries import submissions as q

SKEW_LIMIT_S = 2**31 - 1
CLOCK_TOLERANCE_S = 300


@dataclass(frozen=True)
class PhotoState:
    name: str
    processing: str  # queued | ready | failed (decision 0017)


@dataclass(frozen=True)
class Received:
    submission: Submission
    status: str  # created | duplicate
    # what the answer shows beside the submission, when receiving it already knew (None: read it)
    missing: list[str] | None = None
    photos: list[PhotoState] | None = None


def content_hash(body: dict) -> str:
    """What makes two uploads the same submission (the send time does not)."""
    content = {k: v for k, v in body.items() if k != "device_time"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def _subject(session: Session, actor: Actor, form, subject: dict, intake: Intake):
    expected = form.subject
    if subject["type"] != expected:
        raise ValidationFailed(
            errors={"subject.type": [f"Form {form.id} is about a {expected}, not a {subject['type']}."]}
        )
    if expected == "none":
        return None
    if subject.get("id") is None:
        raise ValidationFailed(errors={"subject.id": [f"Name the {expected} this form is about."]})
    read = intake.subject(subject)
    if read is not None:
        return read
    getter = {"house": house_service.get, "unit": unit_service.get, "address": address_service.get}[expected]
    return getter(session, actor, subject["id"])  # not read for the batch: its own read, and its own 404


def receive(session: Session, actor: Actor, body: dict, **kw) -> Received:
    """One submission on its own (``POST /submissions``, OpenRosa, the self-check page): a batch of one.
    ``receive_in_batch``'s arguments; ``digest`` (OpenRosa: the SHA-256 of the instance XML) replaces the
    JSON body's content hash as what makes a resend the same submission."""
    require(actor, "submission.create")
    intake = intake_service.prepare(session, actor, [body])
    received = receive_in_batch(session, actor, body, intake=intake, **kw)
    intake_service.finish(session, intake)
    return received


def receive_in_batch(
    session: Session,
    actor: Actor,
    body: dict,
    *,
    intake: Intake,
    form_lookup,
    header_device_time: datetime | None,
    today: date,
    zone: str,
    deadline_days: int = DEFAULT_DEADLINE_DAYS,
    limits: Limits | None = None,
    digest: str | None = None,
) -> Received:
    """One item of a batch whose reads ``intake`` made (``intake_service.prepare``); the caller writes what
    the items stored ask for with ``intake_service.finish``. Everything before the savepoint reads, and
    the item writes only inside it, so an item refused leaves what the items before it stored."""
    require(actor, "submission.create")
    instance_id = body["instance_id"]
    digest = digest or content_hash(body)
    existing = intake.existing.get(instance_id)
    if existing is not None:
        return _replay(existing, actor, digest)
    form = _form(actor, body, form_lookup)
    now = datetime.now(UTC)
    check = check_answers(form, body["answers"], today=today, now=now)
    if check.errors:
        raise ValidationFailed(
            "Some answers are invalid: " + ", ".join(sorted(check.errors)) + ".", errors=check.errors
        )
    subject = _subject(session, actor, form, body["subject"], intake)
    if body.get("deprecated_id") is not None:
        intake.write_light(session)  # an edit may be of an item earlier in this batch: it is read from the table
    previous = _deprecated(session, actor, body.get("deprecated_id"), form)
    try:
        with session.begin_nested():
            # not flushed yet: the submission's INSERT goes out at the first flush, with its result when
            # applying wrote nothing before it (a visit with no registry change: one INSERT, no UPDATE)
            submission = _store(session, actor, body, form, check.answers, subject, digest, header_device_time, now)
            completed = body.get("completed_at")
            ctx = Context(
                session=session,
                actor=actor,
                instance_id=instance_id,
                today=today,
                visit_date=local_date(completed, zone) if completed and completed <= now else today,
                location=body.get("location"),
                deadline_days=deadline_days,
                grid_id=submission.grid_id,
            )
            distance = intake.distance(submission.subject_id, body.get("location"))
            attachments, visit = _apply(
                ctx, submission, form, check, subject, body["subject"].get("base_version"), previous, limits, distance
            )
            stored = after_submission.Stored(submission, previous, intake.pending.get(instance_id, []), attachments)
            outcome = after_submission.handle(
                session, ctx.events, stored, today=today, zone=zone, deadline_days=deadline_days, limits=limits
            )
            if outcome.attachments_refused:  # uploaded before the submission, but not declared or another SHA-256
                submission.result = submission.result | {"attachments_refused": outcome.attachments_refused}
            light = _light(session, submission, visit)
            for row in light:  # out of the savepoint, unwritten: written with the batch's others (intake.light)
                session.expunge(row)
    except IntegrityError:  # the same instance arrived concurrently (or earlier in this batch) and won
        existing = q.by_instance(session, instance_id)
        if existing is None:
            raise
        return _replay(existing, actor, digest)
    intake.light += light
    intake.stored(
        submission,
        audit.row(
            actor,
            "submission.create",
            subject_type=submission.subject_type,
            subject_ids=[submission.subject_id] if submission.subject_id else [],
            details={"instance_id": str(instance_id), "form": f"{form.id}@{form.version}"},
        ),
        outcome.houses,
        outcome.units,
    )
    missing = sorted(a.name for a in attachments if a.received_at is None)
    # the photos linked now are the pending uploads it took; an edit's carried photos are read when shown
    photos = None if previous is not None else _states(p for p in stored.pending if p.status == "linked")
    return Received(submission, "created", missing, photos)


def _form(actor: Actor, body: dict, form_lookup):
    """The form version the phone filled, which the caller's role may fill."""
    form = form_lookup(body["form_id"], body["form_version"])
    if form is None:
        raise ValidationFailed(
            f"Form {body['form_id']} version {body['form_version']} is not known here.",
            code="form.unknown_version",
            errors={"form_version": ["Unknown form or version; fetch the current form list."]},
        )
    if actor.role not in form.roles:
        raise Forbidden(f"The role '{actor.role}' may not fill form {form.id}.", code="form.role_not_allowed")
    return form


def _store(
    session: Session,
    actor: Actor,
    body: dict,
    form,
    answers: dict,
    subject,
    digest: str,
    header_device_time: datetime | None,
    now: datetime,
) -> Submission:
    """The submission as received, stored first: conflicts raised while applying point at it."""
    flags, skew = _clock(body.get("device_time") or header_device_time, now)
    location = body.get("location")
    submission = Submission(
        instance_id=body["instance_id"],
        deprecated_id=body.get("deprecated_id"),
        form_id=form.id,
        form_version=form.version,
        subject_type=body["subject"]["type"],
        subject_id=subject.id if subject is not None else None,
        grid_id=subject.grid_id if subject is not None else None,
        account_id=actor.account_id,
        role=actor.role,
        device_id=body.get("device_id"),
        started_at=body.get("started_at"),
        completed_at=body.get("completed_at"),
        server_received_at=now,
        device_clock_skew_s=skew,
        location=geometry.point(location["lon"], location["lat"]) if location else None,
        location_accuracy_m=(location or {}).get("accuracy_m"),
        location_captured_at=(location or {}).get("captured_at"),
        answers=json.loads(json.dumps(answers, default=str)),
        base_versions={"subject": body["subject"].get("base_version")},
        attachments=[dict(a) for a in body.get("attachments", [])],
        content_hash=digest,
        flags=flags,
    )
    session.add(submission)
    return submission


def _apply(
    ctx: Context,
    submission: Submission,
    form,
    check,
    subject,
    base_version: int | None,
    previous: Submission | None,
    limits: Limits | None,
    distance_m,
) -> tuple[list[Attachment], Visit | None]:
    """Apply the answers to the registry, record the visit and the attachments, and collect the events
    ``after_submission`` handles (the subject visited, the photos declared); the manifest's rows and the
    visit."""
    applied = apply(ctx, form, check.answers, subject=subject, base_version=base_version)
    submission.result = applied.as_dict() | {"dropped": check.dropped}
    submission.grid_id = submission.grid_id or _grid(ctx.session, applied)
    attachments = _manifest(ctx.session, submission, previous)
    ctx.emit(PhotosDeclared(submission.instance_id, previous.instance_id if previous is not None else None))
    visit = visit_service.record(ctx.session, submission, form, previous, limits, distance_m)
    if previous is not None:
        previous.superseded_by = submission.instance_id
    if submission.subject_id is None:
        pass  # a form about no record yet (its registrations emit their own events)
    elif submission.subject_type == "house":
        ctx.emit(HouseChanged(submission.subject_id))
    elif submission.subject_type == "unit":
        ctx.emit(UnitChanged(submission.subject_id))
    return attachments, visit


def _light(session: Session, submission: Submission, visit: Visit | None) -> list:
    """The submission and its visit when they are all that receiving it has left to write (a visit that
    changed no registry record and declared no files): those need no savepoint of their own, since nothing
    in them can fail but a unique instance id, which ``lock_instances`` settles before. Written later with
    the batch's others, one multi-row INSERT per table. Anything else is written inside the savepoint."""
    rows = [submission] if visit is None else [submission, visit]
    if submission.attachments or set(session.new) != set(rows):
        return []
    return rows


def _replay(existing: Submission, actor: Actor, digest: str) -> Received:
    if existing.account_id == actor.account_id and existing.content_hash == digest:
        return Received(existing, "duplicate")
    raise Conflict(
        "This instance_id was already used for different content. Mint a new instance_id, or "
        "send an edit with deprecated_id.",
        code="submission.instance_conflict",
        errors={"instance_id": ["Already used for different content."]},
    )


def _deprecated(session: Session, actor: Actor, deprecated_id, form) -> Submission | None:
    if deprecated_id is None:
        return None
    previous = q.by_instance(session, deprecated_id)
    if previous is None or not _may_see(session, actor, previous):
        raise ValidationFailed(errors={"deprecated_id": ["No such submission in your area."]})
    if previous.form_id != form.id:
        raise ValidationFailed(errors={"deprecated_id": [f"It is a {previous.form_id} submission, not {form.id}."]})
    if previous.superseded_by is not None:
        raise Conflict(
            "That version was already edited; edit the current version.",
            code="submission.not_current",
            extra={"current_id": str(previous.superseded_by)},
        )
    return previous


def _may_see(session: Session, actor: Actor, submission: Submission) -> bool:
    return q.visible(session, scoping.visible_submissions(actor), submission.id) is not None


def _clock(device_time: datetime | None, now: datetime) -> tuple[list[str], int | None]:
    if device_time is None:
        return [], None
    skew = round((device_time - now).total_seconds())
    skew = max(-SKEW_LIMIT_S, min(SKEW_LIMIT_S, skew))  # kept within the column's 32 bits (±68 years)
    return (["device_clock_off"] if abs(skew) > CLOCK_TOLERANCE_S else []), skew


def _grid(session: Session, applied) -> uuid.UUID | None:
    """For forms about no record yet: the grid of the address they registered."""
    for created in applied.created + applied.updated:
        if created["type"] == "address":
            return session.get_one(Address, uuid.UUID(created["id"])).grid_id
    return None


def _manifest(session: Session, submission: Submission, previous: Submission | None) -> list[Attachment]:
    carried = {}
    if previous is not None:
        carried = {(a.name, a.sha256): a.received_at for a in q.attachments_of(session, previous.instance_id)}
    rows = [
        Attachment(
            instance_id=submission.instance_id,
            name=entry["name"],
            sha256=entry["sha256"],
            bytes=entry["bytes"],
            content_type=entry["content_type"],
            received_at=carried.get((entry["name"], entry["sha256"])),
        )
        for entry in submission.attachments
    ]
    session.add_all(rows)
    return rows


def get(session: Session, actor: Actor, instance_id: uuid.UUID) -> Submission:
    require(actor, "submission.read")
    row = q.by_instance(session, instance_id)
    if row is None or not _may_see(session, actor, row):
        raise NotFound("No such submission.", code="submission.not_found")
    return row


def read(session: Session, actor: Actor, instance_id: uuid.UUID) -> Submission:
    """One submission as shown, answers and all: an audited read of the people in it."""
    row = get(session, actor, instance_id)
    audit.record(
        session,
        actor,
        "submission.read",
        subject_type="submission",
        subject_ids=[row.instance_id],
        person_ids=person_q.persons_of_result(session, row.result or {}),
        fields=answer_fields(None, row.answers),
        purpose=None,
    )
    return row


def photo_states(session: Session, submission: Submission) -> list[PhotoState]:
    """Each received photo of the submission and whether its derivatives exist yet."""
    from server.store.queries import photos as photo_q

    return _states(photo_q.of_instance(session, submission.instance_id, submission.account_id, "linked"))


def _states(photos) -> list[PhotoState]:
    return [PhotoState(p.name, p.processing) for p in sorted(photos, key=lambda p: p.name)]


def missing_attachments(session: Session, submission: Submission) -> list[str]:
    return [a.name for a in q.attachments_of(session, submission.instance_id) if a.received_at is None]


def missing_attachments_of(session: Session, instance_id: uuid.UUID) -> list[str] | None:
    """What a submission still lacks; None while the submission has not arrived."""
    submission = q.by_instance(session, instance_id)
    return missing_attachments(session, submission) if submission is not None else None
