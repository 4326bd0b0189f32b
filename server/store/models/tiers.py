"""Rental tiers: the current evaluation per house or unit, its history, and the
inspections that are due (see docs/tiers.md)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, new_id

_ONE_SUBJECT = "(house_id IS NOT NULL) <> (unit_id IS NOT NULL)"


class TierState(Base):
    """The latest evaluation of one house or unit: computed tier, reasons, override."""

    __tablename__ = "tier_states"
    __table_args__ = (
        CheckConstraint("subject_type IN ('house', 'unit')", name="subject_type"),
        CheckConstraint(_ONE_SUBJECT, name="one_subject"),
        Index("ix_tier_states_grid_tier", "grid_id", "tier"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    subject_type: Mapped[str] = mapped_column(String(8))
    house_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("houses.id", ondelete="CASCADE"), unique=True)
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), unique=True)
    grid_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grids.id"))
    tier: Mapped[str] = mapped_column(String(16))  # effective: the override while it lasts, else computed
    tier_since: Mapped[date]  # local day the effective tier began
    computed_tier: Mapped[str] = mapped_column(String(16))
    computed_since: Mapped[date]
    reasons: Mapped[list] = mapped_column(JSONB, server_default="[]")  # rules fired, facts and thresholds
    facts: Mapped[dict] = mapped_column(JSONB, server_default="{}")
    policy_version: Mapped[str] = mapped_column(String(32))
    evaluated_at: Mapped[datetime]
    hold_started: Mapped[datetime | None]  # hysteresis: when the facts that made it focus were found gone
    override_tier: Mapped[str | None] = mapped_column(String(16))
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_expires_on: Mapped[date | None]
    override_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    override_at: Mapped[datetime | None]


class TierChange(Base):
    """History: one row each time a subject's effective or computed tier changes."""

    __tablename__ = "tier_changes"
    __table_args__ = (
        CheckConstraint(_ONE_SUBJECT, name="one_subject"),
        Index("ix_tier_changes_house", "house_id", "changed_at"),
        Index("ix_tier_changes_unit", "unit_id", "changed_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    subject_type: Mapped[str] = mapped_column(String(8))
    house_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("houses.id", ondelete="CASCADE"))
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    from_tier: Mapped[str | None] = mapped_column(String(16))
    to_tier: Mapped[str] = mapped_column(String(16))  # effective tier after the change
    computed_tier: Mapped[str] = mapped_column(String(16))
    cause: Mapped[str] = mapped_column(String(24))  # evaluation | override | override_lifted | override_expired
    reasons: Mapped[list] = mapped_column(JSONB, server_default="[]")
    policy_version: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    changed_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class InspectionDue(Base):
    """One obligation: ``role`` must inspect the house or unit by ``due_on``.

    One row per subject and role, kept when the obligation ends (``due_on`` NULL)
    so phones hear that it is gone (written to the change feed by a trigger,
    migration 0007).
    """

    __tablename__ = "inspection_dues"
    __table_args__ = (
        CheckConstraint(_ONE_SUBJECT, name="one_subject"),
        Index(
            "uq_inspection_dues_house_role",
            "house_id",
            "role",
            unique=True,
            postgresql_where=text("house_id IS NOT NULL"),
        ),
        Index(
            "uq_inspection_dues_unit_role", "unit_id", "role", unique=True, postgresql_where=text("unit_id IS NOT NULL")
        ),
        # the lists' order is (due_on, id): with id in the index a page is read in order, not sorted
        Index(
            "ix_inspection_dues_grid_role_due",
            "grid_id",
            "role",
            "due_on",
            "id",
            postgresql_where=text("due_on IS NOT NULL"),
        ),
        # grid_id included: a police or committee page keeps its own grids' rows without visiting the table
        Index(
            "ix_inspection_dues_role_due_grid",
            "role",
            "due_on",
            "id",
            postgresql_include=["grid_id"],
            postgresql_where=text("due_on IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    subject_type: Mapped[str] = mapped_column(String(8))
    house_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("houses.id", ondelete="CASCADE"))
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    grid_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grids.id"))
    role: Mapped[str] = mapped_column(String(16))
    tier: Mapped[str] = mapped_column(String(16))
    every_days: Mapped[int]
    due_on: Mapped[date | None]  # None: no longer due (the tier no longer asks this role)
    last_visit_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class TierRefresh(Base):
    """A house or unit whose tier facts a submission changed, waiting for the tier refresh job
    (``tiers.refresh_queued``, every 2 s): one plain row per submission and subject, with no unique key, so
    that concurrent submissions never wait on each other here. The job takes them in batches
    (``FOR UPDATE SKIP LOCKED``), de-duplicates, refreshes, and deletes them in its own transaction."""

    __tablename__ = "tier_refreshes"
    __table_args__ = (CheckConstraint("subject_type IN ('house', 'unit')", name="subject_type"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    subject_type: Mapped[str] = mapped_column(String(8))
    subject_id: Mapped[uuid.UUID]
    queued_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
