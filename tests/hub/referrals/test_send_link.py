"""Sending the family's progress link to a parent or carer, by email or text message
through the stand-in Notify API, and telling the school's lead when a leaver's links stop."""

from __future__ import annotations

import logging
import re
import secrets
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import create_app
from hub.settings import settings_of
from routing.referrals import progress
from routing.referrals.audit import AuditEvent
from routing.referrals.models import Referral
from routing.referrals.outbox import OutboxMessage
from services.accounts.models import Role, User
from services.db import utcnow
from tests.factories import Cast, login, make_service, make_user
from tests.hub.jobs.support import messages
from tests.routing.referrals.helpers import issue_link, sent_referral
from tests.routing.referrals.test_outbox import API_KEY, FakeNotify, notify  # noqa: F401

EMAIL_TEMPLATE = "5c1a3b6e-0d4f-4a55-9a31-0c2f6c1f4a10"
SMS_TEMPLATE = "9e2b7d41-6f0a-4c3e-8d2b-3a7c5e9f1b22"


def _notify_app(app: Flask, notify: FakeNotify) -> Flask:  # noqa: F811
    return create_app(settings_of(app).replace(
        notify_api_key=API_KEY, notify_api_url=notify.url, jobs_immediate=True,
        notify_templates={"default": EMAIL_TEMPLATE, "progress_link_sms": SMS_TEMPLATE},
        public_base_url="https://hub.example.test"))


def _link_page(client: FlaskClient, referral: Referral) -> tuple[str, str]:
    """Make a link from the child's page; the page and the link's token."""
    page = client.post(f"/referrals/children/{referral.child_id}/progress-link", data={
        "issue_key": secrets.token_urlsafe(24), "referrals": str(referral.id)},
    ).get_data(as_text=True)
    found = re.search(r'name="token" value="([^"]+)"', page)
    assert found is not None, page
    return page, found.group(1)


def _send_url(db: Session, referral: Referral) -> str:
    (link,) = progress.active_links(db, referral.child_id)
    return f"/referrals/children/{referral.child_id}/progress-link/{link.link.id}/send"


@pytest.fixture
def referral(db: Session, cast: Cast) -> Referral:
    made = sent_referral(db, cast, make_service(db, cast.provider, name="Calm Minds"))
    db.commit()
    return made


@pytest.mark.parametrize(("channel", "field", "typed", "to_key", "to", "template"), [
    ("sms", "mobile", "+44 (0)7700 900-982", "phone_number", "07700900982", SMS_TEMPLATE),
    ("email", "email", "Parent@Example.com", "email_address", "Parent@example.com",
     EMAIL_TEMPLATE),
])
def test_it_sends_the_link_and_the_school_only_by_text_or_email(
    app: Flask, db: Session, cast: Cast, notify: FakeNotify, referral: Referral,  # noqa: F811
    caplog: pytest.LogCaptureFixture, channel: str, field: str, typed: str, to_key: str,
    to: str, template: str,
) -> None:
    sending = _notify_app(app, notify)
    client = sending.test_client()
    login(client, cast.staff)
    page, token = _link_page(client, referral)
    assert "Send the link to the parent or carer" in page
    with caplog.at_level(logging.DEBUG):
        response = client.post(_send_url(db, referral), data={"send_key": secrets.token_urlsafe(24),
            "token": token, "channel": channel, field: typed, "agreed": "yes"})
    assert response.status_code == 302
    told = client.get(response.location).get_data(as_text=True)
    assert "The progress link is on its way to the parent or carer by" in told
    ((_, body),) = notify.received
    assert body[to_key] == to
    assert body["template_id"] == template
    assert body["personalisation"]["link"] == f"https://hub.example.test/progress/{token}"
    assert body["personalisation"]["service_name"] == cast.school.name
    child = referral.child
    sent = str(body)
    assert child.first_name not in sent and child.last_name not in sent
    assert "Calm Minds" not in sent and referral.reference not in sent
    assert to not in caplog.text and typed not in caplog.text
    (message,) = messages(db)
    # Delivered: the secret link is not kept; the address waits for the retention purge.
    assert (message.channel, message.link_path, message.sent_at is not None) == (
        channel, "", True)
    (event,) = db.execute(select(AuditEvent).where(
        AuditEvent.action == "progress_link_sent")).scalars()
    expected = "text message" if channel == "sms" else "email"
    assert (event.actor_id, event.detail) == (
        cast.staff.id, f"by {expected}, to an address typed on the form")
    assert to not in str(vars(event)) and typed not in str(vars(event))
    outbox = sending.test_client()
    login(outbox, cast.coordinator)
    listed = outbox.get("/notifications/outbox").get_data(as_text=True)
    assert "A parent or carer (not shown)" in listed and to not in listed
    assert token not in listed


