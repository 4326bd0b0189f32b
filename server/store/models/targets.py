"""Field-work targets: the nightly counts per grid and ISO week (see docs/targets.md, "How fresh")."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class TargetCount(Base):
    """What the house and residence indicators of one grid are made of, for one ISO week, as counted by
    ``gridwork targets materialise`` (the workers' visits are kept beside them in ``target_worker_counts``)."""

    __tablename__ = "target_counts"

    grid_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grids.id", ondelete="CASCADE"), primary_key=True)
    week: Mapped[str] = mapped_column(String(8), primary_key=True, index=True)  # 2026-W49
    as_of: Mapped[date]  # the last local day counted
    policy_version: Mapped[str] = mapped_column(String(32))
    computed_at: Mapped[datetime]
    houses: Mapped[int]
    visited: Mapped[int]
    let: Mapped[int]
    complete: Mapped[int]
    signed: Mapped[int]
    arrived: Mapped[int]
    on_time: Mapped[int]
    reported: Mapped[int]
    verified: Mapped[int]
    floating: Mapped[int]


class TargetWorkerCount(Base):
    """One grid worker's visits of one ISO week, as counted by ``gridwork targets materialise`` beside the
    grids' counts, so that a stored week's board reads no visits at all (docs/targets.md, "How fresh")."""

    __tablename__ = "target_worker_counts"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    week: Mapped[str] = mapped_column(String(8), primary_key=True, index=True)
    policy_version: Mapped[str] = mapped_column(String(32))
    computed_at: Mapped[datetime]
    total: Mapped[int]  # visits that count (see store/queries/targets.py, _COUNTS)
    residential: Mapped[int]  # of which to households
