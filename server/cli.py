"""The `gridwork` command. From a checkout with DATABASE_URL unset, every
command uses the same private PostGIS instance as `make run`."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from server.config import project_home
from server.pg_binaries import PostgresNotFound


def _devdb():
    """The private development database (devtools/devdb.py), imported only by the commands that
    use it, so that a server started with DATABASE_URL never loads the development tool (decision 0016)."""
    from devtools import devdb

    return devdb


def _create_app():
    from server.app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False, help="Gridwork server commands.")
def main():
    pass


def _database_url() -> str:
    return current_app.config.get("DATABASE_URL") or _devdb().private_url()


# -- database -------------------------------------------------------------------


@main.group()
def db():
    """The database: private instance and migrations."""


@db.command("start")
def db_start():
    """Create (first time) and start the private PostGIS under var/ (no-op with DATABASE_URL)."""
    if os.environ.get("DATABASE_URL"):
        click.echo("DATABASE_URL is set: using that database, not starting a private one.")
        return
    devdb = _devdb()
    try:
        instance = devdb.Instance.for_checkout()
        started = instance.start()
    except devdb.DevDbError as exc:
        raise click.ClickException(str(exc)) from exc
    state = "started" if started else "already running"
    click.echo(f">> private PostGIS {state} on 127.0.0.1:{instance.port} (data: {instance.data_dir})")


@db.command("stop")
def db_stop():
    """Stop the private PostGIS instance."""
    instance = _devdb().Instance.for_checkout()
    click.echo("stopped" if instance.stop() else "not running")


@db.command("status")
def db_status():
    """Is the private instance running, and where."""
    instance = _devdb().Instance.for_checkout()
    if not instance.exists:
        click.echo("not created (run `gridwork db start`)")
        sys.exit(3)
    running = instance.is_running()
    click.echo(f"{'running' if running else 'stopped'} on 127.0.0.1:{instance.port} (data: {instance.data_dir})")
    sys.exit(0 if running else 3)


@db.command("url")
@with_appcontext
def db_url():
    """Print the database URL in use (contains the password)."""
    click.echo(_database_url())


@db.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision):
    """Migrate the database to REVISION (default: head)."""
    from server.store import migrate

    migrate.upgrade(_database_url(), revision)
    click.echo(f">> database at {revision}")


@db.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision):
    """Migrate the database down to REVISION ('base' empties it)."""
    from server.store import migrate

    migrate.downgrade(_database_url(), revision)


# -- backup and restore ---------------------------------------------------------


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def backup_command(file):
    """Write a consistent dump of the database to FILE (pg_dump custom format; safe while serving)."""
    from server.store import backup

    try:
        backup.backup(_database_url(), file)
    except (backup.BackupError, PostgresNotFound, _devdb().DevDbError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f">> backup written to {file} ({file.stat().st_size:,} bytes)")


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--database",
    "database",
    default=None,
    help="Restore into this database on the same server (created when missing) instead of the configured one.",
)
@with_appcontext
def restore_command(file, database):
    """Restore FILE (from `gridwork backup`) into an empty database, migrate it to this version, and start a
    new change-feed epoch: every phone's next sync answers reset: true and receives its area again."""
    from server.services import feed
    from server.store import backup, migrate

    try:
        url = backup.with_database(_database_url(), database)
        backup.restore(url, file)
    except (backup.BackupError, PostgresNotFound, _devdb().DevDbError) as exc:
        raise click.ClickException(str(exc)) from exc
    migrate.upgrade(url)
    with backup.session_for(url) as session:
        feed.new_epoch(session, f"restored from {file.name}")
        session.commit()
    click.echo(f">> restored {file} into database {backup.database_name(url)}; phones will start over (reset)")


@main.group("sync")
def sync_group():
    """The change feed phones sync from."""


@sync_group.command("new-epoch")
@click.option("--reason", required=True, help="Why (kept with the epoch), e.g. 'point-in-time recovery to 09:00'.")
@with_appcontext
def sync_new_epoch(reason):
    """Make every phone start over at its next sync (reset: true). Use after the database went back in time
    without `gridwork restore`: a point-in-time recovery, or a failover that lost acknowledged commits."""
    from server.services import feed

    with _session() as session:
        epoch = feed.new_epoch(session, reason)
        session.commit()
    click.echo(f">> new change-feed epoch {epoch}: phones will start over at their next sync")


