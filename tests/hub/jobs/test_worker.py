"""A real worker consuming jobs through Redis, as in production.

Uses database 3 of ``TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/3``) under a
queue name of its own, removed afterwards; skips, saying why, when Redis is not
reachable.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis
from flask import Flask
from sqlalchemy.orm import Session

from hub.jobs.queue import jobs_of
from tests.factories import Cast, make_service
from tests.hub.jobs.support import (
    add_message_route,
    app_with_queue,
    messages,
    running_worker,
    wait_for,
)
from tests.routing.referrals.helpers import sent_referral
from tests.routing.referrals.test_outbox import FakeNotify

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


@pytest.fixture
def redis_url() -> Iterator[str]:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({error}); set TEST_REDIS_URL")
    yield REDIS_URL


def test_it_a_worker_on_redis_sends_what_a_request_enqueued(
    app: Flask, db: Session, cast: Cast, notify: FakeNotify, redis_url: str
) -> None:
    service = make_service(db, cast.provider)
    service.contact_email = "team@provider.test"
    sent_referral(db, cast, service)
    db.commit()
    queued = app_with_queue(app, notify, redis_url=redis_url,
                            jobs_queue_name=f"family-hub-test-{uuid.uuid4().hex}")
    add_message_route(queued)
    huey = jobs_of(queued).huey
    try:
        assert queued.test_client().get("/_test/remind").status_code == 200
        assert notify.received == []
        assert huey.pending_count() == 1  # in Redis, waiting for a worker
        with running_worker(huey):
            assert wait_for(lambda: len(notify.received) == 2)
        assert huey.pending_count() == 0
        assert [m.attempts for m in messages(db)] == [1, 1]
        assert all(m.sent_at is not None for m in messages(db))
    finally:
        huey.storage.flush_all()
