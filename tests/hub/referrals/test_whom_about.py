"""Every list of referrals says whom each one is about, in the words of the referral's
own page (``Child.about_words``): a child, an unborn baby (due when) or a parent or carer.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals.models import Referral
from routing.referrals.subjects import Subject, about_words
from services.accounts.models import User
from services.db import utcnow
from tests.factories import Cast, login, make_service
from tests.routing.referrals.helpers import actor, sent_referral

DUE = date(2027, 3, 3)


def _as(subject: Subject, referral: Referral) -> Referral:
    """The referral, its record made about ``subject`` (as the form's first step does)."""
    child = referral.child
    child.subject = subject.value
    if subject is Subject.UNBORN:
        child.first_name, child.date_of_birth, child.expected_date = "Baby", None, DUE
    return referral


def _three(db: Session, cast: Cast, sent_at: datetime | None = None) -> list[Referral]:
    service = make_service(db, cast.provider, name="Healthy Start Bolton")
    made = [_as(subject, sent_referral(db, cast, service, now=sent_at))
            for subject in (Subject.CHILD, Subject.UNBORN, Subject.PARENT)]
    db.commit()
    return made


def _row(page: str, reference: str) -> str:
    """The table row that holds ``reference``."""
    (row,) = [r for r in page.split('<tr class="govuk-table__row">') if reference in r]
    return row.split("</tr>")[0]


def _signed_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    login(client, user)
    return client


def test_it_the_school_the_provider_and_the_coordinator_see_whom_each_is_about(
    app: Flask, db: Session, cast: Cast
) -> None:
    made = _three(db, cast)
    for user, path in ((cast.staff, "/referrals"), (cast.manager, "/referrals/inbox"),
                       (cast.worker, "/referrals/inbox"), (cast.coordinator, "/referrals")):
        page = _signed_in(app, user).get(path).get_data(as_text=True)
        assert ">About</th>" in page
        for referral in made:
            row = _row(page, referral.reference)
            child = referral.child
            assert child.name in row
            assert about_words(child.subject_kind, child.first_name, child.expected_date,
                               family=False) in row
    unborn_row = _row(page, made[1].reference)
    assert "due in March 2027" in unborn_row and "3 March" not in unborn_row


def test_it_a_provider_sees_in_its_inbox_only_what_its_referral_page_shows(
    app: Flask, db: Session, cast: Cast
) -> None:
    ours = _three(db, cast)
    theirs = sent_referral(db, cast, make_service(db, cast.other_provider, name="Elsewhere"))
    _as(Subject.PARENT, theirs)
    db.commit()
    provider = _signed_in(app, cast.manager)
    inbox = provider.get("/referrals/inbox").get_data(as_text=True)
    assert theirs.reference not in inbox and theirs.child.name not in inbox
    for referral in ours:
        shown = provider.get(f"/referrals/{referral.id}").get_data(as_text=True)
        # The inbox row and the referral's page say it in the same words.
        assert f"{referral.child.about_words}: " in shown
        assert referral.child.about_words in _row(inbox, referral.reference)
    # The referral's safeguarding flag is not shown where safeguarding was not shared.
    assert "Flagged" not in inbox


def test_it_the_stuck_page_says_whom_each_is_about_without_naming_them(
    app: Flask, db: Session, cast: Cast
) -> None:
    made = _three(db, cast, utcnow() - timedelta(days=30))
    parent = made[2]
    declined = _as(Subject.PARENT, sent_referral(
        db, cast, make_service(db, cast.other_provider, name="Family Lines"), opened=True))
    ops.decline_referral(db, declined, actor(cast.manager), utcnow(), "other", "No room")
    db.commit()
    coordinator = _signed_in(app, cast.coordinator)
    page = coordinator.get("/referrals/stuck?kind=not_opened").get_data(as_text=True)
    for referral in made:
        assert referral.child.about_words in _row(page, referral.reference)
        assert referral.child.last_name not in _row(page, referral.reference)
    assert ">About</th>" in page
    unsupported = coordinator.get("/referrals/stuck?kind=unsupported_child").get_data(
        as_text=True)
    row = _row(unsupported, declined.reference)
    assert f"{declined.child.about_words} (record {declined.child_id})" in row
    assert declined.child.last_name not in row
    assert parent.child.about_words == "A parent or carer"
