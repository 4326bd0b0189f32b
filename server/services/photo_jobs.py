"""The photos.derive job: decode a stored upload, write its derivatives, read its EXIF evidence.

Idempotent: a photo that is not ``queued`` any more is left alone, the derivatives are content-addressed
(writing them twice writes the same keys), and the row is locked while the job runs. The stored upload is
removed only after the commit (``discard_upload``), and only when no other queued photo needs it, so a
crash at any point leaves either the upload (the retry runs again) or the finished row.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from server.media.images import ImageRejected, process
from server.media.storage import MediaNotFound, MediaStore
from server.services import visits as visit_service
from server.services.photos import Intake, store_derivatives
from server.store.models import Photo
from server.store.queries import filters
from server.store.queries import photos as photo_q


@dataclass(frozen=True)
class Derived:
    outcome: str  # "ready", "failed", "done already" or "gone"
    upload_key: str | None  # to discard once committed


def derive(session: Session, store: MediaStore, photo_id: uuid.UUID, intake: Intake) -> Derived:
    photo = photo_q.for_update(session, photo_id)
    if photo is None:
        return Derived("gone", None)  # expired or replaced before the job ran
    if photo.processing != "queued":
        return Derived("done already", None)
    upload_key = photo.upload_key
    assert upload_key is not None
    try:
        data = store.get(upload_key)
    except MediaNotFound:
        twin = photo_q.ready_twin(session, photo.sha256)
        if twin is None:
            raise  # retried with backoff; `gridwork jobs status` shows it while it waits
        _copy(twin, photo)
        return _finish(session, photo, intake, None)
    try:
        processed = process(data, max_pixels=intake.max_pixels, zone=intake.zone)
    except ImageRejected as exc:
        photo.processing, photo.processing_error = "failed", exc.code
        photo.upload_key = None
        session.flush()
        return Derived("failed", upload_key)
    derivatives, original_key = store_derivatives(
        store, photo.sha256, processed, data if intake.keep_originals else None
    )
    evidence = processed.evidence
    photo.width, photo.height = processed.width, processed.height
    photo.taken_at, photo.camera = evidence.taken_at, evidence.camera
    photo.taken_location = (
        filters.point(evidence.lon, evidence.lat) if evidence.lon is not None and evidence.lat is not None else None
    )
    photo.derivatives, photo.original_key = derivatives, original_key
    return _finish(session, photo, intake, upload_key)


def _copy(source: Photo, photo: Photo) -> None:
    for column in ("width", "height", "taken_at", "taken_location", "camera", "derivatives", "original_key"):
        setattr(photo, column, getattr(source, column))


def _finish(session: Session, photo: Photo, intake: Intake, upload_key: str | None) -> Derived:
    photo.processing, photo.processing_error, photo.upload_key = "ready", None, None
    session.flush()
    # the visit's photo flags read the evidence that exists only now
    visit_service.refresh_for_instance(session, photo.instance_id, intake.limits)
    return Derived("ready", upload_key)


def discard_upload(session: Session, store: MediaStore, derived: Derived) -> None:
    """After the commit: remove the stored upload unless a photo still needs it (kept originals are separate)."""
    if derived.upload_key and not photo_q.upload_still_needed(session, derived.upload_key):
        store.delete(derived.upload_key)
