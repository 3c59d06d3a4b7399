"""Sign-in with a second factor, the forced password change, enrolment, and "forgot
password" (expiry, single use, no account enumeration)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals.audit import AuditEvent
from routing.referrals.outbox import OutboxMessage
from services.accounts import two_factor
from services.accounts.models import PasswordResetToken, User
from tests.clock import MovableClock
from tests.factories import PASSWORD, TOTP_SECRET, Cast, login, next_code

NOW = datetime(2026, 3, 2, 9, 0, 0)
NEW_PASSWORD = "plum kettle orbit marsh"


@pytest.fixture
def app_client(app: Flask) -> FlaskClient:
    """A second browser."""
    return app.test_client()


def _password_step(client: FlaskClient, user: User, password: str = PASSWORD) -> str:
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302
    return response.headers["Location"]


def test_it_a_coordinator_needs_the_code_after_the_password(
    client: FlaskClient, cast: Cast, clock: MovableClock
) -> None:
    clock.set(NOW)
    assert _password_step(client, cast.coordinator).endswith("/login/code")
    # The password alone signs nobody in.
    assert client.get("/admin").status_code == 302
    wrong = client.post("/login/code", data={"code": "000000"})
    assert "Enter the code your authenticator app shows now" in wrong.get_data(as_text=True)
    right = client.post("/login/code", data={"code": two_factor.current_code(TOTP_SECRET, NOW)})
    assert right.status_code == 302
    assert client.get("/admin").status_code == 200


def test_it_a_used_code_cannot_sign_in_again(
    client: FlaskClient, app_client: FlaskClient, cast: Cast, clock: MovableClock
) -> None:
    clock.set(NOW)
    code = two_factor.current_code(TOTP_SECRET, NOW)
    _password_step(client, cast.coordinator)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    _password_step(app_client, cast.coordinator)
    again = app_client.post("/login/code", data={"code": code})
    assert again.status_code == 200
    assert app_client.get("/admin").status_code == 302


def test_it_wrong_codes_are_rate_limited(
    client: FlaskClient, cast: Cast, clock: MovableClock
) -> None:
    clock.set(NOW)
    _password_step(client, cast.dsl)
    for _ in range(5):
        client.post("/login/code", data={"code": "000000"})
    blocked = client.post("/login/code", data={"code": two_factor.current_code(TOTP_SECRET, NOW)})
    assert blocked.status_code == 429


def test_it_a_recovery_code_signs_in_once(
    client: FlaskClient, app_client: FlaskClient, db: Session, cast: Cast
) -> None:
    codes = two_factor.new_recovery_codes(db, cast.coordinator)
    db.commit()
    _password_step(client, cast.coordinator)
    assert client.post("/login/code", data={"code": codes[3]}).status_code == 302
    _password_step(app_client, cast.coordinator)
    assert app_client.post("/login/code", data={"code": codes[3]}).status_code == 200


def test_it_a_password_a_coordinator_set_must_be_changed_first(
    client: FlaskClient, app_client: FlaskClient, db: Session, cast: Cast
) -> None:
    login(app_client, cast.coordinator)
    made = app_client.post("/admin/users/new", data={
        "name": "Pat Lee", "email": "pat@example.test", "role": "school_staff",
        "organisation_id": str(cast.school.organisation_id),
        "password": "tidal lemon quartz violin"})
    assert made.status_code == 302
    pat = db.execute(select(User).where(User.email == "pat@example.test")).scalar_one()
    assert pat.must_change_password
    _password_step(client, pat, "tidal lemon quartz violin")
    # Every page leads to the change until it is done.
    assert client.get("/search").headers["Location"].endswith("/account/password")
    weak = client.post("/account/password", data={
        "current": "tidal lemon quartz violin", "password": "aaaaaaaaaaaa",
        "confirm": "aaaaaaaaaaaa"})
    assert "harder to guess" in weak.get_data(as_text=True)
    same = client.post("/account/password", data={
        "current": "tidal lemon quartz violin", "password": "tidal lemon quartz violin",
        "confirm": "tidal lemon quartz violin"})
    assert "different from the one you have now" in same.get_data(as_text=True)
    done = client.post("/account/password", data={
        "current": "tidal lemon quartz violin", "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert client.get("/search").status_code == 200
    db.expire_all()
    assert not db.get(User, pat.id).must_change_password  # type: ignore[union-attr]


def test_it_a_coordinator_resetting_a_password_forces_a_change(
    app_client: FlaskClient, db: Session, cast: Cast
) -> None:
    login(app_client, cast.coordinator)
    app_client.post(f"/admin/users/{cast.staff.id}/password",
                    data={"password": "tidal lemon quartz violin"})
    db.expire_all()
    assert db.get(User, cast.staff.id).must_change_password  # type: ignore[union-attr]


def test_it_a_coordinator_may_not_set_a_guessable_password(
    app_client: FlaskClient, db: Session, cast: Cast
) -> None:
    login(app_client, cast.coordinator)
    response = app_client.post(f"/admin/users/{cast.staff.id}/password",
                               data={"password": "aaaaaaaaaaaa"})
    assert "harder to guess" in response.get_data(as_text=True)


def test_it_a_dsl_without_a_second_factor_enrols_before_anything_else(
    client: FlaskClient, db: Session, cast: Cast, clock: MovableClock
) -> None:
    clock.set(NOW)
    cast.dsl.totp_secret = None
    db.commit()
    assert _password_step(client, cast.dsl).endswith("/search")
    assert client.get("/referrals").headers["Location"].endswith("/account/two-factor")
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "<svg" in page
    secret = re.search(r'id="totp-secret">([A-Z2-7]{32})<', page).group(1)  # type: ignore[union-attr]
    wrong = client.post("/account/two-factor", data={"code": "000000"})
    assert "Enter the 6-digit code" in wrong.get_data(as_text=True)
    done = client.post("/account/two-factor",
                       data={"code": two_factor.current_code(secret, NOW)})
    assert "Two-factor sign-in is on" in done.get_data(as_text=True)
    assert len(re.findall(r"<li><code>[a-z2-9]{5}-[a-z2-9]{5}</code></li>",
                          done.get_data(as_text=True))) == 10
    assert client.get("/referrals").status_code == 200


def test_it_anyone_may_turn_on_two_factor_and_then_needs_it(
    client: FlaskClient, db: Session, cast: Cast, clock: MovableClock
) -> None:
    clock.set(NOW)
    login(client, cast.staff)
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]{32})<', page).group(1)  # type: ignore[union-attr]
    client.post("/account/two-factor", data={"code": two_factor.current_code(secret, NOW)})
    client.post("/logout")
    assert _password_step(client, cast.staff).endswith("/login/code")
    assert client.post("/login/code", data={"code": next_code(client, cast.staff, secret)}
                       ).status_code == 302


def _reset_link(db: Session) -> str:
    message = db.execute(select(OutboxMessage).order_by(OutboxMessage.id.desc())).scalars().first()
    assert message is not None and message.template == "password_reset"
    return message.link_path


def test_it_forgot_password_says_the_same_for_known_and_unknown_addresses(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    known = client.post("/password/forgot", data={"email": cast.staff.email})
    unknown = client.post("/password/forgot", data={"email": "nobody@example.test"})
    assert known.status_code == unknown.status_code == 200
    def page(response: object) -> str:  # the CSP nonce differs per response
        return re.sub(r'nonce="[^"]+"', "", response.get_data(as_text=True))  # type: ignore[attr-defined]

    assert page(known) == page(unknown)
    assert db.query(OutboxMessage).count() == 1
    token = _reset_link(db).rsplit("/", 1)[1]
    stored = db.execute(select(PasswordResetToken)).scalar_one()
    assert stored.token_hash != token and token not in stored.token_hash


def test_it_a_reset_link_works_once_and_the_new_password_signs_in(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    client.post("/password/forgot", data={"email": cast.staff.email.upper()})
    link = _reset_link(db)
    assert client.get(link).status_code == 200
    done = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert client.get(link).status_code == 404
    assert client.post(link, data={"password": "another long phrase here",
                                   "confirm": "another long phrase here"}).status_code == 404
    assert _password_step(client, cast.staff, NEW_PASSWORD).endswith("/search")
    actions = set(db.execute(select(AuditEvent.action)).scalars())
    assert "password_reset_by_link" in actions


def test_it_a_reset_link_expires_after_thirty_minutes(
    client: FlaskClient, db: Session, cast: Cast, clock: MovableClock
) -> None:
    clock.set(NOW)
    client.post("/password/forgot", data={"email": cast.staff.email})
    link = _reset_link(db)
    clock.set(NOW + timedelta(minutes=29))
    assert client.get(link).status_code == 200
    clock.set(NOW + timedelta(minutes=30))
    assert client.get(link).status_code == 404
    assert "expired" in client.get(link).get_data(as_text=True)


def test_it_a_newer_reset_link_replaces_the_older(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    client.post("/password/forgot", data={"email": cast.staff.email})
    first = _reset_link(db)
    client.post("/password/forgot", data={"email": cast.staff.email})
    assert client.get(first).status_code == 404
    assert client.get(_reset_link(db)).status_code == 200


def test_it_the_outbox_never_shows_a_reset_link(
    client: FlaskClient, app_client: FlaskClient, db: Session, cast: Cast
) -> None:
    client.post("/password/forgot", data={"email": cast.staff.email})
    link = _reset_link(db)
    login(app_client, cast.coordinator)
    page = app_client.get("/notifications/outbox").get_data(as_text=True)
    assert link not in page
    assert "one-time sign-in link (not shown)" in page


def test_it_a_coordinator_makes_a_dpo_who_then_must_enrol_a_second_factor(
    client: FlaskClient, app_client: FlaskClient, db: Session, cast: Cast
) -> None:
    login(app_client, cast.coordinator)
    assert app_client.post(f"/admin/users/{cast.staff.id}/dpo", data={"dpo": "1"}
                           ).status_code == 302
    db.expire_all()
    assert db.get(User, cast.staff.id).is_dpo  # type: ignore[union-attr]
    _password_step(client, cast.staff)
    assert client.get("/audit").headers["Location"].endswith("/account/two-factor")


def test_it_a_coordinator_removes_a_lost_second_factor(
    client: FlaskClient, app_client: FlaskClient, db: Session, cast: Cast
) -> None:
    login(client, cast.dsl)
    login(app_client, cast.coordinator)
    app_client.post(f"/admin/users/{cast.dsl.id}/second-factor/remove")
    assert client.get("/referrals").status_code == 302  # signed out
    db.expire_all()
    assert db.get(User, cast.dsl.id).totp_secret is None  # type: ignore[union-attr]
    assert _password_step(client, cast.dsl).endswith("/search")
    assert client.get("/referrals").headers["Location"].endswith("/account/two-factor")


def test_it_demo_mode_shows_the_demo_accounts_code_and_only_theirs(
    database_url: str, db: Session, cast: Cast, clock: MovableClock
) -> None:
    from hub import create_app
    from services.demo.dataset import DEMO_TOTP_SECRET

    clock.set(NOW)
    cast.coordinator.totp_secret = DEMO_TOTP_SECRET
    db.commit()
    demo = create_app({"DATABASE_URL": database_url, "TESTING": True, "FAMILY_HUB_DEMO": True,
                       "SECRET_KEY": "demo-test", "WTF_CSRF_ENABLED": False, "CLOCK": clock,
                       "SESSION_COOKIE_SECURE": False})
    browser = demo.test_client()
    code = two_factor.current_code(DEMO_TOTP_SECRET, NOW)
    browser.post("/login", data={"email": cast.coordinator.email, "password": PASSWORD})
    assert f"the code now is {code}" in browser.get("/login/code").get_data(as_text=True)
    other = demo.test_client()
    other.post("/login", data={"email": cast.dsl.email, "password": PASSWORD})
    assert "the code now is" not in other.get("/login/code").get_data(as_text=True)
    with demo.app_context():
        from hub.extensions import db as handle

        handle.engine.dispose()


def test_it_sends_at_most_three_reset_links_an_hour(
    client: FlaskClient, db: Session, cast: Cast, clock: MovableClock
) -> None:
    clock.set(NOW)
    for _ in range(5):
        assert client.post("/password/forgot", data={"email": cast.staff.email}
                           ).status_code == 200
    assert db.query(OutboxMessage).count() == 3
    clock.set(NOW + timedelta(minutes=61))
    client.post("/password/forgot", data={"email": cast.staff.email})
    assert db.query(OutboxMessage).count() == 4