def test_it_needs_the_agreement_and_keeps_what_was_typed(
    app: Flask, db: Session, cast: Cast, referral: Referral
) -> None:
    client = app.test_client()
    login(client, cast.staff)
    _, token = _link_page(client, referral)
    response = client.post(_send_url(db, referral), data={"send_key": secrets.token_urlsafe(24),
        "token": token, "channel": "sms", "mobile": "07700 900982"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="agreed-error"' in page
    assert "Confirm the parent or carer has agreed to receive the link" in page
    assert 'value="07700 900982"' in page
    assert re.search(r'id="channel-sms"[^>]*checked', page)
    assert f'value="{token}"' in page  # the link is still there to send or copy
    assert db.execute(select(OutboxMessage)).first() is None


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"channel": "sms", "mobile": "0161 496 0000"}, "mobile", "Enter a UK mobile number"),
    ({"channel": "sms", "mobile": "+1 202 555 0143"}, "mobile", "Enter a UK mobile number"),
    ({"channel": "sms", "mobile": ""}, "mobile", "Enter the parent or carer&#39;s mobile"),
    ({"channel": "email", "email": "parent@"}, "email", "Enter an email address in the"),
    ({"channel": "", "email": "parent@example.com"}, "channel", "Choose email or text"),
])
def test_it_refuses_a_bad_number_or_address_beside_the_field(
    app: Flask, db: Session, cast: Cast, referral: Referral, data: dict[str, Any], field: str,
    message: str,
) -> None:
    client = app.test_client()
    login(client, cast.staff)
    _, token = _link_page(client, referral)
    response = client.post(_send_url(db, referral), data={
        "send_key": secrets.token_urlsafe(24), "token": token, "agreed": "yes", **data})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in page and message in page
    for typed in data.values():
        assert typed == "" or f'value="{typed}"' in page
    assert db.execute(select(OutboxMessage)).first() is None


def test_it_sends_nothing_with_a_wrong_token_and_does_not_show_it(
    app: Flask, db: Session, cast: Cast, referral: Referral
) -> None:
    client = app.test_client()
    login(client, cast.staff)
    _link_page(client, referral)
    guess = secrets.token_urlsafe(32)
    response = client.post(_send_url(db, referral), data={"send_key": secrets.token_urlsafe(24),
        "token": guess, "channel": "sms", "mobile": "07700900982", "agreed": "yes"})
    assert response.status_code == 400
    assert "This link no longer works" in response.get_data(as_text=True)
    assert guess not in response.get_data(as_text=True)
    assert db.execute(select(OutboxMessage)).first() is None


def test_it_lets_only_who_made_the_link_send_it(
    app: Flask, db: Session, cast: Cast, referral: Referral
) -> None:
    _, token = issue_link(db, referral.child_id, cast.staff)
    db.commit()
    client = app.test_client()
    login(client, cast.dsl)
    response = client.post(_send_url(db, referral), data={"send_key": secrets.token_urlsafe(24),
        "token": token, "channel": "sms", "mobile": "07700900982", "agreed": "yes"})
    assert response.status_code == 404
    assert client.post(f"/referrals/children/{referral.child_id}/progress-link/"
                       f"{10**30}/send").status_code == 404