@main.group("feed")
def feed_group():
    """Upkeep of the change feed."""


@feed_group.command("compact")
@click.option(
    "--retention-days",
    type=click.IntRange(min=1),
    default=None,
    help="Keep every change this many days (default: FEED_RETENTION_DAYS, 30).",
)
@with_appcontext
def feed_compact(retention_days):
    """Keep only each record's latest state in the change feed older than the retention window (nightly;
    safe to re-run, and while phones sync). Phones that did not sync within the window start over."""
    import time

    from server.services import feed

    days = retention_days or int(current_app.config["FEED_RETENTION_DAYS"])
    started = time.perf_counter()
    with _session() as session:
        done = feed.compact(session, retention_days=days)
        session.commit()
    if done.busy:
        raise click.ClickException("another compaction is running; nothing done")
    click.echo(
        f">> change feed compacted up to place {done.horizon:,} (older than {days} days): "
        f"{done.removed:,} rows removed in {time.perf_counter() - started:.1f} s"
    )


# -- accounts -------------------------------------------------------------------


@main.group()
def users():
    """Accounts."""


@users.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "police", "committee", "grid_worker", "landlord"]))
@click.option("--name", "display_name", help="Display name (default: the username).")
@click.option("--grid", "grids", multiple=True, help="Grid code (grid workers; repeat for several).")
@click.option("--community", help="Community code (committee staff).")
@click.option("--station", help="Police station code (police).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (scripts).")
@with_appcontext
def users_create(username, role, display_name, grids, community, station, password_stdin):
    """Create an account (prompts for the password)."""
    from server.auth.actor import system
    from server.services import accounts

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _session() as session:
        try:
            account = accounts.create(
                session,
                system("cli"),
                username=username,
                password=password,
                role=role,
                display_name=display_name,
                grids=list(grids),
                community=community,
                station=station,
            )
        except Exception as exc:
            raise click.ClickException(_explain(exc)) from exc
        session.commit()
        click.echo(f"created {account.role} account {account.username} ({account.id})")


@users.command("disable")
@click.argument("username")
@with_appcontext
def users_disable(username):
    """Disable an account and sign out all its tokens."""
    from server.auth.actor import system
    from server.services import accounts

    with _session() as session:
        actor = system("cli")
        try:
            account = accounts.by_username(session, actor, username)
        except Exception as exc:
            raise click.ClickException(_explain(exc)) from exc
        accounts.update(session, actor, account, disabled=True)
        session.commit()
        click.echo(f"disabled {account.username}")


# -- demo and serving -----------------------------------------------------------


@main.group("forms")
def forms_group():
    """The shipped forms (field_schema/)."""


@forms_group.command("xlsform")
@click.argument("form_id")
@click.option("--version", default=None, help="Form version (default: the current one).")
@click.option("--output", "-o", default=None, help="File to write (default: FORM_ID-VERSION.xlsx).")
def forms_xlsform(form_id, version, output):
    """Write a form version as an XLSForm .xlsx (what the served XForm is built from)."""
    from server.forms.catalog import load_catalog
    from server.forms.xlsform import xlsx

    catalog = load_catalog()
    versions = catalog.versions(form_id)
    if not versions:
        raise click.ClickException(f"no form {form_id!r}")
    version = version or versions[-1]
    form = catalog.get(form_id, version)
    if form is None:
        raise click.ClickException(f"form {form_id!r} has no version {version!r} (versions: {', '.join(versions)})")
    path = output or f"{form_id}-{version}.xlsx"
    with open(path, "wb") as out:
        out.write(xlsx(form))
    click.echo(path)


@main.group()
def demo():
    """The demo district."""


@demo.command("load")
@with_appcontext
def demo_load():
    """Load the small demo district and one account per role (safe to re-run)."""
    from server.services import demo as demo_service

    with _session() as session:
        logins = demo_service.load(session)
        session.commit()
    click.echo(">> demo logins (POST /api/v1/auth/tokens):")
    for username, role, password in logins:
        click.echo(f"     {role:<12} username: {username:<10} password: {password}")


