"""Device credentials (ODK Collect)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.orm import Session

from server.store.models import Account, AuditEvent, DeviceCredential


def with_account(session: Session, username: str) -> tuple[DeviceCredential, Account] | None:
    row = session.execute(
        select(DeviceCredential, Account)
        .join(Account, Account.id == DeviceCredential.account_id)
        .where(DeviceCredential.username == username)
    ).first()
    return (row[0], row[1]) if row else None


def by_id(session: Session, credential_id: uuid.UUID) -> DeviceCredential | None:
    return session.get(DeviceCredential, credential_id)


def failures_since(session: Session, username: str, since: datetime) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "device.auth_failed", AuditEvent.subject_ids == [username], AuditEvent.at >= since
            )
        )
        or 0
    )


def page(
    session: Session, *, manager: uuid.UUID | None, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> list[tuple[DeviceCredential, str]]:
    """Credentials newest first with their account's username; ``manager`` set: only those for or by it."""
    stmt = select(DeviceCredential, Account.username).join(Account, Account.id == DeviceCredential.account_id)
    if manager is not None:
        stmt = stmt.where(or_(DeviceCredential.account_id == manager, DeviceCredential.created_by == manager))
    if after is not None:
        stmt = stmt.where(tuple_(DeviceCredential.created_at, DeviceCredential.id) < tuple_(*after))
    stmt = stmt.order_by(DeviceCredential.created_at.desc(), DeviceCredential.id.desc()).limit(limit)
    return [(row[0], row[1]) for row in session.execute(stmt)]
