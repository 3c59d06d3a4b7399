"""Reminding a provider about a referral that waits on them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals import progress
from routing.referrals.models import Referral, ReferralEvent, Status
from routing.referrals.outbox import OutboxMessage
from routing.referrals.reminders import remind_provider
from services.db import utcnow
from services.errors import InvalidInput
from tests.factories import Cast, login, make_service
from tests.routing.referrals.helpers import actor, issue_link, sent_referral


def _waiting(db: Session, cast: Cast) -> Referral:
    service = make_service(db, cast.provider, name="Talk Bolton")
    service.contact_email = "intake@talk.test"
    referral = sent_referral(db, cast, service, now=utcnow() - timedelta(days=12))
    db.query(OutboxMessage).delete()  # the message about the referral itself
    return referral


def test_it_a_reminder_keeps_the_status_and_emails_the_provider(db: Session, cast: Cast) -> None:
    referral = _waiting(db, cast)
    event = remind_provider(db, referral, actor(cast.coordinator), utcnow(), " Please look ")
    db.flush()
    assert referral.status is Status.SENT
    assert (event.from_status, event.to_status) == (Status.SENT, Status.SENT)
    assert event.reason == "Reminder sent to the provider: Please look"
    assert event.actor_name == cast.coordinator.name
    message = db.execute(select(OutboxMessage)).scalar_one()
    assert (message.recipient, message.template) == ("intake@talk.test", "referral_reminder")
    assert message.reference == referral.reference


def test_it_reminds_at_most_once_a_day(db: Session, cast: Cast) -> None:
    referral = _waiting(db, cast)
    start = utcnow()
    remind_provider(db, referral, actor(cast.staff), start)
    db.flush()
    with pytest.raises(InvalidInput) as caught:
        remind_provider(db, referral, actor(cast.coordinator), start + timedelta(hours=3))
    assert "reminded in the last day" in caught.value.errors["note"]
    remind_provider(db, referral, actor(cast.coordinator), start + timedelta(days=1))


def test_it_only_reminds_about_referrals_waiting_on_the_provider(
    db: Session, cast: Cast
) -> None:
    referral = _waiting(db, cast)
    ops.withdraw_referral(db, referral, actor(cast.staff), utcnow(), "Moved away")
    with pytest.raises(InvalidInput) as caught:
        remind_provider(db, referral, actor(cast.coordinator), utcnow())
    assert caught.value.errors == {"note": "A referral that is withdrawn is not waiting on "
                                           "the provider"}


def test_it_reminds_about_an_accepted_referral_with_no_first_contact_from_its_page(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    # The stuck page lists "Accepted with no first contact": the coordinator who opens
    # one can chase the provider, and the acceptance is not disturbed.
    referral = _waiting(db, cast)
    accepted_at = utcnow() - timedelta(days=10)
    ops.open_referral(db, referral, actor(cast.manager), accepted_at)
    ops.accept_referral(db, referral, actor(cast.manager), accepted_at)
    db.commit()
    login(client, cast.coordinator)
    assert "Send a reminder" in client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    response = client.post(f"/referrals/{referral.id}/remind", data={"note": "First contact?"})
    assert response.status_code == 302
    db.expire_all()
    assert referral.status is Status.ACCEPTED and referral.decided_at == accepted_at
    assert "referral_reminder" in db.execute(select(OutboxMessage.template)).scalars().all()
    stuck = client.get("/referrals/stuck?kind=no_first_contact").get_data(as_text=True)
    assert referral.reference in stuck and "Provider reminded today" in stuck


def test_it_the_familys_last_update_ignores_reminders(db: Session, cast: Cast) -> None:
    referral = _waiting(db, cast)
    _, token = issue_link(db, referral.child_id, cast.staff)
    db.flush()
    born = referral.child.date_of_birth
    (before,) = progress.check_and_show(db, token, born, "10.1.1.1", utcnow())
    remind_provider(db, referral, actor(cast.coordinator), utcnow() + timedelta(days=1))
    db.flush()
    (after,) = progress.check_and_show(db, token, born, "10.1.1.1", utcnow())
    assert after.last_update == before.last_update


def test_it_a_coordinator_reminds_from_the_referral_page(
    app: Flask, client: FlaskClient, db: Session, cast: Cast
) -> None:
    referral = _waiting(db, cast)
    db.commit()
    login(client, cast.coordinator)
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "Send a reminder" in page
    response = client.post(f"/referrals/{referral.id}/remind", data={"note": "Chasing"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Bolton Wellbeing NHS Trust has been reminded about" in page
    assert "Reminder sent to the provider: Chasing, by" in page

    again = client.post(f"/referrals/{referral.id}/remind", data={"note": "Typed again"})
    body = again.get_data(as_text=True)
    assert again.status_code == 400
    assert "reminded in the last day" in body
    assert ">Typed again</textarea>" in body
    stuck = client.get("/referrals/stuck?kind=not_opened").get_data(as_text=True)
    assert "Provider reminded today" in stuck
    reminders = db.execute(select(ReferralEvent).where(
        ReferralEvent.referral_id == referral.id, ReferralEvent.is_reminder)).scalars().all()
    assert len(reminders) == 1


@pytest.mark.parametrize("who", ["worker", "other_staff"])
def test_it_providers_and_other_schools_cannot_send_reminders(
    client: FlaskClient, db: Session, cast: Cast, who: str
) -> None:
    referral = _waiting(db, cast)
    db.commit()
    login(client, getattr(cast, who))
    assert client.post(f"/referrals/{referral.id}/remind").status_code == 403


def test_it_a_refused_decline_keeps_the_explanation_typed(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider), opened=True)
    db.commit()
    login(client, cast.manager)
    response = client.post(f"/referrals/{referral.id}/decline",
                           data={"reason_code": "", "reason": "We have no <b>room</b>"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose why the referral is declined" in body
    assert 'href="#reason_code"' in body
    assert ">We have no &lt;b&gt;room&lt;/b&gt;</textarea>" in body
    db.expire_all()
    assert db.get(Referral, referral.id).status is Status.OPENED  # type: ignore[union-attr]