THREADS = 32  # per gunicorn worker (gthread): a slow upload holds one thread, not the process


@main.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=8000, type=int)
@click.option("--workers", default=2, type=int)
@click.option(
    "--job-workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=0),
    help="Job worker processes gunicorn starts and stops with itself (`gridwork jobs worker`; 0: none).",
)
@click.option(
    "--threads",
    default=THREADS,
    show_default=True,
    type=click.IntRange(min=1),
    help="Requests each worker serves at once (gunicorn gthread; 1 means one at a time, as the sync worker).",
)
@with_appcontext
def serve(host, port, workers, job_workers, threads):
    """Serve the API with gunicorn and the job worker (Ctrl-C stops both). Refuses a database that could lose
    acknowledged writes."""
    from server.store.db import durability_problems

    problems = durability_problems(_database_url())
    if problems:
        raise click.ClickException(
            "the database is not durable, so a 2xx could be lost in a crash: "
            + "; ".join(problems)
            + ". Turn these settings back on (see docs/operations.md)."
        )
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(prepare_metrics_dir(port))
    os.environ["GRIDWORK_JOB_WORKERS"] = str(job_workers)  # started by server/gunicorn_conf.py's when_ready
    # ODK Collect's Digest nonces are signed; every worker of this server must check what another signed, so
    # without a configured key they share one made here (a restart only makes phones sign in again).
    os.environ.setdefault("OPENROSA_NONCE_KEY", secrets.token_hex(32))
    argv = gunicorn_argv(host, port, workers, threads)
    os.execv(argv[0], argv)


def gunicorn_argv(host: str, port: int, workers: int, threads: int = THREADS) -> list[str]:
    """JSON logs and the metrics' multiprocess hooks come from server/gunicorn_conf.py. Worker class gthread
    (decision 0017): each worker serves ``threads`` requests at once, so slow clients cannot stall the API."""
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    return [
        gunicorn,
        "--config",
        "python:server.gunicorn_conf",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--graceful-timeout",
        "5",
        *_control_socket_args(port),
        "server.app:create_app()",
    ]


def prepare_metrics_dir(port: int):
    """Where gunicorn's workers keep their metrics: PROMETHEUS_MULTIPROC_DIR, else var/prometheus/<port>/
    in the checkout (one per port, so two servers from one checkout do not mix). Emptied of the last
    run's files first, as prometheus_client asks: a dead worker's counters would otherwise count again."""
    from pathlib import Path

    path = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or project_home() / "var" / "prometheus" / str(port))
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    return path


def _control_socket_args(port: int) -> list[str]:
    """gunicorn's control socket lives in this checkout's var/run/, one per port, not in ~/.gunicorn/,
    where every gunicorn on the machine would announce the same path (issue #11). A Unix socket path
    is limited to 107 bytes: for a checkout that deep there is no control socket at all."""
    path = project_home() / "var" / "run" / f"gunicorn-{port}.ctl"
    if len(str(path).encode()) > 100:
        return ["--no-control-socket"]
    path.parent.mkdir(parents=True, exist_ok=True)
    return ["--control-socket", str(path)]


def _session():
    from server.store.db import get_db

    return get_db().session()


def _explain(exc: Exception) -> str:
    from server.errors import ApiError

    if isinstance(exc, ApiError):
        details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items())
        return f"{exc.message} {details}".strip()
    return str(exc)


@main.command("seed")
@click.option(
    "--households",
    default=1000,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many households (houses at standard addresses) to generate.",
)
@click.option(
    "--seed",
    "seed_value",
    default=1,
    show_default=True,
    type=int,
    help="Same households and seed give the same district, ids included.",
)
@click.option(
    "--as-of",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="The generated data's 'today' (default 2026-11-01, fixed so that runs repeat).",
)
@with_appcontext
def seed_command(households, seed_value, as_of):
    """Load a synthetic district (grids, addresses, houses, people, units) with COPY."""
    import time

    from server.errors import ApiError
    from server.services import seed as seeder

    started = time.perf_counter()
    with _session() as session:
        with click.progressbar(length=households, label="households", show_pos=True) as bar:
            try:
                counts = seeder.run(
                    session,
                    households=households,
                    seed=seed_value,
                    progress=bar.update,
                    as_of=as_of.date() if as_of else seeder.AS_OF,
                    analyze=True,
                )
            except ApiError as exc:
                raise click.ClickException(_explain(exc)) from exc
        session.commit()
    elapsed = time.perf_counter() - started
    click.echo(", ".join(f"{table} {n:,}" for table, n in counts.items()))
    click.echo(f">> seeded {households:,} households in {elapsed:.1f} s")


