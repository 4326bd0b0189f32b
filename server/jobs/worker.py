"""``gridwork jobs worker``: one process running the queue's jobs until SIGTERM/SIGINT.

procrastinate's worker is asyncio; our tasks are synchronous and run in its thread pool, ``concurrency``
at a time. It listens for new jobs (LISTEN/NOTIFY) and polls every second as a fallback. At start it
first puts back jobs left ``doing`` by a worker that died (``tasks.retry_stalled_jobs``).
"""

from __future__ import annotations

import asyncio

import procrastinate
from flask import Flask

from server.heap import freeze_start_up
from server.jobs import tasks
from server.jobs.queue import app, libpq_url


def run(
    flask_app: Flask,
    url: str,
    *,
    concurrency: int = 2,
    heartbeat_seconds: float = 10.0,
    stalled_seconds: float = 30.0,
    wait: bool = True,
) -> None:
    """Run jobs until stopped (``wait``), or until the queue is empty (``wait=False``: tests, `jobs run`)."""
    tasks.bind(flask_app, stalled_seconds=stalled_seconds)
    if wait:  # a long-running worker, not a test's run until empty (server/heap.py)
        freeze_start_up()
    asyncio.run(_main(libpq_url(url), concurrency, heartbeat_seconds, stalled_seconds, wait))


async def _main(url: str, concurrency: int, heartbeat: float, stalled: float, wait: bool) -> None:
    connector = procrastinate.PsycopgConnector(conninfo=url, min_size=1, max_size=concurrency + 2)
    with app.replace_connector(connector):
        async with app.open_async():
            await tasks.retry_stalled_jobs()
            await app.run_worker_async(
                concurrency=concurrency,
                wait=wait,
                update_heartbeat_interval=heartbeat,
                stalled_worker_timeout=stalled,
                fetch_job_polling_interval=1.0,
                install_signal_handlers=wait,
            )
