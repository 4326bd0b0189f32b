"""The tier recompute over several processes: each evaluates one slice of the houses and units (by id), in its
own process and database session, committing batch by batch. Rule evaluation is Python (the GIL allows one
core per process), so on n cores n processes take about 1/n of the time (docs/performance.md).

The parent cuts the slices once (``store/queries/tiers.slices``), so they never overlap and the processes
never write the same row. Each process starts fresh (``spawn``: nothing of the parent's connections or threads
is inherited) with the parent's database URL and time zone. A process that fails leaves its committed
batches, and the error ends the run; a re-run (safe: it rewrites only what differs) does the rest.
"""

from __future__ import annotations

import multiprocessing
from datetime import date

from sqlalchemy import create_engine
from sqlalchemy.orm import Session


def recompute(url: str, today: date, *, zone: str, batch: int, processes: int) -> dict[str, int]:
    """Totals over all slices ({houses, units, changed}), as ``services.tiers.recompute`` gives them."""
    from server.store.queries import tiers as tier_q

    engine = create_engine(url)
    try:
        with Session(engine) as session:
            houses, units = (tier_q.slices(session, subject, processes) for subject in ("house", "unit"))
    finally:
        engine.dispose()
    # fewer houses or units than processes: fewer slices of them, and the last processes have none to do
    jobs = [
        (url, today, zone, batch, {s: cut[k] for s, cut in (("house", houses), ("unit", units)) if k < len(cut)})
        for k in range(processes)
    ]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        parts = pool.starmap(_slice, jobs)
    return {key: sum(p[key] for p in parts) for key in ("houses", "units", "changed")}


def _slice(url: str, today: date, zone: str, batch: int, bounds: dict) -> dict[str, int]:
    from server.app import create_app
    from server.services import tiers as tier_service
    from server.store.db import get_db

    app = create_app({"DATABASE_URL": url, "TIMEZONE": zone})
    with app.app_context():
        db = get_db(app)
        session = db.session()
        try:
            counts = tier_service.recompute(
                session, today, zone=zone, batch=batch, bounds=bounds, after_batch=session.commit
            )
            session.commit()
            return counts
        finally:
            session.close()
            db.engine.dispose()
