"""Settings, read from environment variables once when the app is created.

Every setting has a default that works from a checkout; DATABASE_URL unset
means the private PostGIS instance under var/ (see devtools/devdb.py, which
this module must not import: decision 0016).
"""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo


def project_home() -> Path:
    """The checkout: GRIDWORK_HOME, or the folder that holds the `server` package."""
    env = os.environ.get("GRIDWORK_HOME")
    return Path(env).resolve() if env else Path(__file__).resolve().parents[1]


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver whatever scheme the operator wrote."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def from_environment() -> dict:
    """The app's configuration mapping, from the process environment."""
    home = project_home()
    database_url = os.environ.get("DATABASE_URL")
    media_root = os.environ.get("MEDIA_ROOT") or str(home / "media")
    timezone = os.environ.get("TIMEZONE", "Asia/Shanghai")
    ZoneInfo(timezone)  # fail at start-up, not at the first deadline, on a bad zone
    return {
        # None: resolved lazily to the private instance when first needed.
        "DATABASE_URL": normalise_database_url(database_url) if database_url else None,
        "MEDIA_BACKEND": os.environ.get("MEDIA_BACKEND", "local"),
        "MEDIA_ROOT": media_root,
        "S3_BUCKET": os.environ.get("S3_BUCKET"),
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL"),
        "S3_REGION": os.environ.get("S3_REGION", "us-east-1"),
        "S3_PREFIX": os.environ.get("S3_PREFIX", ""),
        # /healthz asks the media store at most once per this many seconds (per worker process)
        "HEALTHZ_STORAGE_CACHE_SECONDS": _float("HEALTHZ_STORAGE_CACHE_SECONDS", 30.0),
        # seconds, and tries in all (1: no retry); botocore's defaults held a worker for minutes (README)
        "S3_CONNECT_TIMEOUT": _float("S3_CONNECT_TIMEOUT", 5.0),
        "S3_READ_TIMEOUT": _float("S3_READ_TIMEOUT", 30.0),
        "S3_MAX_ATTEMPTS": _int("S3_MAX_ATTEMPTS", 3),
        "TIMEZONE": timezone,
        # the bearer secret GET /metrics asks for; unset: /metrics answers 404 (decision 0012)
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN") or None,
        # reverse proxies in front of gunicorn whose X-Forwarded-* headers are trusted (docs/operations.md)
        "PROXY_COUNT": _int("PROXY_COUNT", 0),
        # ODK Collect (docs/openrosa.md): the address phones reach, e.g. https://grid.example.cn (unset: from the
        # request, which honours PROXY_COUNT); the key that signs Digest nonces (unset: random per process)
        "EXTERNAL_BASE_URL": (os.environ.get("EXTERNAL_BASE_URL") or "").rstrip("/") or None,
        "OPENROSA_NONCE_KEY": os.environ.get("OPENROSA_NONCE_KEY") or None,
        "WEB_TOKEN_HOURS": _int("WEB_TOKEN_HOURS", 12),
        # the web pages' map background: a tile URL template ({z}/{x}/{y}); unset: polygons and markers
        # on a plain background (an office without internet, the tests). docs/web.md
        "MAP_TILE_URL": os.environ.get("MAP_TILE_URL") or None,
        "MAP_TILE_ATTRIBUTION": os.environ.get("MAP_TILE_ATTRIBUTION", ""),
        "DEVICE_TOKEN_DAYS": _int("DEVICE_TOKEN_DAYS", 30),
        # the change feed keeps every row this many days; older ones only as each record's latest state
        # (nightly `feed.compact`); a phone that did not sync for longer starts over (docs/sync.md)
        "FEED_RETENTION_DAYS": _int("FEED_RETENTION_DAYS", 30),
        # processes the nightly tier recompute shares its work between (one per core; server/jobs/recompute.py)
        "TIERS_RECOMPUTE_PROCESSES": max(1, _int("TIERS_RECOMPUTE_PROCESSES", min(os.cpu_count() or 1, 4))),
        "LOGIN_MAX_FAILURES": _int("LOGIN_MAX_FAILURES", 5),
        "LOGIN_LOCK_MINUTES": _int("LOGIN_LOCK_MINUTES", 15),
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 12 * 1024 * 1024),
        "REPORT_DEADLINE_DAYS": _int("REPORT_DEADLINE_DAYS", 7),
        "REVEAL_DAILY_LIMIT": _int("REVEAL_DAILY_LIMIT", 20),
        "DATABASE_RETRY_AFTER_SECONDS": _int("DATABASE_RETRY_AFTER_SECONDS", 30),
        "PASSWORD_MIN_LENGTH": 8,
        "PASSWORD_MAX_LENGTH": 128,
        **_visits_and_photos(),
    }


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    return raw.strip().lower() in ("1", "true", "yes", "on") if raw else default


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default


def _visits_and_photos() -> dict:
    """Photo intake and the plausibility limits of visits (docs/photos.md)."""
    return {
        "PHOTO_MAX_PIXELS": _int("PHOTO_MAX_PIXELS", 50_000_000),
        "MEDIA_KEEP_ORIGINALS": _bool("MEDIA_KEEP_ORIGINALS", False),
        # uploads whose submission never arrives are deleted after this many days
        # (`gridwork media check --expire-pending`)
        "PENDING_PHOTO_DAYS": _int("PENDING_PHOTO_DAYS", 7),
        "VISIT_MAX_DISTANCE_M": _float("VISIT_MAX_DISTANCE_M", 100.0),
        "VISIT_MAX_ACCURACY_M": _float("VISIT_MAX_ACCURACY_M", 50.0),
        "PHOTO_MAX_DISTANCE_M": _float("PHOTO_MAX_DISTANCE_M", 200.0),
        "PHOTO_MAX_TIME_DIFF_MIN": _float("PHOTO_MAX_TIME_DIFF_MIN", 30.0),
        "LATE_SYNC_HOURS": _float("LATE_SYNC_HOURS", 72.0),
        # the job queue (docs/operations.md, decision 0017): a worker's heartbeat, how long without one
        # before its running jobs go back in the queue, and how old a waiting/running job is "stuck"
        "JOBS_HEARTBEAT_SECONDS": _float("JOBS_HEARTBEAT_SECONDS", 10.0),
        "JOBS_STALLED_SECONDS": _float("JOBS_STALLED_SECONDS", 30.0),
        "JOBS_STUCK_MINUTES": _int("JOBS_STUCK_MINUTES", 15),
        # succeeded jobs are deleted this many hours after they finished (hourly `jobs.remove_finished`);
        # failed ones stay for `gridwork jobs status` and a person to look at
        "JOBS_KEEP_HOURS": _int("JOBS_KEEP_HOURS", 48),
    }
