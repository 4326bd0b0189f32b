"""The append-only audit log: who read or changed what, whose, why, when.

A trigger created by the migration refuses UPDATE and DELETE on this table.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, func
from sqlalchemy.dialects.postgresql import ARRAY, INET, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_action_at", "action", "at"),
        Index("ix_audit_events_actor_at", "actor_id", "at"),
        Index("ix_audit_events_subject_ids", "subject_ids", postgresql_using="gin"),
        Index("ix_audit_events_person_ids", "person_ids", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(server_default=func.clock_timestamp())
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    actor_role: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_ids: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    # Whose personal data was read or changed when the subject is not a person
    # (a house's landlord, a submission's residents): "who saw this person?"
    person_ids: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    fields: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    purpose: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(64))
    client_addr: Mapped[str | None] = mapped_column(INET)
    details: Mapped[dict] = mapped_column(JSONB, server_default="{}")
