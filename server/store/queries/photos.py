"""Queries on photos."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.store.models import Photo


def referenced_keys(session: Session) -> dict[str, set[uuid.UUID]]:
    """Every storage key some photo row points at (derivatives and kept originals), with those photos' ids."""
    keys: dict[str, set[uuid.UUID]] = defaultdict(set)
    rows = session.execute(select(Photo.id, Photo.derivatives, Photo.original_key).execution_options(yield_per=1000))
    for photo_id, derivatives, original_key in rows:
        for derivative in (derivatives or {}).values():
            keys[derivative["key"]].add(photo_id)
        if original_key:
            keys[original_key].add(photo_id)
    return dict(keys)
