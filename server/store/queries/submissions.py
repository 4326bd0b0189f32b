"""Queries on submissions and their attachment manifests."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from server.store.models import Attachment, Conflict, Submission


def by_instance(session: Session, instance_id: uuid.UUID) -> Submission | None:
    return session.scalar(select(Submission).where(Submission.instance_id == instance_id))


def attachments_of(session: Session, instance_id: uuid.UUID) -> list[Attachment]:
    return list(
        session.scalars(select(Attachment).where(Attachment.instance_id == instance_id).order_by(Attachment.name))
    )


def conflicts_page(session: Session, condition, *, status: str | None, after, limit: int) -> list[Conflict]:
    query = select(Conflict).where(condition)
    if status:
        query = query.where(Conflict.status == status)
    if after is not None:
        query = query.where(Conflict.id > after)
    return list(session.scalars(query.order_by(Conflict.id).limit(limit)))


def attachment(session: Session, instance_id: uuid.UUID, name: str) -> Attachment | None:
    """The attachment ``name`` a submission declares."""
    return session.scalar(select(Attachment).where(Attachment.instance_id == instance_id, Attachment.name == name))


def visible(session: Session, visible_submissions: Select, submission_id: uuid.UUID) -> Submission | None:
    """The submission, if it is among ``visible_submissions`` (the caller's scoped query)."""
    return session.scalar(visible_submissions.where(Submission.id == submission_id))


def declare_attachment(session: Session, instance_id: uuid.UUID, name: str, sha256: str, size: int, content_type: str):
    """A file an OpenRosa resend brings that the first part did not (Collect's isIncomplete splits)."""
    session.add(Attachment(instance_id=instance_id, name=name, sha256=sha256, bytes=size, content_type=content_type))
    session.flush()