def _deactivate(app: Flask, cast: Cast, user: User) -> str:
    client = app.test_client()
    login(client, cast.coordinator)
    response = client.post(f"/admin/users/{user.id}/deactivate")
    return client.get(response.location).get_data(as_text=True)


def test_it_tells_the_schools_lead_when_a_leavers_links_stop(
    app: Flask, db: Session, cast: Cast, referral: Referral
) -> None:
    issue_link(db, referral.child_id, cast.staff)
    db.commit()
    page = _deactivate(app, cast, cast.staff)
    assert "The school&#39;s safeguarding lead has been told." in page
    (message,) = messages(db)
    assert (message.recipient, message.template) == (cast.dsl.email,
                                                     "progress_links_stopped")
    assert message.reference == referral.reference
    assert message.link_path == f"/referrals/children/{referral.child_id}"
    child = referral.child
    assert child.first_name not in message.service_name
    assert child.last_name not in message.service_name


def test_it_tells_the_coordinator_when_the_school_has_no_lead(
    app: Flask, db: Session, cast: Cast, referral: Referral
) -> None:
    cast.dsl.active = False
    issue_link(db, referral.child_id, cast.staff)
    db.commit()
    _deactivate(app, cast, cast.staff)
    assert [m.recipient for m in messages(db)] == [cast.coordinator.email]


def test_it_tells_nobody_when_a_leaver_made_no_links(
    app: Flask, db: Session, cast: Cast, referral: Referral
) -> None:
    page = _deactivate(app, cast, cast.staff)
    assert "safeguarding lead has been told" not in page
    assert messages(db) == []


def test_it_the_sent_link_opens_the_familys_page(
    app: Flask, db: Session, cast: Cast, notify: FakeNotify, referral: Referral,  # noqa: F811
) -> None:
    sending = _notify_app(app, notify)
    client = sending.test_client()
    login(client, cast.staff)
    _, token = _link_page(client, referral)
    client.post(_send_url(db, referral), data={"send_key": secrets.token_urlsafe(24),
        "token": token, "channel": "email", "email": "parent@example.com", "agreed": "yes"})
    ((_, body),) = notify.received
    sent_token = body["personalisation"]["link"].rsplit("/", 1)[1]
    db.rollback()
    shown = progress.check_and_show(db, sent_token, referral.child.date_of_birth, "1.2.3.4",
                                    utcnow())
    assert [view.reference for view in shown] == [referral.reference]
    assert isinstance(referral.child.date_of_birth, date)


def test_it_tells_no_lead_of_another_school(
    app: Flask, db: Session, cast: Cast, referral: Referral
) -> None:
    other_lead = make_user(db, Role.SAFEGUARDING_LEAD, cast.other_school.organisation,
                           "other.dsl@example.test")
    issue_link(db, referral.child_id, cast.staff)
    db.commit()
    _deactivate(app, cast, cast.staff)
    assert [m.recipient for m in messages(db)] == [cast.dsl.email]
    assert other_lead.email != cast.dsl.email


def test_it_tells_the_old_schools_lead_when_a_colleague_moves_school(
    app: Flask, db: Session, cast: Cast, referral: Referral
) -> None:
    other_lead = make_user(db, Role.SAFEGUARDING_LEAD, cast.other_school.organisation,
                           "other.dsl@example.test")
    issue_link(db, referral.child_id, cast.staff)
    db.commit()
    client = app.test_client()
    login(client, cast.coordinator)
    response = client.post(f"/admin/users/{cast.staff.id}/edit", data={
        "name": cast.staff.name, "email": cast.staff.email, "role": cast.staff.role.value,
        "organisation_id": cast.other_school.organisation_id})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "The school&#39;s safeguarding lead has been told." in page
    # The old school, responsible for the child, hears of it; the new one does not.
    assert [m.recipient for m in messages(db)] == [cast.dsl.email]
    assert other_lead.email not in page


