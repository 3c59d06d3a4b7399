"""A service asks the school a question and the school answers: the referral goes back
to the service as it was (opened), not to "sent", and its wait for a decision counts
again from the answer."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.leads.caseload import stuck_kind
from routing.referrals import operations as ops
from routing.referrals.lifecycle import TransitionRefused
from routing.referrals.models import Referral, ReferralEvent, Status
from routing.referrals.outbox import OutboxMessage
from routing.referrals.stuck import (
    StuckKind,
    StuckScope,
    deciding_since,
    stuck_counts,
    stuck_items,
)
from tests.factories import Cast, login, make_service
from tests.routing.referrals.helpers import actor, issue_link, sent_referral

# Monday 2 March 2026.
MONDAY = datetime(2026, 3, 2, 10, 0)
BORN = {"dob-day": "14", "dob-month": "3", "dob-year": "2015"}


def _asked_and_answered(db: Session, cast: Cast, opened: datetime, asked: datetime,
                        answered: datetime) -> Referral:
    service = make_service(db, cast.provider, name="Calm Minds")
    service.contact_email = "team@provider.test"
    referral = sent_referral(db, cast, service, opened=True, now=opened)
    ops.request_information(db, referral, actor(cast.manager), asked, "Which school?")
    ops.supply_information(db, referral, actor(cast.staff), answered, "Castle Hill")
    db.flush()
    return referral


def test_it_returns_an_answered_referral_to_opened_keeping_when_it_was_sent_and_opened(
    db: Session, cast: Cast
) -> None:
    opened = MONDAY - timedelta(days=14)
    referral = _asked_and_answered(db, cast, opened, opened + timedelta(days=1),
                                   opened + timedelta(days=2))
    assert referral.status is Status.OPENED
    assert referral.sent_at == opened and referral.opened_at == opened
    assert referral.information_request == ""
    moves = [(e.from_status, e.to_status) for e in db.execute(
        select(ReferralEvent).where(ReferralEvent.referral_id == referral.id)
        .order_by(ReferralEvent.id)).scalars()]
    assert moves[-2:] == [(Status.OPENED, Status.NEEDS_INFORMATION),
                          (Status.NEEDS_INFORMATION, Status.OPENED)]
    assert db.execute(select(OutboxMessage.template).order_by(OutboxMessage.id.desc())
                      ).scalars().first() == "information_supplied"
    # The service decides from where it left off: no second "open" is needed or allowed.
    with pytest.raises(TransitionRefused):
        ops.open_referral(db, referral, actor(cast.manager), MONDAY)
    assert ops.accept_referral(db, referral, actor(cast.manager), MONDAY).accepted


def test_it_counts_the_wait_for_a_decision_from_the_schools_answer(
    db: Session, cast: Cast
) -> None:
    # Opened three weeks before; the answer came the Monday before: 5 working days.
    answered = MONDAY - timedelta(days=7)
    referral = _asked_and_answered(db, cast, MONDAY - timedelta(days=21),
                                   MONDAY - timedelta(days=20), answered)
    assert deciding_since(referral) == answered
    scope = StuckScope(MONDAY, decide_days=5)
    (item,) = stuck_items(db, StuckKind.NOT_DECIDED, scope)
    assert (item.referral, item.waited) == (referral, 5)
    assert stuck_kind(referral, scope, set()) is StuckKind.NOT_DECIDED
    # One working day short when counted from the answer (it would be 15 from opening).
    later = StuckScope(MONDAY, decide_days=6)
    assert stuck_items(db, StuckKind.NOT_DECIDED, later) == []
    assert stuck_counts(db, later)[StuckKind.NOT_DECIDED] == 0
    assert stuck_kind(referral, later, set()) is None


def test_it_counts_from_opening_when_no_question_was_asked(db: Session, cast: Cast) -> None:
    opened = MONDAY - timedelta(days=7)
    referral = sent_referral(db, cast, make_service(db, cast.provider), opened=True,
                             now=opened)
    assert deciding_since(referral) == opened
    (item,) = stuck_items(db, StuckKind.NOT_DECIDED, StuckScope(MONDAY, decide_days=5))
    assert item.waited == 5


def _page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_it_shows_the_answered_referral_as_opened_to_the_school_the_service_and_the_family(
    app: Flask, db: Session, cast: Cast
) -> None:
    referral = _asked_and_answered(db, cast, MONDAY, MONDAY, MONDAY)
    _, token = issue_link(db, referral.child_id, cast.staff)
    db.commit()
    school, service = app.test_client(), app.test_client()
    login(school, cast.staff)
    login(service, cast.manager)
    for page in (_page(school, "/referrals"), _page(service, "/referrals/inbox")):
        row = page.split(referral.reference, 1)[1].split("</tr>", 1)[0]
        assert Status.OPENED.label in row and Status.SENT.label not in row
    family = app.test_client().post(f"/progress/{token}", data=BORN).get_data(as_text=True)
    assert Status.OPENED.plain in family
    assert Status.SENT.plain not in family
