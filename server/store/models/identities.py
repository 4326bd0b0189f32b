"""Identities to confirm: a document number typed for someone who is
registered outside the caller's area (decision 0008).

What the caller typed lives on a provisional person of their own (the number
held as ``unconfirmed_document_number``); the registered person is neither
shown to the caller nor linked to their house until the police of either area
decide that both are the same person.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, new_id

IDENTITY_SOURCES = ("submission", "landlord_report", "person_create", "person_update", "landlord_account")


class IdentityCheck(Base):
    __tablename__ = "identity_checks"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'same_person', 'different_person')", name="status"),
        CheckConstraint("source IN (" + ", ".join(f"'{s}'" for s in IDENTITY_SOURCES) + ")", name="source"),
        Index("ix_identity_checks_grid", "grid_id", "status"),
        Index("ix_identity_checks_person_grid", "person_grid_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    status: Mapped[str] = mapped_column(String(16), server_default="open")
    source: Mapped[str] = mapped_column(String(24))
    document_type: Mapped[str] = mapped_column(String(32))
    document_number: Mapped[str] = mapped_column(String(32))
    typed: Mapped[dict] = mapped_column(JSONB, server_default="{}")  # name, sex, birth date... as typed
    provisional_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL"), index=True
    )
    matched_person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    house_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("houses.id"))
    grid_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("grids.id"))  # the caller's side (the house)
    person_grid_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("grids.id"))  # where the person lives
    instance_id: Mapped[uuid.UUID | None]  # the submission that typed it, if any
    raised_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    raised_role: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    note: Mapped[str | None] = mapped_column(Text)
