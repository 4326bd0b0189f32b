"""One standard, three realities: standard addresses, and the actual houses,
population and units that hang off them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from geoalchemy2 import Geometry
from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from server.domain.registry import (
    HOUSE_USES,
    RENTAL_MODES,
    REPORT_SOURCES,
    RESIDENCE_CATEGORIES,
    SEXES,
    UNIT_KINDS,
    VERIFICATION_STATES,
)

from .base import Base, Timestamps, new_id


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Address(Timestamps, Base):
    """A standard address (标准地址): the same address typed twice is one row."""

    __tablename__ = "addresses"
    __table_args__ = (
        UniqueConstraint("community_id", "canonical_key", name="uq_addresses_community_key"),
        Index(
            "ix_addresses_search_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    # Optimistic version: +1 on every change; phones send the version they saw (base_version).
    version: Mapped[int] = mapped_column(server_default="1")
    __mapper_args__ = {"version_id_col": version}
    community_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("divisions.id"))
    grid_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grids.id"), index=True)
    street: Mapped[str] = mapped_column(String(100))
    door: Mapped[str | None] = mapped_column(String(32))
    building: Mapped[str | None] = mapped_column(String(32))
    unit: Mapped[str | None] = mapped_column(String(32))
    floor: Mapped[str | None] = mapped_column(String(16))
    room: Mapped[str | None] = mapped_column(String(32))
    full_text: Mapped[str] = mapped_column(String(400))
    canonical_key: Mapped[str] = mapped_column(String(300))
    search_text: Mapped[str] = mapped_column(String(400))
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))


class Person(Timestamps, Base):
    """A member of the actual population (实有人口)."""

    __tablename__ = "persons"
    __table_args__ = (
        CheckConstraint(_in("sex", SEXES), name="sex"),
        Index(
            "uq_persons_document",
            "document_type",
            "document_number",
            unique=True,
            postgresql_where=text("document_number IS NOT NULL"),
        ),
        Index("ix_persons_document_number", "document_number"),
        Index("ix_persons_name_birth", "name", "birth_date"),
        Index("ix_persons_name_trgm", "name", postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    # Optimistic version: +1 on every change; phones send the version they saw (base_version).
    version: Mapped[int] = mapped_column(server_default="1")
    __mapper_args__ = {"version_id_col": version}
    name: Mapped[str] = mapped_column(String(100))
    sex: Mapped[str] = mapped_column(String(8))
    ethnicity: Mapped[str | None] = mapped_column(String(32))
    birth_date: Mapped[date | None]
    document_type: Mapped[str | None] = mapped_column(String(32))
    document_number: Mapped[str | None] = mapped_column(String(32))
    hukou_address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    # Residence permit (居住证), valid 1-3 years, renewal due 30 days before expiry.
    permit_number: Mapped[str | None] = mapped_column(String(32))
    permit_expires_on: Mapped[date | None]
    # A number typed for this person that belongs to someone registered outside
    # the typist's area: held here, shown masked, until the police confirm the
    # identity (identity_checks, decision 0008). document_number stays empty.
    unconfirmed_document_number: Mapped[str | None] = mapped_column(String(32), index=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"), index=True)


class House(Timestamps, Base):
    """An actual house (实有房屋) at one standard address."""

    __tablename__ = "houses"
    __table_args__ = (
        CheckConstraint(_in("use", HOUSE_USES), name="use"),
        CheckConstraint(f"rental_mode IS NULL OR {_in('rental_mode', RENTAL_MODES)}", name="rental_mode"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    # Optimistic version: +1 on every change; phones send the version they saw (base_version).
    version: Mapped[int] = mapped_column(server_default="1")
    __mapper_args__ = {"version_id_col": version}
    address_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("addresses.id"), unique=True)
    grid_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grids.id"), index=True)  # copied from the address
    use: Mapped[str] = mapped_column(String(16))
    rental_mode: Mapped[str | None] = mapped_column(String(8))
    rooms: Mapped[int | None]
    floor_area_m2: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    rented_since: Mapped[date | None]
    landlord_person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("persons.id"), index=True)
    landlord_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    agreement_signed_on: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))


class Residence(Timestamps, Base):
    """Residence registration (居住登记): a person living in a house."""

    __tablename__ = "residences"
    __table_args__ = (
        CheckConstraint(_in("category", RESIDENCE_CATEGORIES), name="category"),
        CheckConstraint(_in("source", REPORT_SOURCES), name="source"),
        CheckConstraint(_in("verification", VERIFICATION_STATES), name="verification"),
        CheckConstraint("left_on IS NULL OR left_on >= arrived_on", name="left_after_arrival"),
        Index("uq_residences_open", "person_id", "house_id", unique=True, postgresql_where=text("left_on IS NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    # Optimistic version: +1 on every change; phones send the version they saw (base_version).
    version: Mapped[int] = mapped_column(server_default="1")
    __mapper_args__ = {"version_id_col": version}
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    house_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("houses.id"), index=True)
    category: Mapped[str] = mapped_column(String(16))
    arrived_on: Mapped[date]
    left_on: Mapped[date | None]
    reported_at: Mapped[datetime]
    reported_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    departure_reported_at: Mapped[datetime | None]
    source: Mapped[str] = mapped_column(String(16))
    verification: Mapped[str] = mapped_column(String(16), server_default="pending")


class Unit(Timestamps, Base):
    """An actual unit (实有单位): employer, shop, site."""

    __tablename__ = "units"
    __table_args__ = (CheckConstraint(_in("kind", UNIT_KINDS), name="kind"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    # Optimistic version: +1 on every change; phones send the version they saw (base_version).
    version: Mapped[int] = mapped_column(server_default="1")
    __mapper_args__ = {"version_id_col": version}
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    address_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("addresses.id"), index=True)
    grid_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grids.id"), index=True)  # copied from the address
    responsible_person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("persons.id"))
    phone: Mapped[str | None] = mapped_column(String(32))
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))


class Employment(Timestamps, Base):
    """A person employed by a unit; reported like a tenancy (7 days)."""

    __tablename__ = "employments"
    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ended_after_start"),
        Index("uq_employments_open", "person_id", "unit_id", unique=True, postgresql_where=text("ended_on IS NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("units.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    reported_at: Mapped[datetime]
    reported_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
