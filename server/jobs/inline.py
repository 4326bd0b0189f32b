"""Running the due jobs inside the caller's own session, without a worker process.

For the test suite, whose every test lives in one rolled-back transaction that a worker's own connection
cannot see: ``run_due`` runs exactly the code the worker runs for each task, then marks the jobs
succeeded, in that transaction; then it refreshes the queued tiers, as the periodic
``tiers.refresh_queued`` does. (tests/integration/test_jobs.py runs real workers on a committed database.)
"""

from __future__ import annotations

import uuid

from flask import Flask
from sqlalchemy.orm import Session

from server.store.queries import jobs as job_q


def run_due(flask_app: Flask, session: Session) -> int:
    """Run every job due now (until none is left); how many ran."""
    from server.services import photo_jobs
    from server.services.photos import Intake

    ran = 0
    while due := job_q.waiting(session):
        for job_id, task, args in due:
            if task == "photos.derive":
                store = flask_app.extensions["gridwork.media"]
                derived = photo_jobs.derive(
                    session, store, uuid.UUID(args["photo_id"]), Intake.from_settings(flask_app.config)
                )
                photo_jobs.discard_upload(session, store, derived)
            job_q.finish(session, job_id)
            ran += 1
    ran += refresh_queued_tiers(flask_app, session)
    session.flush()
    return ran


def refresh_queued_tiers(flask_app: Flask, session: Session) -> int:
    """What the periodic ``tiers.refresh_queued`` does (every 2 s in a worker): the queued subjects
    re-evaluated; 1 when there were any, else 0."""
    from server.services import tiers as tier_service

    zone = flask_app.config["TIMEZONE"]
    took = 0
    while tier_service.refresh_queued(session, tier_service.local_today(zone), zone=zone):
        took = 1
    return took
