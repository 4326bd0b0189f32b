"""Queries on submissions and their attachment manifests."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.store.models import Attachment, Conflict, Submission


def by_instance(session: Session, instance_id: uuid.UUID) -> Submission | None:
    return session.scalar(select(Submission).where(Submission.instance_id == instance_id))


def attachments_of(session: Session, instance_id: uuid.UUID) -> list[Attachment]:
    return list(session.scalars(select(Attachment).where(Attachment.instance_id == instance_id)
                                .order_by(Attachment.name)))


def conflicts_page(session: Session, condition, *, status: str | None, after, limit: int) -> list[Conflict]:
    query = select(Conflict).where(condition)
    if status:
        query = query.where(Conflict.status == status)
    if after is not None:
        query = query.where(Conflict.id > after)
    return list(session.scalars(query.order_by(Conflict.id).limit(limit)))
