"""Accounts, their area scope, and bearer tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.auth.verbs import ROLES

from .base import Base, Timestamps, new_id

_roles = ", ".join(f"'{r}'" for r in ROLES)


class Account(Timestamps, Base):
    __tablename__ = "accounts"
    __table_args__ = (CheckConstraint(f"role IN ({_roles})", name="role"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)  # stored lower-case
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    # Scope: committee staff → a community; police → a station area;
    # grid workers → account_grids; landlords → their houses (registry).
    community_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("divisions.id"), index=True)
    station_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stations.id"), index=True)
    disabled_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    # Landlords: their own person record, and whether an officer has activated
    # an account they requested themselves (requested accounts start disabled).
    person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("persons.id", use_alter=True)
    )  # persons.created_by points back
    awaiting_activation: Mapped[bool] = mapped_column(server_default="false")
    # A landlord's request naming a username already taken is accepted like any
    # other (no existence oracle, decision 0008): the account waits under a
    # placeholder and the activating officer gives it a free username.
    requested_username: Mapped[str | None] = mapped_column(String(64))

    grid_links: Mapped[list[AccountGrid]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class AccountGrid(Base):
    """The grids a grid worker is assigned to."""

    __tablename__ = "account_grids"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    grid_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grids.id", ondelete="CASCADE"), primary_key=True, index=True)


class Token(Base):
    """An opaque bearer token; only its SHA-256 is stored."""

    __tablename__ = "tokens"
    __table_args__ = (CheckConstraint("kind IN ('web', 'device')", name="kind"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    device_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
