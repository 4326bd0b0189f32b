"""What the job worker runs. Every task is idempotent: running it twice (a retry after a crash between
its commit and procrastinate marking it done) leaves the same state as running it once.

The worker process binds one Flask app (``bind``) for the settings, the database and the media store;
each task opens its own session and commits once, at its end. A task that raises is retried with
backoff (``queue.RETRY``); a worker that dies mid-job leaves the job ``doing`` under a worker whose
heartbeat stops, and ``retry_stalled`` (at every worker start, then each minute) puts it back in the queue.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from flask import Flask
from sqlalchemy.orm import Session

from server.jobs.queue import RETRY, app

_flask: Flask | None = None
STALLED_SECONDS = 30.0


def bind(flask_app: Flask, *, stalled_seconds: float = 30.0) -> None:
    global _flask, STALLED_SECONDS
    _flask = flask_app
    STALLED_SECONDS = stalled_seconds


def flask_app() -> Flask:
    if _flask is None:
        raise RuntimeError("server.jobs.tasks.bind(app) was not called (the worker does it)")
    return _flask


@contextmanager
def unit_of_work() -> Iterator[tuple[Flask, Session]]:
    from server.store.db import get_db

    flask = flask_app()
    with flask.app_context():
        session = get_db(flask).session()
        session.info["zone"] = flask.config["TIMEZONE"]
        try:
            yield flask, session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


@app.task(name="jobs.ping", retry=RETRY)
def ping(seconds: float = 0.0) -> str:
    """A probe: sleeps ``seconds`` and succeeds (`gridwork jobs ping`, and the crash test)."""
    time.sleep(seconds)
    return "pong"


@app.task(name="photos.derive", retry=RETRY)
def derive_photo(photo_id: str) -> str:
    """Decode a stored upload and write its derivatives and EXIF evidence (services/photo_jobs.py)."""
    from server.services import photo_jobs

    with unit_of_work() as (flask, session):
        store = flask.extensions["gridwork.media"]
        derived = photo_jobs.derive(session, store, uuid.UUID(photo_id), _intake(flask))
    with unit_of_work() as (flask, session):  # after the commit: the upload goes only once nothing needs it
        photo_jobs.discard_upload(session, store, derived)
    return derived.outcome


def _intake(flask: Flask):
    from server.services.photos import Intake

    return Intake.from_settings(flask.config)


@app.periodic(cron="30 2 * * *", periodic_id="nightly")
@app.task(name="tiers.recompute", queueing_lock="tiers.recompute", retry=RETRY)
def recompute_tiers(timestamp: int) -> str:
    """Nightly (02:30 in the worker's clock): every house and unit re-evaluated, as `gridwork tiers recompute`,
    by TIERS_RECOMPUTE_PROCESSES processes."""
    from server.jobs import recompute as parallel
    from server.services import tiers as tier_service
    from server.store.db import get_db

    flask = flask_app()
    zone, processes = flask.config["TIMEZONE"], flask.config["TIERS_RECOMPUTE_PROCESSES"]
    today = tier_service.local_today(zone)
    if processes > 1:
        url = get_db(flask).engine.url.render_as_string(hide_password=False)
        counts = parallel.recompute(url, today, zone=zone, batch=2000, processes=processes)
    else:
        with unit_of_work() as (flask, session):
            counts = tier_service.recompute(session, today, zone=zone, batch=2000, after_batch=session.commit)
    return f"{counts['houses']} houses, {counts['units']} units, {counts['changed']} changes"


REFRESH_SECONDS = 2  # the period of tiers.refresh_queued: the due list is correct within about this, plus its run


@app.periodic(cron=f"* * * * * */{REFRESH_SECONDS}", periodic_id="tier-refresh")
@app.task(name="tiers.refresh_queued", queueing_lock="tiers.refresh_queued", lock="tiers.refresh_queued", retry=RETRY)
def refresh_queued_tiers(timestamp: int) -> str:
    """Every 2 s: the houses and units submissions changed (``tier_refreshes``) re-evaluated, each once per
    run however many submissions touched it, 2,000 at a time, each batch committed with its removal from
    the queue (so a crash repeats a batch, never loses one)."""
    from server.services import tiers as tier_service

    taken = 0
    while True:
        with unit_of_work() as (flask, session):
            zone = flask.config["TIMEZONE"]
            n = tier_service.refresh_queued(session, tier_service.local_today(zone), zone=zone)
        taken += n
        if n < tier_service.BATCH:
            return f"{taken} queued refreshes"


@app.periodic(cron="0 3 * * *", periodic_id="nightly")
@app.task(name="targets.materialise", queueing_lock="targets.materialise", lock="targets.materialise", retry=RETRY)
def materialise_targets(timestamp: int) -> str:
    """Nightly, after the tiers: every grid's target counts for this week and last, and for any earlier week of
    the board's 12-week trend not stored yet, as `gridwork targets materialise` (docs/targets.md, "How fresh the
    figures are")."""
    from server.services import targets as target_service
    from server.services import tiers as tier_service

    with unit_of_work() as (flask, session):
        done = target_service.materialise(session, tier_service.local_today(flask.config["TIMEZONE"]))
    return ", ".join(f"{week}: {n} grids" for week, n in done.items())


@app.periodic(cron="*/5 * * * *", periodic_id="catch-up")
@app.task(name="targets.catch_up", queueing_lock="targets.catch_up", lock="targets.materialise", retry=RETRY)
def catch_up_targets(timestamp: int) -> str:
    """Every 5 minutes: the nightly counts, when the board's default week has none (a new installation, an
    upgrade, a new policy version, a failed night), so that boards are counted live for minutes, not a day.
    It shares the nightly job's lock: the two never count at once."""
    from server.services import targets as target_service
    from server.services import tiers as tier_service

    with unit_of_work() as (flask, session):
        today = tier_service.local_today(flask.config["TIMEZONE"])
        if target_service.default_week_stored(session, today):
            return "counted already"
        done = target_service.materialise(session, today)
    return ", ".join(f"{week}: {n} grids" for week, n in done.items())


@app.periodic(cron="15 3 * * *", periodic_id="nightly")
@app.task(name="photos.expire_pending", queueing_lock="photos.expire_pending", retry=RETRY)
def expire_pending_photos(timestamp: int) -> str:
    """Nightly: pending photos older than PENDING_PHOTO_DAYS go, rows first, then their unreferenced files."""
    from server.services import media as media_service

    with unit_of_work() as (flask, session):
        expired = media_service.expire_pending(
            session, older_than=timedelta(days=int(flask.config["PENDING_PHOTO_DAYS"]))
        )
    media_service.remove(flask.extensions["gridwork.media"], expired.unreferenced)  # after the commit
    return f"{len(expired.photos)} photos, {len(expired.unreferenced)} files"


@app.periodic(cron="30 3 * * *", periodic_id="nightly")
@app.task(name="feed.compact", queueing_lock="feed.compact", retry=RETRY)
def compact_feed(timestamp: int) -> str:
    """Nightly (03:30): the change feed older than FEED_RETENTION_DAYS keeps only each record's latest
    state, as `gridwork feed compact` (docs/sync.md, decision 0020)."""
    from server.services import feed

    with unit_of_work() as (flask, session):
        done = feed.compact(session, retention_days=int(flask.config["FEED_RETENTION_DAYS"]))
    return f"horizon {done.horizon}, {done.removed} rows removed" + (" (another compaction was running)" * done.busy)


@app.periodic(cron="* * * * *", periodic_id="minutely")
@app.task(name="jobs.retry_stalled", queueing_lock="jobs.retry_stalled", pass_context=True)
async def retry_stalled(context, timestamp: int) -> int:
    return await retry_stalled_jobs()


@app.periodic(cron="17 * * * *", periodic_id="hourly")
@app.task(name="jobs.remove_finished", queueing_lock="jobs.remove_finished", pass_context=True)
async def remove_finished(context, timestamp: int) -> str:
    """Hourly: succeeded jobs finished more than JOBS_KEEP_HOURS ago go, with their events. The periodic
    tier refresh alone finishes 43,200 jobs a day; kept, the queue's tables would grow by millions a year."""
    hours = int(flask_app().config["JOBS_KEEP_HOURS"])
    await app.job_manager.delete_old_jobs(nb_hours=hours)
    return f"succeeded jobs older than {hours} h removed"


async def retry_stalled_jobs() -> int:
    """Put back in the queue the jobs of workers whose heartbeat stopped (killed, machine lost)."""
    stalled = list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_SECONDS))
    for job in stalled:
        await app.job_manager.retry_job(job)
    return len(stalled)
