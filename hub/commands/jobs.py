"""``flask jobs worker``, ``flask jobs schedule`` and ``flask jobs run NAME``."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import AppGroup

from hub.jobs.queue import jobs_of
from hub.jobs.schedule import SCHEDULE
from hub.settings import current_settings

jobs_cli = AppGroup("jobs", help="Background jobs: the worker and the schedule.")


@jobs_cli.command("worker")
@click.option("--workers", type=click.IntRange(1, 64),
              help="Jobs run at once (threads). Default: JOBS_WORKERS.")
@click.option("--periodic/--no-periodic", default=True, show_default=True,
              help="Also run the schedule (run it in exactly one worker process).")
def worker_command(workers: int | None, periodic: bool) -> None:
    """Consume the job queue (and run the schedule) until stopped with Ctrl+C or SIGTERM."""
    settings = current_settings()
    if settings.jobs_immediate:
        raise click.ClickException("JOBS_IMMEDIATE is set: jobs run where they are "
                                   "enqueued, and there is no queue to consume.")
    broker = "Redis" if settings.redis_url else f"SQLite file {settings.jobs_sqlite_path}"
    click.echo(f"Job worker on {broker}, {workers or settings.jobs_workers} at a time"
               + ("; schedule on" if periodic else "; schedule off"))
    # The consumer logs each job it runs (names and ids only; jobs carry no personal data).
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    consumer = jobs_of(current_app).huey.create_consumer(
        workers=workers or settings.jobs_workers, worker_type="thread", periodic=periodic,
        # The schedule's worker is the one to start first: it clears a lock a crashed
        # worker left behind (Huey's SQLite storage cannot expire one).
        check_worker_health=True, flush_locks=periodic)
    consumer.run()


@jobs_cli.command("schedule")
def schedule_command() -> None:
    """Print what runs when (UTC)."""
    settings = current_settings()
    for job in SCHEDULE:
        click.echo(f"{job.name:<16} {job.when(settings)}")


@jobs_cli.command("run")
@click.argument("name", type=click.Choice([job.name for job in SCHEDULE]))
def run_command(name: str) -> None:
    """Run one scheduled job now, in this process (the worker need not be running)."""
    result = jobs_of(current_app).task(name).call_local()
    click.echo(f"{name}: {result}")
