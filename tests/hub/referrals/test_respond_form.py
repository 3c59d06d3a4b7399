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


def test_it_the_provider_records_progress_the_school_reads_it_and_sees_the_familys_step(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider), opened=True)
    db.commit()
    login(client, cast.manager)
    assert client.post(f"/referrals/{referral.id}/accept").status_code == 302
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "Record progress" not in page  # not before first contact
    assert client.post(f"/referrals/{referral.id}/first-contact",
                       data={"next_step": "First session on Monday"}).status_code == 302
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "Record progress with the family" in page
    assert "First session on Monday" in page.split('id="family-next-step"')[1]

    refused = client.post(f"/referrals/{referral.id}/progress",
                          data={"note": "", "next_step": "Second session on Friday"})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert 'href="#note"' in text and 'id="note-error"' in text
    assert 'value="Second session on Friday"' in text  # what was typed is kept

    data = {"note": "Session held with mum", "next_step": "Second session on Friday"}
    assert client.post(f"/referrals/{referral.id}/progress", data=data).status_code == 302
    again = client.post(f"/referrals/{referral.id}/progress", data=data)
    assert again.status_code == 409
    assert "This progress note was already recorded." in again.get_data(as_text=True)

    client.post("/logout")
    login(client, cast.staff)
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "Second session on Friday" in page.split('id="family-next-step"')[1]
    assert ("Progress: Session held with mum. Next step for the family: Second session on "
            "Friday") in page
    assert "Record progress with the family" not in page  # only the provider records it
    assert client.post(f"/referrals/{referral.id}/progress", data={
        "note": "From the school"}).status_code == 403
