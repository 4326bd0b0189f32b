"""Device credentials (ODK Collect)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
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
