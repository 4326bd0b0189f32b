"""Device credentials for ODK Collect (issue 15, decision 0018)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, new_id


class DeviceCredential(Base):
    """A revocable, expiring username + secret for one phone. Only Digest's HA1 of the secret is stored:
    md5(username:realm:secret), what HTTP Digest needs to check a request (never the account password)."""

    __tablename__ = "device_credentials"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    ha1: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
