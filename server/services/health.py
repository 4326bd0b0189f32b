"""Is the service usable: database and PostGIS reachable, media store writable."""

from __future__ import annotations

import logging

from server.media.storage import MediaStore, probe
from server.store.queries import health as q

log = logging.getLogger(__name__)


def check(session_factory, media: MediaStore) -> dict:
    database = {"ok": False, "postgis_version": None}
    try:
        session = session_factory()
        try:
            database["postgis_version"] = q.postgis_version(session)
            database["ok"] = True
        finally:
            session.close()
    except Exception:  # noqa: BLE001 - reported as not ok, details only in the log
        log.exception("health check: database unreachable")
    storage = {"ok": False, "backend": media.backend}
    try:
        probe(media)
        storage["ok"] = True
    except Exception:  # noqa: BLE001
        log.exception("health check: media store not writable")
    ok = database["ok"] and storage["ok"]
    return {"status": "ok" if ok else "unavailable", "database": database, "media": storage}
