"""The provider's "Respond" forms: nothing is recorded that nobody chose, each field sits
under its action's heading, and an ended referral says there is nothing more to do."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from routing.referrals.models import Status
from tests.factories import Cast, login, make_service
from tests.routing.referrals.helpers import sent_referral


def _chosen(page: str, select_id: str) -> str:
    """The text of the option a select starts on."""
    select = page.split(f'id="{select_id}"')[1].split("</select>")[0]
    found = re.search(r"<option[^>]*\bselected\b[^>]*>([^<]*)</option>", select)
    assert found is not None, select
    return found.group(1).strip()


def test_it_a_decline_or_close_records_no_reason_nobody_chose(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider), opened=True)
    db.commit()
    login(client, cast.manager)
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert _chosen(page, "reason_code") == "Choose a reason"
    assert "<h3 class=\"govuk-heading-s\">Decline the referral</h3>" in page

    refused = client.post(f"/referrals/{referral.id}/decline",
                          data={"reason_code": "", "reason": "We are full until April"})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "Choose why the referral is declined" in text
    assert "We are full until April" in text  # what was typed is kept
    db.expire_all()
    assert referral.status is Status.OPENED

    accepted = client.post(f"/referrals/{referral.id}/accept")
    assert accepted.status_code == 302
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert _chosen(page, "outcome") == "Choose an outcome"
    refused = client.post(f"/referrals/{referral.id}/close", data={"outcome": ""})
    assert refused.status_code == 400
    assert "Choose the outcome" in refused.get_data(as_text=True)
    db.expire_all()
    assert referral.status is Status.ACCEPTED


def test_it_an_ended_referral_says_there_is_nothing_more_to_do(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider), opened=True)
    db.commit()
    login(client, cast.manager)
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert 'id="nothing-to-do"' not in page
    closed = client.post(f"/referrals/{referral.id}/decline",
                         data={"reason_code": "not_eligible", "reason": "Too old"})
    assert closed.status_code == 302
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "Nothing more to do: this referral is declined." in page
    assert 'action="/referrals/' not in page.split("Respond")[1].split("Timeline")[0]
