"""Is the service usable: database and PostGIS reachable, media store reachable and writable.

Reads only: the database answers a SELECT, the media store a read-only check (the local root is a
writable directory; S3 answers HEAD on the bucket). The storage answer is kept for a few seconds
(HEALTHZ_STORAGE_CACHE_SECONDS), because /healthz is public and load balancers call it every few
seconds from every node: without the cache each call was a request to S3 (before, three: a write,
a read and a delete).
"""

from __future__ import annotations

import logging
import threading
import time

from server.media.storage import MediaStore, probe
from server.store.queries import health as q

log = logging.getLogger(__name__)


class StorageCheck:
    """The last answer of one media store's check, reused for ``max_age`` seconds (per process)."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._last: tuple[MediaStore, float, bool] | None = None  # (the store, when, ok)

    def __call__(self, media: MediaStore, max_age: float) -> bool:
        now = self._clock()
        with self._lock:
            last = self._last
        if last is not None and last[0] is media and now - last[1] < max_age:
            return last[2]
        try:
            probe(media)
            ok = True
        except Exception:
            log.exception("health check: media store unusable")
            ok = False
        with self._lock:
            self._last = (media, now, ok)
        return ok


def check(session_factory, media: MediaStore, storage_check: StorageCheck, max_age: float) -> dict:
    database: dict[str, bool | str | None] = {"ok": False, "postgis_version": None}
    try:
        session = session_factory()
        try:
            database["postgis_version"] = q.postgis_version(session)
            database["ok"] = True
        finally:
            session.close()
    except Exception:
        log.exception("health check: database unreachable")
    storage = {"ok": storage_check(media, max_age), "backend": media.backend}
    ok = database["ok"] and storage["ok"]
    return {"status": "ok" if ok else "unavailable", "database": database, "media": storage}
