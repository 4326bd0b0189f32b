"""Administrative divisions, police station areas and grids: the units of scope."""

from __future__ import annotations

import uuid

from geoalchemy2 import Geometry
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Timestamps, new_id


class Division(Timestamps, Base):
    """county (GB/T 2260 six-digit code) → town/street → community/village."""

    __tablename__ = "divisions"
    __table_args__ = (CheckConstraint("level IN ('county', 'town', 'community')", name="level"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("divisions.id"), index=True)


class Station(Timestamps, Base):
    """A police station's area of responsibility (派出所辖区): a set of grids."""

    __tablename__ = "stations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))


class Grid(Timestamps, Base):
    __tablename__ = "grids"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=False)
    community_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("divisions.id"), index=True)
    station_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stations.id"), index=True)
