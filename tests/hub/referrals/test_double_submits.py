"""Double submits (a double click, a second tab, a colleague at the same moment):
the first wins, every other gets "This was already done" (409) with the referral as it
now is, and none gets a server error. On PostgreSQL (TEST_DATABASE_URL) the 20
requests truly run at once."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from routing.referrals import operations as ops
from routing.referrals.models import Referral, ReferralRequest, Status
from services.accounts.models import User
from services.db import utcnow
from tests.factories import Cast, login, make_service
from tests.routing.referrals.helpers import actor, sent_referral

CLICKS = 20


def _at_once(
    app: Flask, user: User, send: Callable[[FlaskClient], TestResponse]
) -> list[int | str]:
    """Each of CLICKS signed-in clients sends at the same moment; their status codes
    (or the error a request raised)."""
    clients = []
    for _ in range(CLICKS):
        client = app.test_client()
        login(client, user)
        clients.append(client)
    start = threading.Barrier(CLICKS)
    results: list[int | str] = []

    def click(client: FlaskClient) -> None:
        start.wait()
        try:
            results.append(send(client).status_code)
        except Exception as error:
            results.append(repr(error))

    threads = [threading.Thread(target=click, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_it_accepts_once_and_tells_the_other_clicks_it_was_already_done(
    app: Flask, db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, free_places=5)
    referral = sent_referral(db, cast, service, opened=True)
    db.commit()
    url = f"/referrals/{referral.id}/accept"
    results = _at_once(app, cast.manager, lambda c: c.post(url))
    assert sorted(results, key=str) == [302] + [409] * (CLICKS - 1)
    db.expire_all()
    assert db.get(Referral, referral.id).status is Status.ACCEPTED  # type: ignore[union-attr]


def test_it_closes_once(app: Flask, db: Session, cast: Cast) -> None:
    service = make_service(db, cast.provider, free_places=5)
    referral = sent_referral(db, cast, service, opened=True)
    ops.accept_referral(db, referral, actor(cast.manager), utcnow())
    db.commit()
    url = f"/referrals/{referral.id}/close"
    results = _at_once(app, cast.manager,
                       lambda c: c.post(url, data={"outcome": "support_completed"}))
    assert sorted(results, key=str) == [302] + [409] * (CLICKS - 1)


def test_it_starts_one_form_for_one_start_key(app: Flask, db: Session, cast: Cast) -> None:
    key = "k" * 32
    results = _at_once(app, cast.staff,
                       lambda c: c.post("/referrals/new", data={"start_key": key}))
    assert results == [302] * CLICKS
    made = db.execute(
        select(func.count()).where(ReferralRequest.start_key == key)).scalar_one()
    assert made == 1


def test_it_shows_the_referral_as_it_now_is_on_a_second_accept(
    app: Flask, db: Session, client: FlaskClient, cast: Cast
) -> None:
    service = make_service(db, cast.provider, free_places=5)
    referral = sent_referral(db, cast, service, opened=True)
    db.commit()
    login(client, cast.manager)
    assert client.post(f"/referrals/{referral.id}/accept").status_code == 302
    again = client.post(f"/referrals/{referral.id}/accept")
    page = again.get_data(as_text=True)
    assert again.status_code == 409
    assert "This was already done" in page
    assert f"Referral {referral.reference}" in page and "Accepted" in page


def test_it_says_a_second_reroute_was_already_done(
    app: Flask, db: Session, client: FlaskClient, cast: Cast
) -> None:
    first = make_service(db, cast.provider, name="Declines")
    onward = make_service(db, cast.other_provider, name="Takes it")
    declined = sent_referral(db, cast, first, opened=True)
    ops.decline_referral(db, declined, actor(cast.manager), utcnow(), "no_capacity", "Full")
    db.commit()
    login(client, cast.staff)
    form = {"service_id": str(onward.id)}
    assert client.post(f"/referrals/{declined.id}/reroute", data=form).status_code == 302
    again = client.post(f"/referrals/{declined.id}/reroute", data=form)
    assert again.status_code == 409
    assert "already been sent to another service. Nothing else was changed" in again.get_data(
        as_text=True)