# -- media ----------------------------------------------------------------------


@main.group()
def media():
    """Photo storage."""


@media.command("check")
@click.option("--fix-orphans", is_flag=True, help="Remove stored files that no photo references.")
@click.option(
    "--min-age-minutes",
    default=60,
    show_default=True,
    type=click.IntRange(min=0),
    help="Leave orphans younger than this alone (uploads in flight write files before their row).",
)
@click.option(
    "--expire-pending",
    is_flag=True,
    help="Delete pending photos (uploads whose submission never came) older than --pending-days, and their files.",
)
@click.option(
    "--pending-days",
    default=None,
    type=click.IntRange(min=1),
    help="Age at which a pending photo expires (default: PENDING_PHOTO_DAYS, 7).",
)
@with_appcontext
def media_check(fix_orphans, min_age_minutes, expire_pending, pending_days):
    """Report photos whose files are missing from storage, stored files nothing references, and derivatives
    jobs due or running for over JOBS_STUCK_MINUTES. Exits 1 while any remains."""
    from datetime import timedelta

    from server.services import media as media_service

    store = current_app.extensions["gridwork.media"]
    if expire_pending:
        days = pending_days or current_app.config["PENDING_PHOTO_DAYS"]
        with _session() as session:
            expired = media_service.expire_pending(session, older_than=timedelta(days=days))
            session.commit()
        media_service.remove(store, expired.unreferenced)  # only after the rows are gone for good
        click.echo(
            f">> expired {len(expired.photos)} pending photos older than {days} days, "
            f"removed {len(expired.unreferenced)} files"
        )
    from server.services import job_status

    with _session() as session:
        report = media_service.check(
            session, store, fix_orphans=fix_orphans, min_age=timedelta(minutes=min_age_minutes)
        )
        stuck = job_status.stuck(
            session, stuck_after_minutes=int(current_app.config["JOBS_STUCK_MINUTES"]), task="photos.derive"
        )
    click.echo(
        f"{store.backend} storage: {report.stored} files under photos/, {report.referenced} referenced by the database"
    )
    for key, ids in report.missing.items():
        click.echo(f"missing: {key} (photo {', '.join(ids)})")
    for key in report.orphans:
        state = "removed" if key in report.removed else "too recent, kept" if key in report.too_recent else "orphan"
        click.echo(f"{state}: {key}")
    for job in stuck:  # no worker runs, or one keeps failing: these photos answer 202 meanwhile
        click.echo(
            f"stuck: derivatives job {job.id} of photo {job.args.get('photo_id')} {job.status} "
            f"since {job.since.isoformat()} (attempts {job.attempts})"
        )
    click.echo(
        f">> {len(report.missing)} missing, {len(report.orphans)} orphans, {len(report.removed)} removed, "
        f"{len(stuck)} stuck derivatives jobs"
    )
    sys.exit(0 if report.healthy and not stuck else 1)


# -- jobs -----------------------------------------------------------------------


@main.group()
def jobs():
    """Background jobs (procrastinate, in this database; decision 0017)."""


@jobs.command("worker")
@click.option("--concurrency", default=2, show_default=True, type=click.IntRange(min=1), help="Jobs at a time.")
@click.option("--until-empty", is_flag=True, help="Run the jobs waiting now, then exit (scripts, tests).")
@with_appcontext
def jobs_worker(concurrency, until_empty):
    """Run queued jobs until SIGTERM/Ctrl-C (`gridwork serve` starts one for you)."""
    from server.jobs import worker

    config = current_app.config
    worker.run(
        current_app._get_current_object(),
        _database_url(),
        concurrency=concurrency,
        heartbeat_seconds=float(config["JOBS_HEARTBEAT_SECONDS"]),
        stalled_seconds=float(config["JOBS_STALLED_SECONDS"]),
        wait=not until_empty,
    )


