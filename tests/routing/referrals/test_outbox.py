"""Delivery through GOV.UK Notify, against a stand-in Notify API on localhost.

The real notifications-python-client makes the HTTP calls, so these tests check
what actually goes over the wire: the signed token, the template and the
personalisation, which must never carry a name.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import jwt
import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy.orm import Session

from hub import create_app
from hub.settings import settings_of
from routing.referrals.outbox import MAX_ATTEMPTS, NotifySettings, OutboxMessage, deliver_pending
from services.db import utcnow
from tests.factories import Cast, login
from tests.local_http import JsonHandler, serving

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"family_hub_test-{SERVICE_ID}-{SECRET}"
TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"


@dataclass
class FakeNotify:
    """Answers POST /v2/notifications/email with the next queued status (201 by default)."""

    url: str = ""
    statuses: list[int] = field(default_factory=list)
    received: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)


@pytest.fixture
def notify() -> Iterator[FakeNotify]:
    fake = FakeNotify()

    class Handler(JsonHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            fake.received.append((dict(self.headers), body))
            status = fake.statuses.pop(0) if fake.statuses else 201
            self.reply_json(status, {"id": "740e5834-3a29-46b4-9a6f-16142fde533a"}
                            if status == 201 else
                            {"status_code": status, "errors": [{"error": "BadRequestError"}]})

    with serving(Handler) as url:
        fake.url = url
        yield fake


def settings(notify: FakeNotify, **templates: str) -> NotifySettings:
    return NotifySettings(API_KEY, templates or {"default": TEMPLATE},
                          "https://hub.example.test/", notify.url)


def queue(db: Session, template: str = "referral_sent", reference: str = "FH-7Q4K2") -> int:
    message = OutboxMessage(created_at=utcnow(), recipient="team@provider.test",
                            template=template, reference=reference,
                            service_name="Castle Hill Wellbeing", link_path="/referrals/12")
    db.add(message)
    db.flush()
    return message.id


def test_it_sends_the_reference_service_and_link_signed_with_the_key(
    db: Session, notify: FakeNotify
) -> None:
    message_id = queue(db)
    now = datetime(2026, 11, 28, 9, 30)
    assert deliver_pending(db, settings(notify), now) == 1
    ((headers, body),) = notify.received
    token = headers["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["iss"] == SERVICE_ID
    assert body == {
        "email_address": "team@provider.test",
        "template_id": TEMPLATE,
        "personalisation": {"reference": "FH-7Q4K2", "service_name": "Castle Hill Wellbeing",
                            "link": "https://hub.example.test/referrals/12"},
        "reference": "FH-7Q4K2",
    }
    message = db.get(OutboxMessage, message_id)
    assert message is not None
    assert (message.sent_at, message.attempts, message.error) == (now, 1, "")
    assert deliver_pending(db, settings(notify), now) == 0  # never sent twice
    assert len(notify.received) == 1


def test_it_a_message_kind_uses_its_own_template_before_the_default(
    db: Session, notify: FakeNotify
) -> None:
    queue(db, template="referral_declined")
    deliver_pending(db, settings(notify, referral_declined="decl-id", default="other"), utcnow())
    assert notify.received[0][1]["template_id"] == "decl-id"


def test_it_retries_when_notify_is_down_then_gives_up(db: Session, notify: FakeNotify) -> None:
    message_id = queue(db)
    notify.statuses = [500] * MAX_ATTEMPTS
    for _ in range(MAX_ATTEMPTS + 2):
        assert deliver_pending(db, settings(notify), utcnow()) == 0
    message = db.get(OutboxMessage, message_id)
    assert message is not None
    assert len(notify.received) == MAX_ATTEMPTS
    assert (message.sent_at, message.attempts) == (None, MAX_ATTEMPTS)
    assert message.error == "Notify unavailable (500)"


def test_it_a_retry_after_an_outage_sends_it(db: Session, notify: FakeNotify) -> None:
    message_id = queue(db)
    notify.statuses = [503]
    assert deliver_pending(db, settings(notify), utcnow()) == 0
    assert deliver_pending(db, settings(notify), utcnow()) == 1
    message = db.get(OutboxMessage, message_id)
    assert message is not None and message.sent_at is not None
    assert (message.attempts, message.error) == (2, "")


def test_it_a_request_sends_only_new_messages_and_leaves_retries_to_the_timer(
    db: Session, notify: FakeNotify
) -> None:
    failed = queue(db, reference="FH-OLD01")
    notify.statuses = [500]
    deliver_pending(db, settings(notify), utcnow())
    fresh = queue(db, reference="FH-NEW01")
    assert deliver_pending(db, settings(notify), utcnow(), retry=False) == 1
    assert [body["reference"] for _, body in notify.received] == ["FH-OLD01", "FH-NEW01"]
    old = db.get(OutboxMessage, failed)
    assert old is not None and (old.attempts, old.sent_at) == (1, None)
    assert deliver_pending(db, settings(notify), utcnow()) == 1  # the timer's retry
    assert db.get(OutboxMessage, fresh) is not None


def test_it_a_refused_message_is_not_retried(db: Session, notify: FakeNotify) -> None:
    message_id = queue(db)
    notify.statuses = [400]
    deliver_pending(db, settings(notify), utcnow())
    deliver_pending(db, settings(notify), utcnow())
    message = db.get(OutboxMessage, message_id)
    assert message is not None
    assert len(notify.received) == 1
    assert message.error == "Notify refused it (400)"


def test_it_a_missing_template_is_reported_without_calling_notify(
    db: Session, notify: FakeNotify
) -> None:
    message_id = queue(db)
    deliver_pending(db, settings(notify, referral_declined="decl-id"), utcnow())
    message = db.get(OutboxMessage, message_id)
    assert message is not None
    assert notify.received == []
    assert message.error == "No Notify template id for referral_sent"
    assert message.attempts == MAX_ATTEMPTS


def test_it_an_unreachable_notify_is_recorded_and_logged_without_the_address(
    db: Session, caplog: pytest.LogCaptureFixture
) -> None:
    message_id = queue(db)
    closed = NotifySettings(API_KEY, {"default": TEMPLATE}, "https://hub.example.test",
                            "http://127.0.0.1:9")
    assert deliver_pending(db, closed, utcnow()) == 0
    message = db.get(OutboxMessage, message_id)
    assert message is not None and message.attempts == 1
    assert message.error.startswith("Notify unavailable") or message.error.startswith(
        "Could not reach Notify")
    assert "team@provider.test" not in caplog.text
    assert f"outbox message {message_id}" in caplog.text


def test_it_the_send_command_delivers_the_queue_and_the_outbox_shows_it(
    app: Flask, db: Session, cast: Cast, notify: FakeNotify
) -> None:
    queue(db, reference="FH-AAAA1")
    queue(db, reference="FH-BBBB2")
    db.commit()
    notify.statuses = [201, 500]
    with_notify = create_app(settings_of(app).replace(
        notify_api_key=API_KEY, notify_api_url=notify.url,
        notify_templates={"default": TEMPLATE}, public_base_url="https://hub.example.test"))
    with with_notify.app_context():
        result: Result = with_notify.test_cli_runner().invoke(args=["notify", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 messages; 1 not sent" in result.output
    client = with_notify.test_client()
    login(client, cast.coordinator)
    page = client.get("/notifications/outbox").get_data(as_text=True)
    assert "Not sent: Notify unavailable (500). Will try again" in page
    assert page.count("Outbox only") == 0


def test_it_the_send_command_says_when_notify_is_not_set_up(app: Flask) -> None:
    assert not settings_of(app).notify_api_key
    result = app.test_cli_runner().invoke(args=["notify", "send"])
    assert result.exit_code != 0
    assert "NOTIFY_API_KEY is not set" in result.output


def _text_message(db: Session, template: str = "progress_link") -> int:
    message = OutboxMessage(created_at=utcnow(), recipient="07700900982", channel="sms",
                            template=template, reference="",
                            service_name="Castle Hill Primary School",
                            link_path="/progress/secret-token")
    db.add(message)
    db.flush()
    return message.id


def test_it_sends_a_text_message_with_its_own_template_and_forgets_the_link(
    db: Session, notify: FakeNotify
) -> None:
    message_id = _text_message(db)
    deliver_pending(db, settings(notify, default="email-id", progress_link_sms="sms-id"),
                    utcnow())
    ((_, body),) = notify.received
    assert body == {
        "phone_number": "07700900982",
        "template_id": "sms-id",
        "personalisation": {"reference": "", "service_name": "Castle Hill Primary School",
                            "link": "https://hub.example.test/progress/secret-token"},
    }
    message = db.get(OutboxMessage, message_id)
    assert message is not None and message.sent_at is not None
    assert message.link_path == ""


def test_it_a_text_message_uses_the_text_default_never_the_email_one(
    db: Session, notify: FakeNotify
) -> None:
    _text_message(db, template="referral_sent")
    deliver_pending(db, settings(notify, default="email-id", default_sms="sms-default"),
                    utcnow())
    assert notify.received[0][1]["template_id"] == "sms-default"
    missing = _text_message(db)
    deliver_pending(db, settings(notify, default="email-id"), utcnow())
    assert len(notify.received) == 1
    message = db.get(OutboxMessage, missing)
    assert message is not None
    assert message.error == "No Notify template id for progress_link_sms"
    assert message.link_path == ""  # given up: the secret link is not kept


def test_it_a_refused_family_link_is_not_kept(db: Session, notify: FakeNotify) -> None:
    message_id = _text_message(db)
    notify.statuses = [400]
    deliver_pending(db, settings(notify, default_sms="sms-id"), utcnow())
    message = db.get(OutboxMessage, message_id)
    assert message is not None and message.sent_at is None
    assert (message.error, message.link_path) == ("Notify refused it (400)", "")
