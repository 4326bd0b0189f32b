"""Photos of visits: upload (before or after the submission that declares them), link, serve.

* An upload is ``PUT /submissions/{instance_id}/attachments/{name}`` with the raw
  image. Only the account that sends (or sent) the submission may upload.
* If the submission is already here, the upload's SHA-256 must equal its
  manifest entry. If it is not here yet, the processed photo waits as
  ``pending``, owned by the uploader, and is linked (hash checked then) when the
  submission arrives (``link_on_receive``).
* The upload is checked (type, structure, pixel budget) and stored as it came; the derivatives and the
  EXIF evidence are made by the ``photos.derive`` job (services/photo_jobs.py), enqueued in the same
  transaction. ``read`` answers 202 + Retry-After until they exist.
* Blobs are written first, content-addressed; the database row after. A failure
  in between leaves only unreferenced blobs, which ``gridwork media check
  --fix-orphans`` removes. Nothing is stored for a refused image.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.auth.actor import Actor
from server.auth.verbs import require
from server.domain.plausibility import Limits
from server.errors import Conflict, Forbidden, NotFound, ValidationFailed
from server.jobs.queue import defer
from server.media.images import ImageRejected, ProcessedImage, check
from server.media.storage import MediaNotFound, MediaStore, StorageObjectMissing
from server.store import audit, scoping
from server.store.models import Attachment, Photo, Submission
from server.store.queries import photos as photo_q
from server.store.queries import submissions as submission_q

SIZES = ("320", "1024", "2048")
_NAME = re.compile(r"^[^/\\\x00]{1,200}$")


@dataclass(frozen=True)
class Intake:
    """Settings of photo intake (from MEDIA_* / PHOTO_* and the plausibility limits)."""

    max_pixels: int = 50_000_000
    keep_originals: bool = False
    zone: str = "Asia/Shanghai"
    limits: Limits = field(default_factory=Limits)

    @classmethod
    def from_settings(cls, config) -> Intake:
        return cls(
            max_pixels=int(config["PHOTO_MAX_PIXELS"]),
            keep_originals=bool(config["MEDIA_KEEP_ORIGINALS"]),
            zone=config["TIMEZONE"],
            limits=Limits.from_settings(config),
        )


@dataclass(frozen=True)
class Uploaded:
    photo: Photo
    created: bool  # False: the same bytes again (a replay), nothing changed


def key_for(digest: str, size: str) -> str:
    return f"photos/{digest}/{size}.jpg"


def upload(
    session: Session, actor: Actor, store: MediaStore, instance_id: uuid.UUID, name: str, data: bytes, intake: Intake
) -> Uploaded:
    require(actor, "attachment.upload")
    account_id = actor.account_id
    if account_id is None:  # the verb is given to signed-in roles only; a system actor uploads nothing
        raise Forbidden("Uploads are made by a signed-in account.", code="auth.forbidden")
    if not _NAME.match(name):
        raise ValidationFailed(errors={"name": ["A file name (at most 200 characters), no path."]})
    digest = hashlib.sha256(data).hexdigest()
    submission = submission_q.by_instance(session, instance_id)
    entry = _declared(session, actor, submission, name, digest) if submission is not None else None
    existing = photo_q.upload(session, instance_id, name, account_id)
    if existing is not None and existing.sha256 == digest:
        if existing.status == "pending" and entry is not None:
            # stored while its submission was being received, which read the pending uploads before this one
            # committed (a batch reads them for all its items first): the resend links it
            _link(existing, entry)
            session.flush()
            from server.services import visits as visit_service

            visit_service.refresh_for_instance(session, instance_id, intake.limits)
        return Uploaded(existing, False)
    try:
        checked = check(data, max_pixels=intake.max_pixels)  # type, structure, pixel budget: before acceptance
    except ImageRejected as exc:
        raise ValidationFailed(exc.message, code=exc.code, errors={"body": [exc.message]}) from exc
    upload_key = f"photos/{digest}/upload"
    store.put(upload_key, data, checked.content_type)  # the photos.derive job reads it (blobs before rows)
    row = existing or Photo(instance_id=instance_id, name=name, account_id=actor.account_id)
    row.status, row.linked_at, row.flags = "pending", None, []
    row.sha256, row.bytes, row.content_type = digest, len(data), checked.content_type
    row.width, row.height = checked.width, checked.height
    row.taken_at, row.camera, row.taken_location = None, None, None  # evidence: read by the job
    row.derivatives, row.original_key = {}, None
    row.processing, row.processing_error, row.upload_key = "queued", None, upload_key
    row.received_at = datetime.now(UTC)
    try:
        with session.begin_nested():
            if existing is None:
                session.add(row)
            session.flush()
    except IntegrityError:  # the same upload arrived concurrently and won
        winner = photo_q.upload(session, instance_id, name, account_id)
        if winner is None or winner.sha256 != digest:
            raise Conflict(
                "Another upload of this attachment arrived at the same moment; send it again.",
                code="attachment.concurrent_upload",
            ) from None
        return Uploaded(winner, False)
    defer(session, "photos.derive", photo_id=str(row.id))  # in this transaction: queued exactly if stored
    if entry is not None:
        _link(row, entry)
        session.flush()
        from server.services import visits as visit_service

        visit_service.refresh_for_instance(session, instance_id, intake.limits)
    audit.record(
        session,
        actor,
        "attachment.upload",
        subject_type="submission",
        subject_ids=[instance_id],
        details={"name": name, "sha256": digest, "status": row.status},
    )
    return Uploaded(row, True)


def _declared(session: Session, actor: Actor, submission: Submission, name: str, digest: str) -> Attachment:
    if submission.account_id != actor.account_id:
        visible = submission_q.visible(session, scoping.visible_submissions(actor), submission.id)
        if visible is None:
            raise NotFound("No such submission.", code="submission.not_found")
        raise Forbidden(
            "Only the account that sent the submission may upload its attachments.", code="attachment.not_owner"
        )
    entry = submission_q.attachment(session, submission.instance_id, name)
    if entry is None:
        raise ValidationFailed(
            f"The submission declares no attachment named {name!r}.",
            code="attachment.not_declared",
            errors={"name": ["Not in the submission's attachments manifest."]},
        )
    if entry.sha256 != digest:
        raise ValidationFailed(
            "The file's SHA-256 differs from the one the submission declared for it: the "
            "upload is damaged or it is another file.",
            code="attachment.hash_mismatch",
            errors={"body": [f"SHA-256 {digest}, declared {entry.sha256}."]},
            extra={"declared_sha256": entry.sha256, "received_sha256": digest},
        )
    return entry


def store_derivatives(store: MediaStore, digest: str, processed: ProcessedImage, original: bytes | None):
    """Write the derivatives (and the original when kept) under content-addressed keys."""
    derivatives = {}
    for size, derivative in processed.derivatives.items():
        key = key_for(digest, str(size))
        store.put(key, derivative.data, "image/jpeg")
        derivatives[str(size)] = {
            "key": key,
            "sha256": derivative.sha256,
            "width": derivative.width,
            "height": derivative.height,
            "bytes": len(derivative.data),
        }
    original_key = None
    if original is not None:
        original_key = f"photos/{digest}/original"
        store.put(original_key, original, processed.content_type)
    return derivatives, original_key


def _link(photo: Photo, entry: Attachment) -> None:
    now = datetime.now(UTC)
    photo.status, photo.linked_at = "linked", now
    entry.received_at = entry.received_at or photo.received_at


def link_on_receive(
    session: Session,
    submission: Submission,
    previous: Submission | None,
    *,
    pending: list[Photo] | None = None,
    attachments: list[Attachment] | None = None,
) -> tuple[list[str], bool]:
    """When a submission arrives: link the photos its sender uploaded before it (hash checked now), and carry
    the photos of the version it edits over by name and hash. Returns the names of pending uploads refused
    (not declared, or another SHA-256; those uploads are dropped and stay missing), and whether any photo
    was linked or carried (the visit's photo flags must follow them). ``pending`` and ``attachments``: the
    submission's pending uploads and manifest rows when the caller has them (read for a whole batch at once)."""
    if pending is None:
        pending = photo_q.of_instance(session, submission.instance_id, submission.account_id, "pending")
    if not pending and previous is None:
        return [], False  # the usual case: nothing uploaded before, nothing to carry over
    if attachments is None:
        attachments = submission_q.attachments_of(session, submission.instance_id)
    entries = {a.name: a for a in attachments}
    refused = []
    linked = set()
    for photo in list(pending):
        entry = entries.get(photo.name)
        if entry is not None and entry.sha256 == photo.sha256:
            _link(photo, entry)
            linked.add(photo.name)
        else:
            refused.append(photo.name)
            session.delete(photo)
    carried = 0
    if previous is not None:
        old_photos = photo_q.of_instance(session, previous.instance_id, previous.account_id, "linked")
        for old in list(old_photos):
            entry = entries.get(old.name)
            if entry is None or entry.sha256 != old.sha256 or old.name in linked:
                continue
            session.add(
                Photo(
                    instance_id=submission.instance_id,
                    name=old.name,
                    account_id=submission.account_id,
                    **{c: getattr(old, c) for c in _COPIED},
                )
            )
            entry.received_at = entry.received_at or old.received_at
            carried += 1
    session.flush()
    return sorted(refused), bool(linked) or carried > 0


_COPIED = (
    "status",
    "sha256",
    "bytes",
    "content_type",
    "width",
    "height",
    "taken_at",
    "taken_location",
    "camera",
    "derivatives",
    "original_key",
    "flags",
    "received_at",
    "linked_at",
    "processing",
    "processing_error",
    "upload_key",
)


RETRY_AFTER_SECONDS = 2


def retry_after(photo: Photo) -> int | None:
    """Seconds to wait while the photo's derivatives job has not run (the photo answers 202), None once they
    exist; Conflict (409 photo.unusable) when they never will: the pixels did not decode."""
    if photo.processing == "queued":
        return RETRY_AFTER_SECONDS
    if photo.processing == "failed":
        raise Conflict(
            "The photo was received but its pixels could not be decoded; the phone should upload it again.",
            code="photo.unusable",
            extra={"reason": photo.processing_error},
        )
    return None


def get(session: Session, actor: Actor, photo_id: uuid.UUID) -> Photo:
    require(actor, "photo.read")
    row = photo_q.visible(session, scoping.visible_photos(actor), photo_id)
    if row is None:
        raise NotFound("No such photo.", code="photo.not_found")
    return row


def read(
    session: Session, actor: Actor, store: MediaStore, photo: Photo, size: str, *, fetch: bool = True
) -> bytes | None:
    """The bytes of one derivative of a photo ``get`` found for the actor (None unless ``fetch``). Audited."""
    data = None
    if retry_after(photo) is not None:
        raise Conflict("The photo is being processed; ask again in a moment.", code="photo.unusable")
    if fetch:
        key = photo.derivatives[size]["key"]
        try:
            data = store.get(key)
        except MediaNotFound as exc:
            raise StorageObjectMissing(key, f"photo {photo.id}") from exc
    audit.record(
        session,
        actor,
        "photo.read",
        subject_type="photo",
        subject_ids=[photo.id],
        fields=["image"],
        details={"instance_id": str(photo.instance_id), "size": size},
    )
    return data
