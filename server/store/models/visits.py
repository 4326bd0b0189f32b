"""Visits: every door-to-door visit, inspection and landlord self-check, as a
record of where, when, who and what was found (one per logical submission)."""

from __future__ import annotations

import uuid
from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, new_id
from .sync import Submission, written_after_submission

VISIT_SUBJECTS = ("house", "unit")


class Visit(Base):
    """Made from a submission of a visit-kind form (visit, inspection, self_check).

    An edit of the submission (``deprecated_id``) updates this row and points it
    at the new instance; the submissions table keeps every version.
    """

    __tablename__ = "visits"
    __table_args__ = (
        CheckConstraint("subject_type IN ('house', 'unit')", name="subject_type"),
        CheckConstraint("(house_id IS NOT NULL) <> (unit_id IS NOT NULL)", name="one_subject"),
        Index("ix_visits_house_time", "house_id", "visited_at"),
        Index("ix_visits_unit_time", "unit_id", "visited_at"),
        Index("ix_visits_grid_time", "grid_id", "visited_at"),
        Index("ix_visits_flags", "flags", postgresql_using="gin"),
        # a worker's visits of a week (the targets board), from the index alone (migration 0022)
        Index(
            "ix_visits_account_time",
            "account_id",
            "visited_at",
            postgresql_include=["kind", "outcome", "subject_type"],
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    instance_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("submissions.instance_id"), unique=True)
    written_after: Mapped[Submission] = written_after_submission()
    kind: Mapped[str] = mapped_column(String(16))  # visit | inspection | self_check (the form's kind)
    form_id: Mapped[str] = mapped_column(String(64))
    form_version: Mapped[str] = mapped_column(String(32))
    subject_type: Mapped[str] = mapped_column(String(16))
    house_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("houses.id"))
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("units.id"))
    grid_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("grids.id"))
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    role: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(16))  # met | not_home | refused | vacant
    hazards: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")  # findings; [] = none found
    visited_at: Mapped[datetime]  # the phone's completion time (server time when it sent none)
    received_at: Mapped[datetime]
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=True)
    location_accuracy_m: Mapped[float | None]
    photo_names: Mapped[list] = mapped_column(JSONB, server_default="[]")  # attachment names, in form order
    flags: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")  # plausibility, never a refusal
    flag_details: Mapped[dict] = mapped_column(JSONB, server_default="{}")  # {flag: {measured, limit}}