@jobs.command("ping")
@click.option("--seconds", default=0.0, type=float, help="How long the probe job sleeps.")
@with_appcontext
def jobs_ping(seconds):
    """Enqueue a probe job (its id is printed); a running worker finishes it."""
    from server.jobs.queue import defer

    with _session() as session:
        job_id = defer(session, "jobs.ping", seconds=seconds)
        session.commit()
    click.echo(f">> job {job_id} queued")


@jobs.command("status")
@with_appcontext
def jobs_status():
    """Jobs by task and state, and jobs waiting or running for over JOBS_STUCK_MINUTES. Exits 1 if any is stuck."""
    from server.services import job_status

    with _session() as session:
        report = job_status.report(session, stuck_after_minutes=int(current_app.config["JOBS_STUCK_MINUTES"]))
    for row in report.counts:
        click.echo(f"{row.task:<24} {row.status:<10} {row.count:>8}")
    for job in report.stuck:
        click.echo(
            f"stuck: job {job.id} {job.task} {job.status} since {job.since.isoformat()} (attempts {job.attempts})"
        )
    click.echo(f">> {len(report.stuck)} stuck jobs")
    sys.exit(1 if report.stuck else 0)


# -- targets --------------------------------------------------------------------


@main.group()
def targets():
    """Field-work targets."""


@targets.command("materialise")
@click.option(
    "--week",
    "weeks",
    multiple=True,
    help="ISO week, e.g. 2026-W49 (repeat; default: this and last week, and any week of the board's 12 not stored).",
)
@with_appcontext
def targets_materialise(weeks):
    """Count every grid's house and residence figures for the targets board (nightly; safe to re-run)."""
    import time

    from server.services import targets as target_service
    from server.services import tiers as tier_service

    started = time.perf_counter()
    today = tier_service.local_today(current_app.config["TIMEZONE"])
    with _session() as session:
        done = target_service.materialise(session, today, weeks=list(weeks) or None)
        session.commit()
    counted = ", ".join(f"{week}: {n:,} grids" for week, n in done.items())
    click.echo(f">> target counts {counted} in {time.perf_counter() - started:.1f} s; today is {today.isoformat()}")


# -- tiers ----------------------------------------------------------------------


@main.group()
def tiers():
    """Rental tiers and inspection schedules."""


@tiers.command("recompute")
@click.option(
    "--batch",
    default=2000,
    show_default=True,
    type=click.IntRange(min=1, max=50000),
    help="Houses (then units) evaluated per batch; each batch is committed.",
)
@click.option(
    "--processes",
    type=click.IntRange(min=1, max=64),
    help="Processes sharing the work, each a slice of the houses and units (default: "
    "TIERS_RECOMPUTE_PROCESSES, one per core up to 4; 1 shows a progress bar).",
)
@with_appcontext
def tiers_recompute(batch, processes):
    """Re-evaluate every house and unit and their due inspections (nightly; safe to re-run)."""
    import time

    from server.jobs import recompute as parallel
    from server.services import tiers as tier_service
    from server.store.db import get_db
    from server.store.models import House, Unit
    from server.store.queries import tiers as tier_q

    started = time.perf_counter()
    zone = current_app.config["TIMEZONE"]
    today = tier_service.local_today(zone)
    processes = processes or current_app.config["TIERS_RECOMPUTE_PROCESSES"]
    if processes > 1:
        url = get_db(current_app).engine.url.render_as_string(hide_password=False)
        counts = parallel.recompute(url, today, zone=zone, batch=batch, processes=processes)
    else:
        with _session() as session:
            total = tier_q.count(session, House) + tier_q.count(session, Unit)
            with click.progressbar(length=total, label="houses and units", show_pos=True) as bar:
                counts = tier_service.recompute(
                    session, today, zone=zone, batch=batch, progress=bar.update, after_batch=session.commit
                )
            session.commit()
    elapsed = time.perf_counter() - started
    click.echo(
        f">> evaluated {counts['houses']:,} houses and {counts['units']:,} units in {elapsed:.1f} s "
        f"({counts['changed']:,} tier changes); today is {today.isoformat()}"
    )
