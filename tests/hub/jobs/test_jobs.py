"""Background jobs: requests only enqueue; the queue's jobs send, retry, chase, sync."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.jobs.queue import jobs_of
from hub.settings import ConfigError, FeedSync, Settings, settings_of
from routing.referrals.audit import AuditEvent
from routing.referrals.models import ReferralEvent
from routing.referrals.operations import request_information
from routing.referrals.outbox import OutboxMessage
from services.listings import Service
from tests.clock import MovableClock
from tests.factories import Cast, make_service
from tests.hub.jobs.support import (
    add_message_route,
    app_with_queue,
    messages,
    running_worker,
    wait_for,
)
from tests.hub.oruk.test_feed_import import oruk1
from tests.routing.referrals.helpers import actor, sent_referral
from tests.routing.referrals.test_outbox import FakeNotify


def _referral_with_address(db: Session, cast: Cast, now: datetime | None = None) -> Service:
    service = make_service(db, cast.provider)
    service.contact_email = "team@provider.test"
    sent_referral(db, cast, service, now=now)
    db.commit()
    return service


def test_it_a_request_only_enqueues_its_messages_and_a_worker_sends_them(
    app: Flask, db: Session, cast: Cast, notify: FakeNotify, tmp_path: Path
) -> None:
    _referral_with_address(db, cast)
    queued = app_with_queue(app, notify, jobs_sqlite_path=str(tmp_path / "jobs.db"))
    add_message_route(queued)
    huey = jobs_of(queued).huey
    assert queued.test_client().get("/_test/remind").status_code == 200
    assert notify.received == []  # the request sent nothing
    assert huey.pending_count() == 1
    with running_worker(huey):
        assert wait_for(lambda: len(notify.received) == 2)  # the referral's and the reminder
    assert huey.pending_count() == 0
    assert all(message.sent_at is not None for message in messages(db))


def test_it_a_broker_outage_never_fails_the_request_and_the_retry_job_sends_later(
    app: Flask, db: Session, cast: Cast, notify: FakeNotify
) -> None:
    _referral_with_address(db, cast)
    down = app_with_queue(app, notify, redis_url="redis://127.0.0.1:9/3")
    add_message_route(down)
    assert down.test_client().get("/_test/remind").status_code == 200
    assert [message.sent_at for message in messages(db)] == [None, None]
    later = app_with_queue(app, notify, jobs_immediate=True)
    with later.app_context():
        assert jobs_of(later).task("retry_messages").call_local() == 2
    assert all(message.sent_at is not None for message in messages(db))


def test_it_retries_a_failed_message_on_schedule_not_in_the_request(
    app: Flask, db: Session, cast: Cast, notify: FakeNotify
) -> None:
    _referral_with_address(db, cast)
    immediate = app_with_queue(app, notify, jobs_immediate=True)
    add_message_route(immediate)
    notify.statuses = [500, 500]
    immediate.test_client().get("/_test/remind")
    assert [(m.attempts, m.sent_at) for m in messages(db)] == [(1, None), (1, None)]
    immediate.test_client().get("/_test/remind")  # a new message: only it is tried
    assert [m.attempts for m in messages(db)] == [1, 1, 1]
    with immediate.app_context():
        assert jobs_of(immediate).task("retry_messages").call_local() == 2
    assert all(m.sent_at is not None for m in messages(db))


def test_it_reminds_providers_each_working_day_and_escalates_once(
    app: Flask, db: Session, cast: Cast, clock: MovableClock
) -> None:
    monday = datetime(2026, 11, 2, 9, 0)
    _referral_with_address(db, cast, now=monday)
    jobs = jobs_of(app)

    def chase(at: datetime) -> tuple[int, int]:
        clock.set(at)
        result: tuple[int, int, int] = jobs.task("chase_referrals").call_local()
        return result[:2]

    assert chase(monday + timedelta(days=3)) == (0, 0)  # not yet 5 working days
    assert chase(monday + timedelta(days=7)) == (1, 0)  # Monday after: 5 working days
    assert chase(monday + timedelta(days=7, hours=2)) == (0, 0)  # once a day
    assert chase(monday + timedelta(days=12)) == (0, 0)  # a Saturday: not a working day
    assert chase(monday + timedelta(days=14)) == (1, 1)  # 10 working days: escalated
    assert chase(monday + timedelta(days=15)) == (1, 0)  # escalated once only
    db.rollback()
    reminders = db.execute(select(ReferralEvent).where(ReferralEvent.is_reminder)).scalars()
    assert [event.reason.startswith("Reminder sent to the provider: Automatic reminder: ")
            for event in reminders] == [True] * 3
    escalated = db.execute(select(AuditEvent).where(
        AuditEvent.action == "referral_escalated")).scalars().all()
    assert len(escalated) == 1 and escalated[0].actor_id is None
    to_coordinator = db.execute(select(OutboxMessage).where(
        OutboxMessage.template == "referral_escalated")).scalars().all()
    assert [m.recipient for m in to_coordinator] == [cast.coordinator.email]


def test_it_imports_each_configured_feed_on_schedule(
    app: Flask, db: Session, cast: Cast, council: tuple[str, type]
) -> None:
    url, handler = council
    handler.records = [oruk1("c1", "Triple P for parents"), oruk1("c2", "Incredible Years")]
    feeds = app_with_queue(app, FakeNotify(), jobs_immediate=True,
                           oruk_sync_feeds=(FeedSync(url, "Feed Council"),))
    with feeds.app_context():
        assert jobs_of(feeds).task("sync_feeds").call_local() == 1
    db.rollback()
    names = set(db.execute(select(Service.name)).scalars())
    assert {"Triple P for parents", "Incredible Years"} <= names


def test_it_the_nightly_job_runs_the_retention_purge(
    app: Flask, db: Session, clock: MovableClock
) -> None:
    from services.accounts.models import LoginAttempt

    clock.set(datetime(2026, 11, 30, 2, 30))
    db.add_all([LoginAttempt(email_hash="a" * 64, remote_addr="192.0.2.1",
                             at=datetime(2026, 8, 1)),  # past the 90 days
                LoginAttempt(email_hash="b" * 64, remote_addr="192.0.2.2",
                             at=datetime(2026, 11, 1))])
    db.commit()
    described = jobs_of(app).task("retention_purge").call_local()
    assert "login attempts 1" in described
    db.expire_all()
    assert db.execute(select(LoginAttempt.remote_addr)).scalars().all() == ["192.0.2.2"]


def test_it_prints_what_runs_when(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["jobs", "schedule"])
    assert result.exit_code == 0, result.output
    assert "retry_messages   every 10 minutes" in result.output
    assert "chase_referrals  08:00 on working days" in result.output
    assert "sync_feeds       03:00 daily" in result.output


def test_it_refuses_to_run_a_worker_in_immediate_mode(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["jobs", "worker"])
    assert result.exit_code != 0
    assert "JOBS_IMMEDIATE is set" in result.output


def test_it_reads_the_feeds_and_hours_and_refuses_bad_ones(app: Flask) -> None:
    base = {"SECRET_KEY": "x", "PUBLIC_BASE_URL": "https://familyhub.example.org"}
    read = Settings.from_environment(base | {
        "ORUK_SYNC_FEEDS": '["https://a.example/api", {"url": "https://b.example/api", '
                           '"source_name": "B", "mapping": "/etc/b.json"}]',
        "REFERRAL_CHASE_HOUR": "7"})
    assert read.oruk_sync_feeds == (FeedSync("https://a.example/api"),
                                    FeedSync("https://b.example/api", "B", "/etc/b.json"))
    assert read.referral_chase_hour == 7
    with pytest.raises(ConfigError, match="ORUK_SYNC_FEEDS"):
        Settings.from_environment(base | {"ORUK_SYNC_FEEDS": '["file:///etc/passwd"]'})
    with pytest.raises(ConfigError, match="ORUK_SYNC_HOUR must be from 0 to 23"):
        Settings.from_environment(base | {"ORUK_SYNC_HOUR": "24"})
    assert settings_of(app).jobs_immediate


def test_it_reminds_the_school_of_an_unanswered_question_once_a_day(
    app: Flask, db: Session, cast: Cast, clock: MovableClock
) -> None:
    monday = datetime(2026, 11, 2, 9, 0)
    service = make_service(db, cast.provider)
    referral = sent_referral(db, cast, service, opened=True, now=monday)
    request_information(db, referral, actor(cast.manager), monday, "Which days suit?")
    db.commit()
    jobs = jobs_of(app)

    def chase(at: datetime) -> int:
        clock.set(at)
        result: tuple[int, int, int] = jobs.task("chase_referrals").call_local()
        return result[2]

    assert chase(monday + timedelta(days=1)) == 0  # within 3 working days
    assert chase(monday + timedelta(days=3)) == 1
    assert chase(monday + timedelta(days=3, hours=3)) == 0  # once a day
    assert chase(monday + timedelta(days=4)) == 1
    db.rollback()
    to_school = db.execute(select(OutboxMessage.recipient).where(
        OutboxMessage.template == "question_reminder")).scalars().all()
    assert to_school == [cast.staff.email, cast.staff.email]


def test_it_the_scheduled_job_tells_the_coordinator_of_late_safeguarding_items_once(
    app: Flask, db: Session, cast: Cast, clock: MovableClock
) -> None:
    from tests.routing.safeguarding.test_overdue import FRIDAY, _item

    late = _item(db, cast, FRIDAY)
    db.commit()
    jobs = jobs_of(app)
    clock.set(FRIDAY + timedelta(days=2))  # Sunday: not a working day later yet
    assert jobs.task("escalate_safeguarding").call_local() == []
    clock.set(FRIDAY + timedelta(days=4))  # Tuesday
    assert jobs.task("escalate_safeguarding").call_local() == [late.reference]
    assert jobs.task("escalate_safeguarding").call_local() == []  # once only
