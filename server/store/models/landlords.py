"""Landlords: their claims to houses, and the compliance record that feeds tiers."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from server.domain.landlords import COMPLIANCE_KINDS

from .base import Base, new_id


class LandlordClaim(Base):
    """A landlord says they let a house; an officer of the area confirms or rejects it."""

    __tablename__ = "landlord_claims"
    __table_args__ = (CheckConstraint("status IN ('pending', 'confirmed', 'rejected')", name="status"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    address_text: Mapped[str] = mapped_column(String(300))
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=True)
    grid_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("grids.id"), index=True)
    house_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("houses.id"))
    status: Mapped[str] = mapped_column(String(16), server_default="pending")
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))


class ComplianceEvent(Base):
    """One fact about a landlord's reporting, recorded when it happens (the tier
    rules count these over a window; each links back to its residence)."""

    __tablename__ = "compliance_events"
    __table_args__ = (
        CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in COMPLIANCE_KINDS) + ")", name="kind"),
        Index("ix_compliance_house_on", "house_id", "occurred_on"),
        Index("ix_compliance_landlord_on", "landlord_account_id", "occurred_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(24))
    house_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("houses.id"))
    landlord_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    residence_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("residences.id"))
    days_late: Mapped[int] = mapped_column(server_default="0")
    occurred_on: Mapped[date]
    recorded_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
