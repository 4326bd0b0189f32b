"""Consistency of photo storage and the database (`gridwork media check`).

Uploads write blobs first and the database row after, so a failed or
interrupted request can leave blobs nothing references (orphans), never a row
pointing at nothing. A lost or deleted file is the other way round: a photo
the database knows whose file is missing. This reports both, and removes
orphans on request — only those older than a grace period, so that the blobs
of uploads still in flight (written, not yet committed) are never taken.

Pending photos are uploads whose submission never arrived (a phone wiped, a
visit discarded). After PENDING_PHOTO_DAYS (default 7) they expire: the rows go,
and so do the files no other photo shares (issue #11).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from server.media.storage import MediaStore
from server.store.queries import photos as q

PREFIX = "photos/"


@dataclass
class Report:
    referenced: int = 0  # distinct keys the database points at
    stored: int = 0  # keys under photos/ in storage
    missing: dict[str, list[str]] = field(default_factory=dict)  # key -> photo ids
    orphans: list[str] = field(default_factory=list)
    too_recent: list[str] = field(default_factory=list)  # orphans inside the grace period, left alone
    removed: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.missing and not (set(self.orphans) - set(self.removed))


def check(
    session: Session, store: MediaStore, *, fix_orphans: bool = False, min_age: timedelta = timedelta(hours=1)
) -> Report:
    referenced = q.referenced_keys(session)
    report = Report(referenced=len(referenced))
    stored = dict(store.entries(PREFIX))
    report.stored = len(stored)
    report.missing = {key: sorted(str(i) for i in ids) for key, ids in sorted(referenced.items()) if key not in stored}
    cutoff = datetime.now(UTC) - min_age
    for key in sorted(set(stored) - set(referenced)):
        report.orphans.append(key)
        if not fix_orphans:
            continue
        if stored[key] > cutoff:
            report.too_recent.append(key)
        else:
            store.delete(key)
            report.removed.append(key)
    return report


@dataclass
class Expired:
    photos: list[str] = field(default_factory=list)  # ids of the pending photos deleted
    unreferenced: list[str] = field(default_factory=list)  # their keys no other photo shares: to remove


def expire_pending(session: Session, *, older_than: timedelta) -> Expired:
    """Delete pending photos received more than ``older_than`` ago (flush only: the caller commits,
    then calls ``remove`` so that no file goes before its row is gone for good)."""
    deleted = q.delete_pending_received_before(session, datetime.now(UTC) - older_than)
    keys = {key for _, photo_keys in deleted for key in photo_keys}
    session.flush()
    shared = q.keys_still_referenced(session, keys)
    return Expired(photos=sorted(str(photo_id) for photo_id, _ in deleted), unreferenced=sorted(keys - shared))


def remove(store: MediaStore, keys: list[str]) -> None:
    for key in keys:
        store.delete(key)
