"""Queries on standard addresses."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.store.models import Address, Division


def address_by_key(session: Session, community_id: uuid.UUID, key: str) -> Address | None:
    return session.scalar(select(Address).where(Address.community_id == community_id,
                                                Address.canonical_key == key))


def division_names(session: Session, community_id: uuid.UUID) -> list[str]:
    """[town name, community name] for the canonical text."""
    community = session.get(Division, community_id)
    town = session.get(Division, community.parent_id) if community and community.parent_id else None
    return [n for n in ((town.name if town else None), community.name if community else None) if n]
