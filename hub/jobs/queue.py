"""Each app's job queue: Huey, with Redis as the broker in production (``REDIS_URL``)
and an SQLite file otherwise, so the demo needs nothing but Python.

Jobs are registered on the app's own queue (no module-level queue), each wrapped
to run inside an app context of its own. ``JOBS_IMMEDIATE`` runs a job at once,
inside whatever enqueued it (the tests).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.api import TaskWrapper

from hub.jobs import work
from hub.jobs.schedule import SCHEDULE
from hub.settings import FeedSync, Settings, settings_of

log = logging.getLogger(__name__)
_EXTENSION_KEY = "family_hub.jobs"
# One delivery run at a time across every worker, so no message is sent twice.
OUTBOX_LOCK = "outbox"


class Jobs:
    """An app's queue and its jobs, built on first use (an app that never enqueues,
    such as a command's, opens no Redis connection and creates no file)."""

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._lock = threading.Lock()
        self._huey: Huey | None = None
        self._tasks: dict[str, TaskWrapper] = {}

    @property
    def huey(self) -> Huey:
        """The Huey instance, with every job registered."""
        with self._lock:
            if self._huey is None:
                self._huey = self._build(settings_of(self._app))
            return self._huey

    def task(self, name: str) -> TaskWrapper:
        """A registered job by name (``deliver_messages``, ``sync_feed`` or a scheduled one)."""
        self.huey  # noqa: B018  (builds the queue and its tasks)
        return self._tasks[name]

    def enqueue_delivery(self) -> None:
        """Ask a worker to send the messages just committed. Never raises: when the
        broker is down the messages wait in the outbox for ``retry_messages``."""
        try:
            self.task("deliver_messages")()
        except Exception:  # the request has committed; a broker outage must not fail it
            log.exception("Could not enqueue message delivery; the retry job will send them")

    def _build(self, settings: Settings) -> Huey:
        huey = _huey(settings)
        in_app = self._in_app
        outbox = lambda body: _locked(huey, OUTBOX_LOCK, body)  # noqa: E731
        self._tasks["deliver_messages"] = huey.task(
            name="deliver_messages", retries=3, retry_delay=20)(
            in_app(outbox(work.deliver_new_messages)))
        self._tasks["sync_feed"] = huey.task(name="sync_feed", retries=2, retry_delay=900)(
            in_app(lambda url, name, mapping, agree: work.sync_feed(
                FeedSync(url, name, mapping, agree))))
        sync_feed = self._tasks["sync_feed"]

        def sync_feeds() -> int:
            for feed in settings.oruk_sync_feeds:
                sync_feed(feed.url, feed.source_name, feed.mapping, feed.agree_hubs)
            return len(settings.oruk_sync_feeds)

        bodies: dict[str, Callable[[], Any]] = {
            "retry_messages": outbox(work.retry_messages),
            "chase_referrals": work.chase_referrals,
            "escalate_safeguarding": outbox(work.escalate_safeguarding),
            "retention_purge": work.retention_purge,
            "sync_feeds": sync_feeds,
        }
        for job in SCHEDULE:
            self._tasks[job.name] = huey.periodic_task(job.crontab(settings), name=job.name)(
                in_app(bodies[job.name]))
        return huey

    def _in_app(self, body: Callable[..., Any]) -> Callable[..., Any]:
        app = self._app

        def run(*args: Any) -> Any:
            with app.app_context():
                return body(*args)

        return run


def _locked(huey: Huey, name: str, body: Callable[[], Any]) -> Callable[[], Any]:
    def run() -> Any:
        # Raises TaskLockedException while another run holds it: Huey retries the job.
        with huey.lock_task(name):
            return body()

    return run


def _huey(settings: Settings) -> Huey:
    name = settings.jobs_queue_name
    # Results are not kept: jobs record what they did in the database and the log.
    if settings.jobs_immediate:
        return MemoryHuey(name, results=False, immediate=True)
    if settings.redis_url:
        return RedisHuey(name, url=settings.redis_url, results=False)
    Path(settings.jobs_sqlite_path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=settings.jobs_sqlite_path, results=False)


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION_KEY] = Jobs(app)


def jobs_of(app: Flask) -> Jobs:
    """The app's jobs."""
    found: Jobs = app.extensions[_EXTENSION_KEY]
    return found
