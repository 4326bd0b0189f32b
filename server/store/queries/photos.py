"""Queries on photos."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from server.store.models import Photo


def referenced_keys(session: Session) -> dict[str, set[uuid.UUID]]:
    """Every storage key some photo row points at (derivatives, kept originals, uploads waiting for their
    derivatives job), with those photos' ids."""
    keys: dict[str, set[uuid.UUID]] = defaultdict(set)
    rows = session.execute(
        select(Photo.id, Photo.derivatives, Photo.original_key, Photo.upload_key).execution_options(yield_per=1000)
    )
    for row in rows:
        for key in _keys(row):
            keys[key].add(row.id)
    return dict(keys)


def _keys(row) -> list[str]:
    """The storage keys a photo row (id, derivatives, original_key, upload_key) points at."""
    derived = [d["key"] for d in (row.derivatives or {}).values()]
    return [k for k in (row.upload_key, *derived, row.original_key) if k]


def delete_pending_received_before(session: Session, cutoff) -> list[tuple[uuid.UUID, list[str]]]:
    """Delete pending photos (uploaded, never claimed by a submission) received before ``cutoff``;
    returns each deleted photo's id and the storage keys it pointed at."""
    from sqlalchemy import delete

    rows = session.execute(
        delete(Photo)
        .where(Photo.status == "pending", Photo.received_at < cutoff)
        .returning(Photo.id, Photo.derivatives, Photo.original_key, Photo.upload_key)
    ).all()
    return [(row.id, _keys(row)) for row in rows]


def keys_still_referenced(session: Session, keys: set[str]) -> set[str]:
    """Those of ``keys`` that some remaining photo row still points at (content-addressed blobs are shared)."""
    if not keys:
        return set()
    return {key for key in referenced_keys(session) if key in keys}


def upload(session: Session, instance_id: uuid.UUID, name: str, account_id: uuid.UUID) -> Photo | None:
    """This account's upload of the attachment ``name`` of a submission (pending or linked)."""
    return session.scalar(
        select(Photo).where(Photo.instance_id == instance_id, Photo.name == name, Photo.account_id == account_id)
    )


def of_instance(session: Session, instance_id: uuid.UUID, account_id: uuid.UUID, status: str) -> list[Photo]:
    """A submission's photos uploaded by this account, in this status (``pending`` or ``linked``)."""
    return list(
        session.scalars(
            select(Photo).where(
                Photo.instance_id == instance_id, Photo.account_id == account_id, Photo.status == status
            )
        )
    )


def pending_of(session: Session, instance_ids, account_id: uuid.UUID) -> dict[uuid.UUID, list[Photo]]:
    """The photos this account uploaded before their submissions arrived, for several submissions at once:
    {instance_id: photos} (absent: none)."""
    ids = list(set(instance_ids))
    out: dict[uuid.UUID, list[Photo]] = {}
    if not ids:
        return out
    query = select(Photo).where(Photo.instance_id.in_(ids), Photo.account_id == account_id, Photo.status == "pending")
    for photo in session.scalars(query):
        out.setdefault(photo.instance_id, []).append(photo)
    return out


def visible(session: Session, visible_photos: Select, photo_id: uuid.UUID) -> Photo | None:
    """The photo, if it is among ``visible_photos`` (the caller's scoped query)."""
    return session.scalar(visible_photos.where(Photo.id == photo_id))


def for_update(session: Session, photo_id: uuid.UUID) -> Photo | None:
    """The photo row, locked until the transaction ends (one derivatives job at a time per photo)."""
    return session.execute(select(Photo).where(Photo.id == photo_id).with_for_update()).scalar_one_or_none()


def ready_twin(session: Session, sha256: str) -> Photo | None:
    """Another photo of the same bytes whose derivatives are made (content-addressed: they are shared)."""
    return session.execute(
        select(Photo).where(Photo.sha256 == sha256, Photo.processing == "ready").limit(1)
    ).scalar_one_or_none()


def upload_still_needed(session: Session, upload_key: str) -> bool:
    """Does some photo still wait for its derivatives from this stored upload?"""
    return (
        session.execute(
            select(Photo.id).where(Photo.upload_key == upload_key, Photo.processing == "queued").limit(1)
        ).first()
        is not None
    )