def test_it_says_the_message_waits_when_notify_is_not_set_up(
    app: Flask, db: Session, cast: Cast, referral: Referral
) -> None:
    client = app.test_client()
    login(client, cast.staff)
    _, token = _link_page(client, referral)
    response = client.post(_send_url(db, referral), data={"send_key": secrets.token_urlsafe(24),
        "token": token, "channel": "sms", "mobile": "07700 900982", "agreed": "yes"})
    page = client.get(response.location).get_data(as_text=True)
    assert "is not sent: GOV.UK Notify is not set up" in page
    (message,) = messages(db)
    assert (message.recipient, message.channel, message.sent_at) == ("07700900982", "sms", None)


def test_it_sends_once_when_the_form_is_submitted_twice(
    app: Flask, db: Session, cast: Cast, referral: Referral
) -> None:
    client = app.test_client()
    login(client, cast.staff)
    page, token = _link_page(client, referral)
    found = re.search(r'name="send_key" value="([^"]+)"', page)
    assert found is not None
    data = {"send_key": found.group(1), "token": token, "channel": "sms",
            "mobile": "07700900982", "agreed": "yes"}
    for _ in range(2):  # a double click
        assert client.post(_send_url(db, referral), data=data).status_code == 302
    assert len(db.execute(select(OutboxMessage)).all()) == 1
    assert len(db.execute(select(AuditEvent).where(
        AuditEvent.action == "progress_link_sent")).all()) == 1
    # A new send (a new key, as the page gives after a send) sends again.
    data["send_key"] = secrets.token_urlsafe(24)
    assert client.post(_send_url(db, referral), data=data).status_code == 302
    assert len(db.execute(select(OutboxMessage)).all()) == 2
    # Without the form's key nothing is sent.
    assert client.post(_send_url(db, referral), data={**data, "send_key": ""}).status_code == 400


def test_it_offers_the_family_records_contacts_and_sends_to_the_one_chosen(
    app: Flask, db: Session, cast: Cast, referral: Referral
) -> None:
    client = app.test_client()
    login(client, cast.staff)
    page, token = _link_page(client, referral)
    assert "Who should get it?" in page
    assert "Text message to Jo Jones (Mother), 07700 900982" in page
    (key,) = re.findall(r'name="contact" type="radio" value="(carer-\d+-sms)"', page)
    assert "Someone else, or another email address or mobile number" in page
    refused = client.post(_send_url(db, referral), data={
        "send_key": secrets.token_urlsafe(24), "token": token, "agreed": "yes"})
    assert refused.status_code == 400
    assert 'id="contact-error"' in refused.get_data(as_text=True)
    response = client.post(_send_url(db, referral), data={
        "send_key": secrets.token_urlsafe(24), "token": token, "contact": key, "agreed": "yes"})
    assert response.status_code == 302
    assert "0770" not in response.location and "Jones" not in response.location
    (message,) = db.execute(select(OutboxMessage)).scalars()
    assert (message.recipient, message.channel) == ("07700900982", "sms")


def test_it_offers_no_contacts_to_staff_who_may_not_see_the_family_record(
    app: Flask, db: Session, cast: Cast, referral: Referral
) -> None:
    # The child moved to the other school: their record is now that school's to keep.
    referral.child.school_id = cast.other_school.id
    db.commit()
    client = app.test_client()
    login(client, cast.staff)
    page, token = _link_page(client, referral)
    assert "Who should get it?" not in page and "Jo Jones" not in page
    response = client.post(_send_url(db, referral), data={
        "send_key": secrets.token_urlsafe(24), "token": token, "agreed": "yes",
        "contact": f"carer-{referral.child_id}-sms"})
    assert response.status_code == 400
    assert db.execute(select(OutboxMessage)).first() is None
