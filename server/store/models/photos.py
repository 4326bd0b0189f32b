"""Photos: the processed image received for one declared attachment of a submission."""

from __future__ import annotations

import uuid
from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, new_id


class Photo(Base):
    """One uploaded image for ``(instance_id, name)``, owned by the account that uploaded it.

    ``status`` is about linking; ``processing`` about the derivatives (made by a job).
    ``pending``: it arrived before its submission (no manifest row to check it
    against yet); ``linked``: its submission declared it with the same SHA-256.
    The blobs are content-addressed (``photos/<sha256 of the upload>/<size>.jpg``),
    so the same picture is stored once however many rows point at it. The EXIF
    evidence is kept here; the served derivatives carry no metadata.
    """

    __tablename__ = "photos"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'linked')", name="status"),
        CheckConstraint("processing IN ('queued', 'ready', 'failed')", name="processing"),
        UniqueConstraint("instance_id", "name", "account_id", name="uq_photos_instance_name_account"),
        Index("ix_photos_sha256", "sha256"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    instance_id: Mapped[uuid.UUID]  # no foreign key: the photo may arrive before its submission
    name: Mapped[str] = mapped_column(String(200))
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    status: Mapped[str] = mapped_column(String(8))
    sha256: Mapped[str] = mapped_column(String(64))  # of the bytes uploaded (what the manifest names)
    bytes: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(32))  # sniffed from the content
    width: Mapped[int]
    height: Mapped[int]
    taken_at: Mapped[datetime | None]  # EXIF evidence
    taken_location = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=True)
    camera: Mapped[str | None] = mapped_column(String(200))
    derivatives: Mapped[dict] = mapped_column(JSONB)  # {"320": {key, sha256, width, height, bytes}, ...}
    original_key: Mapped[str | None] = mapped_column(String(200))  # MEDIA_KEEP_ORIGINALS
    flags: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    received_at: Mapped[datetime]
    linked_at: Mapped[datetime | None]
    # derivatives and evidence are made by the `photos.derive` job (decision 0017): ``queued`` until then
    # (the upload is kept at ``upload_key``), ``ready`` after, ``failed`` when the pixels did not decode
    # (``processing_error`` names the photo.* code)
    processing: Mapped[str] = mapped_column(String(8), server_default="ready")
    processing_error: Mapped[str | None] = mapped_column(String(40))
    upload_key: Mapped[str | None] = mapped_column(String(200))
