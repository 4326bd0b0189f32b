"""The job queue (decision 0017) with real `gridwork jobs worker` processes on a committed database."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from server.jobs.queue import defer
from server.store.queries import jobs as job_q

GRIDWORK = str(Path(sys.executable).with_name("gridwork"))


@pytest.fixture(scope="module")
def url(make_database):
    from server.store import migrate

    url = make_database()
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="module")
def engine(url):
    engine = create_engine(url)
    yield engine
    engine.dispose()


def _env(url, tmp_path, **extra):
    return dict(os.environ, DATABASE_URL=url, MEDIA_ROOT=str(tmp_path), **extra)


def _status(engine, job_id):
    with Session(engine) as session:
        return job_q.status_of(session, job_id)


def _run_until_empty(url, tmp_path, **extra):
    subprocess.run(
        [GRIDWORK, "jobs", "worker", "--until-empty"], env=_env(url, tmp_path, **extra), check=True, timeout=60
    )


def test_a_job_exists_exactly_when_its_data_committed(engine):
    with Session(engine) as session:
        rolled_back = defer(session, "jobs.ping")
        session.rollback()
    with Session(engine) as session:
        committed = defer(session, "jobs.ping")
        session.commit()
    assert _status(engine, rolled_back) is None
    assert _status(engine, committed) == ("todo", 0)


def test_a_worker_runs_the_queued_jobs(engine, url, tmp_path):
    with Session(engine) as session:
        job_id = defer(session, "jobs.ping", seconds=0.1)
        session.commit()
    _run_until_empty(url, tmp_path)
    assert _status(engine, job_id) == ("succeeded", 1)


def test_a_job_whose_worker_is_killed_mid_job_is_run_again_by_the_next_worker(engine, url, tmp_path):
    with Session(engine) as session:
        job_id = defer(session, "jobs.ping", seconds=2)
        session.commit()
    quick = {"JOBS_HEARTBEAT_SECONDS": "0.5", "JOBS_STALLED_SECONDS": "2"}
    worker = subprocess.Popen([GRIDWORK, "jobs", "worker"], env=_env(url, tmp_path, **quick), start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while _status(engine, job_id)[0] != "doing":
            assert time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.1)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # no clean shutdown: a crash
        worker.wait()
    assert _status(engine, job_id) == ("doing", 0)  # left behind, as after a power cut
    time.sleep(2.5)  # the dead worker's heartbeat is now older than JOBS_STALLED_SECONDS
    _run_until_empty(url, tmp_path, **quick)
    status, attempts = _status(engine, job_id)
    assert status == "succeeded" and attempts >= 1  # put back once (attempts counts the ended tries)


def test_jobs_status_reports_jobs_nobody_runs(engine, url, tmp_path):
    with Session(engine) as session:
        defer(session, "jobs.ping")
        session.commit()
    env = _env(url, tmp_path, JOBS_STUCK_MINUTES="0")
    result = subprocess.run([GRIDWORK, "jobs", "status"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "stuck: job" in result.stdout and "jobs.ping todo" in result.stdout


def test_succeeded_jobs_go_after_the_keeping_time_and_failed_ones_stay(engine, url, tmp_path):
    """The hourly jobs.remove_finished: the queue's tables do not grow for ever (the tier refresh alone
    finishes a job every 2 s), and what failed stays for a person to look at."""
    from sqlalchemy import text

    with Session(engine) as session:
        old, recent = (defer(session, "jobs.ping") for _ in range(2))
        session.commit()
    _run_until_empty(url, tmp_path)
    failed_job = (
        "INSERT INTO procrastinate_jobs (queue_name, task_name, status, args) "
        "VALUES ('default', 'jobs.ping', 'failed', '{}') RETURNING id"
    )
    with engine.begin() as conn:
        failed = conn.scalar(text(failed_job))
        conn.execute(
            text("INSERT INTO procrastinate_events (job_id, type, at) VALUES (:id, 'deferred', now())"), {"id": failed}
        )
        age = "UPDATE procrastinate_events SET at = at - CAST(:age AS interval) WHERE job_id = ANY(:ids)"
        conn.execute(text(age), {"age": "3 days", "ids": [old, failed]})
        conn.execute(text(age), {"age": "1 day", "ids": [recent]})
    with Session(engine) as session:
        defer(session, "jobs.remove_finished", timestamp=0)
        session.commit()
    _run_until_empty(url, tmp_path)
    assert _status(engine, old) is None  # succeeded 3 days ago: gone (JOBS_KEEP_HOURS 48)
    assert _status(engine, recent) == ("succeeded", 1)  # a day ago: kept
    assert _status(engine, failed)[0] == "failed"
