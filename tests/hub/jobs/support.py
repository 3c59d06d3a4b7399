"""Apps whose jobs go through a real queue (not immediate mode), with Notify on."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from huey import Huey
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import create_app
from hub.settings import settings_of
from hub.unit_of_work import session
from routing.referrals.models import Referral
from routing.referrals.outbox import OutboxMessage, queue_message
from services.db import utcnow
from tests.routing.referrals.test_outbox import API_KEY, TEMPLATE, FakeNotify


def app_with_queue(app: Flask, notify: FakeNotify, **changes: Any) -> Flask:
    """A second app on the same database with Notify pointed at the stand-in and jobs
    on a real queue (``changes`` say which)."""
    return create_app(settings_of(app).replace(
        notify_api_key=API_KEY, notify_api_url=notify.url,
        notify_templates={"default": TEMPLATE}, public_base_url="https://hub.example.test",
        **({"jobs_immediate": False} | changes)))


def add_message_route(app: Flask) -> None:
    """A view that queues one message about the first referral, as a reminder does."""

    def remind() -> str:
        referral = session().execute(select(Referral).order_by(Referral.id)).scalars().first()
        assert referral is not None
        queue_message(session(), "team@provider.test", "referral_reminder", referral, utcnow())
        return "queued"

    app.add_url_rule("/_test/remind", "remind", remind)


def messages(db: Session) -> list[OutboxMessage]:
    db.rollback()  # what the worker committed
    return list(db.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


@contextmanager
def running_worker(huey: Huey) -> Iterator[None]:
    """A real Huey consumer (one worker thread, no schedule) until the block ends."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM,
                                                       signal.SIGHUP)}
    consumer = huey.create_consumer(workers=1, periodic=False, initial_delay=0.05,
                                    max_delay=0.2)
    consumer.start()
    try:
        yield
    finally:
        consumer.stop(graceful=True)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def wait_for(condition: Callable[[], bool], seconds: float = 20) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass (a worker is another thread)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()
