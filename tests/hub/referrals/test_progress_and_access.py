"""The family's progress link, and who may see and act on referrals."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals import progress
from routing.referrals.audit import AuditEvent
from routing.referrals.models import ProgressAttempt, ProgressLink
from services.db import utcnow
from tests.factories import Cast, login, make_service
from tests.routing.referrals.helpers import actor, issue_link, sent_referral

BORN = date(2015, 3, 14)


def _linked(db: Session, cast: Cast):  # type: ignore[no-untyped-def]
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    link, token = issue_link(db, referral.child_id, cast.staff)
    db.commit()
    return referral, link, token


def test_it_only_the_hash_of_a_256_bit_token_is_stored(db: Session, cast: Cast) -> None:
    _, link, token = _linked(db, cast)
    assert len(token) >= 43
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(db.execute(select(ProgressLink.__table__)).all())


def test_it_the_right_date_of_birth_shows_plain_status_and_is_audited(
    db: Session, cast: Cast
) -> None:
    referral, _, token = _linked(db, cast)
    (view,) = progress.check_and_show(db, token, BORN, "1.2.3.4", utcnow())
    assert view.reference == referral.reference and "waiting" in view.status
    assert db.execute(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "family_viewed_progress")
    ).scalar_one() == 1


def test_it_each_page_view_is_audited_once_and_a_success_writes_no_attempt(
    db: Session, cast: Cast
) -> None:
    first, _, token = _linked(db, cast)
    views = progress.check_and_show(db, token, BORN, "1.2.3.4", utcnow())
    progress.check_and_show(db, token, BORN, "1.2.3.4", utcnow())
    assert [v.reference for v in views] == [first.reference]
    rows = db.execute(
        select(AuditEvent.child_id).where(AuditEvent.action == "family_viewed_progress")
    ).scalars().all()
    assert rows == [first.child_id, first.child_id]  # one a view, for the referrer's list
    assert db.execute(select(func.count(ProgressAttempt.id))).scalar_one() == 0
    with pytest.raises(progress.NotShown):
        progress.check_and_show(db, token, date(2000, 1, 1), "1.2.3.4", utcnow())
    assert db.execute(
        select(func.count(ProgressAttempt.id)).where(ProgressAttempt.succeeded.is_(False))
    ).scalar_one() == 1


@pytest.mark.parametrize("case", ["wrong", "unknown", "revoked", "expired"])
def test_it_wrong_unknown_revoked_and_expired_links_look_the_same(
    db: Session, cast: Cast, case: str
) -> None:
    referral, link, token = _linked(db, cast)
    born, now = BORN, utcnow()
    if case == "wrong":
        born = date(2015, 3, 15)
    elif case == "unknown":
        token = token[:-2] + "xx"
    elif case == "revoked":
        progress.revoke_links(db, progress.active_links(db, link.child_id), actor(cast.staff),
                              now)
    else:
        ops.withdraw_referral(db, referral, actor(cast.staff), now, "Moved away")
        now += timedelta(days=31)
    with pytest.raises(progress.NotShown):
        progress.check_and_show(db, token, born, "1.2.3.4", now)


def test_it_regenerating_a_link_stops_the_old_one(db: Session, cast: Cast) -> None:
    referral, _, old = _linked(db, cast)
    issue_link(db, referral.child_id, cast.staff)
    with pytest.raises(progress.NotShown):
        progress.check_and_show(db, old, BORN, "1.2.3.4", utcnow())


def test_it_guessing_is_rate_limited_even_with_the_right_answer(db: Session, cast: Cast) -> None:
    _, _, token = _linked(db, cast)
    for _ in range(progress.MAX_FAILURES):
        with pytest.raises(progress.NotShown):
            progress.check_and_show(db, token, date(2000, 1, 1), "1.2.3.4", utcnow())
    with pytest.raises(progress.TooManyAttempts):
        progress.check_and_show(db, token, BORN, "1.2.3.4", utcnow())


def test_it_one_familys_wrong_answers_do_not_lock_out_another_at_the_same_school(
    db: Session, cast: Cast
) -> None:
    _, _, mistyped = _linked(db, cast)
    _, _, other = _linked(db, cast)
    for _ in range(progress.MAX_FAILURES):
        with pytest.raises(progress.NotShown):
            progress.check_and_show(db, mistyped, date(2000, 1, 1), "10.0.0.7", utcnow())
    with pytest.raises(progress.TooManyAttempts):
        progress.check_and_show(db, mistyped, BORN, "10.0.0.7", utcnow())
    assert progress.check_and_show(db, other, BORN, "10.0.0.7", utcnow())


def test_it_an_address_trying_many_links_is_stopped(db: Session, cast: Cast) -> None:
    _, _, token = _linked(db, cast)
    for guess in range(progress.MAX_ADDRESS_FAILURES):
        with pytest.raises(progress.NotShown):
            progress.check_and_show(db, f"made-up-{guess}", BORN, "10.0.0.8", utcnow())
    with pytest.raises(progress.TooManyAttempts):
        progress.check_and_show(db, token, BORN, "10.0.0.8", utcnow())
    assert progress.check_and_show(db, token, BORN, "10.0.0.9", utcnow())


def test_it_the_progress_page_is_private_and_the_same_for_any_token(
    app: Flask, db: Session, cast: Cast
) -> None:
    _, _, token = _linked(db, cast)
    client = app.test_client()
    real = client.post(f"/progress/{token}", data={"dob-day": "1", "dob-month": "1",
                                                   "dob-year": "2000"})
    fake = client.post("/progress/not-a-token", data={"dob-day": "1", "dob-month": "1",
                                                     "dob-year": "2000"})
    assert real.status_code == fake.status_code == 200
    def same(body: str, used: str) -> str:  # the CSP nonce differs per request
        return re.sub(r'nonce="[^"]+"', "", body.replace(used, ""))

    assert same(real.get_data(as_text=True), token) == same(fake.get_data(as_text=True),
                                                            "not-a-token")
    assert real.headers["Cache-Control"] == "no-store"
    assert real.headers["Referrer-Policy"] == "no-referrer"
    # The answer was not taken: the title says so first, for screen readers.
    assert "<title>Error: Your family's referrals" in real.get_data(as_text=True)
    assert "<title>Your family's referrals" in client.get(f"/progress/{token}").get_data(
        as_text=True)
    assert 'name="robots" content="noindex' in real.get_data(as_text=True)


@pytest.mark.parametrize(
    ("who", "status"),
    [("staff", 200), ("dsl", 200), ("other_staff", 403), ("manager", 200), ("worker", 200),
     ("other_manager", 403), ("coordinator", 200)],
)
def test_it_each_role_sees_only_its_own_organisations_referrals(
    app: Flask, db: Session, cast: Cast, who: str, status: int
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    db.commit()
    client = app.test_client()
    login(client, getattr(cast, who))
    assert client.get(f"/referrals/{referral.id}").status_code == status
    # A read is audited as a read; a refused access is audited as refused.
    assert db.execute(
        select(func.count(AuditEvent.id)).where(AuditEvent.referral_id == referral.id,
                                                AuditEvent.refused.is_(False))
    ).scalar_one() == (1 if status == 200 else 0)
    assert db.execute(
        select(func.count(AuditEvent.id)).where(AuditEvent.referral_id == referral.id,
                                                AuditEvent.refused.is_(True))
    ).scalar_one() == (1 if status == 403 else 0)


@pytest.mark.parametrize(
    ("who", "action", "status"),
    [("manager", "accept", 302), ("other_manager", "accept", 403), ("staff", "accept", 403),
     ("staff", "withdraw", 302), ("other_staff", "withdraw", 403),
     ("manager", "withdraw", 403)],
)
def test_it_each_role_may_act_only_on_its_own_side_of_a_referral(
    app: Flask, db: Session, cast: Cast, who: str, action: str, status: int
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider), opened=True)
    db.commit()
    client = app.test_client()
    login(client, getattr(cast, who))
    response = client.post(f"/referrals/{referral.id}/{action}", data={"reason": "Moved"})
    assert response.status_code == status


def test_it_unknown_referrals_are_not_found(app: Flask, cast: Cast) -> None:
    client = app.test_client()
    login(client, cast.coordinator)
    assert client.get("/referrals/99999").status_code == 404
