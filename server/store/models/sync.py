"""Submissions from phones, the conflicts they may raise, and the change feed."""

from __future__ import annotations

import uuid
from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Identity, Index, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, new_id


class Submission(Base):
    """One filled form, exactly as the phone sent it (answers validated against
    the form version it names), plus what applying it did."""

    __tablename__ = "submissions"
    __table_args__ = (
        Index("ix_submissions_grid_received", "grid_id", "server_received_at"),
        Index("ix_submissions_subject", "subject_type", "subject_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    instance_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    deprecated_id: Mapped[uuid.UUID | None] = mapped_column(unique=True)  # the version this one edits
    superseded_by: Mapped[uuid.UUID | None]
    form_id: Mapped[str] = mapped_column(String(64))
    form_version: Mapped[str] = mapped_column(String(32))
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[uuid.UUID | None]
    grid_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("grids.id"))
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    device_id: Mapped[str | None] = mapped_column(String(100))
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    server_received_at: Mapped[datetime]
    device_clock_skew_s: Mapped[int | None]
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=True)
    location_accuracy_m: Mapped[float | None]
    location_captured_at: Mapped[datetime | None]
    answers: Mapped[dict] = mapped_column(JSONB)
    base_versions: Mapped[dict] = mapped_column(JSONB, server_default="{}")
    attachments: Mapped[list] = mapped_column(JSONB, server_default="[]")  # the manifest
    content_hash: Mapped[str] = mapped_column(String(64))
    flags: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    result: Mapped[dict] = mapped_column(JSONB, server_default="{}")  # records created / updated / conflicts


def written_after_submission():
    """A many-to-one to the submission a row points at (by ``instance_id``), never set or loaded: it tells the
    unit of work to INSERT a pending submission before the rows that point at it in the same flush. Without
    it the flush order between unrelated mappers is arbitrary, and the submission is added to the session
    unflushed so that its INSERT carries its result (services/submissions.py)."""
    return relationship("Submission", lazy="raise")


class Conflict(Base):
    """A submission changed a record that had changed since the phone saw it.
    The submission is kept and applied where it could be; these properties wait
    for an officer."""

    __tablename__ = "conflicts"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'resolved')", name="status"),
        Index("ix_conflicts_open", "grid_id", postgresql_where=text("status = 'open'")),
        Index("ix_conflicts_record_grid_open", "record_grid_id", postgresql_where=text("status = 'open'")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    record_type: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[uuid.UUID]
    # Filed where both sides see it (decision 0008): the grid where it was raised
    # (the visited house) and the grid of the record's own area.
    grid_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("grids.id"))
    record_grid_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("grids.id"))
    # The submission that raised it; none when an officer's identity decision did.
    instance_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("submissions.instance_id"), index=True)
    written_after: Mapped[Submission | None] = written_after_submission()
    raised_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    base_version: Mapped[int]
    current_version: Mapped[int]
    properties: Mapped[dict] = mapped_column(JSONB)  # {prop: {"current": v, "submitted": v}}
    status: Mapped[str] = mapped_column(String(8), server_default="open")
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    resolution: Mapped[dict | None] = mapped_column(JSONB)


class Change(Base):
    """The change feed: one row per change to a record phones keep, written by
    triggers (migrations 0003, 0010). A row gets its place in the feed (``pos``)
    only after its transaction committed, from one stamper at a time, so the
    order is the order in which changes became visible and survives a dump and
    restore. See docs/decisions/0010-feed-survives-restore.md."""

    __tablename__ = "changes"
    __table_args__ = (
        CheckConstraint("op IN ('upsert', 'delete')", name="op"),
        Index("uq_changes_pos", "pos", unique=True),
        Index("ix_changes_grid_pos", "grid_id", "pos"),
        Index("ix_changes_unplaced", "seq", postgresql_where=text("pos IS NULL")),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)  # insert order
    pos: Mapped[int | None] = mapped_column(BigInteger)  # place in the feed; NULL until stamped
    entity_type: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[uuid.UUID]
    grid_id: Mapped[uuid.UUID | None]
    op: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(server_default=text("clock_timestamp()"))


class FeedEpoch(Base):
    """The feed's epochs: a cursor names the epoch it was made in, and a cursor
    of another epoch (a restored backup, another cluster) answers reset: true.
    The current epoch is the newest row, together with the cluster's
    system identifier and the database's oid (see the decision 0010)."""

    __tablename__ = "feed_epochs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    started_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    reason: Mapped[str] = mapped_column(String(200))


class FeedCompaction(Base):
    """A compaction of the change feed that changed something: at or below ``horizon`` the feed keeps
    only the latest upsert of each record in each grid (tombstones and superseded rows went). The
    current horizon is the highest; see docs/decisions/0020-feed-compaction.md."""

    __tablename__ = "feed_compactions"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    horizon: Mapped[int] = mapped_column(BigInteger)
    cutoff: Mapped[datetime]  # the horizon is the last place of a row written before it
    removed: Mapped[int]


class Attachment(Base):
    """A file a submission declared in its manifest (bytes arrive separately)."""

    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("instance_id", "name", name="uq_attachments_instance_name"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    instance_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("submissions.instance_id"))
    written_after: Mapped[Submission] = written_after_submission()
    name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    bytes: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime | None]
