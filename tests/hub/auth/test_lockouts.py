"""Lock-outs that spare a school: failures count per account, with growing waits,
and per address only at a far higher ceiling; behind a proxy, each client counts
by its own address (TRUSTED_PROXIES)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask, request
from sqlalchemy.orm import Session

from hub import create_app
from services.accounts import login as accounts
from services.db import utcnow
from tests.conftest import _base_config
from tests.factories import PASSWORD, Cast

SCHOOL = {"REMOTE_ADDR": "81.2.69.160"}  # one school's shared address


def test_it_spares_a_colleague_at_the_same_address(app: Flask, cast: Cast) -> None:
    """Five wrong passwords lock that account, not the school: the DSL signs in."""
    client = app.test_client()
    for _ in range(6):
        client.post("/login", data={"email": cast.staff.email, "password": "wrong"},
                    environ_base=SCHOOL)
    locked = client.post("/login", data={"email": cast.staff.email, "password": PASSWORD},
                         environ_base=SCHOOL)
    assert locked.status_code == 429
    page = locked.get_data(as_text=True)
    assert "Too many failed attempts for this account" in page
    assert "Colleagues can still sign in" in page
    colleague = app.test_client()
    signed_in = colleague.post("/login", data={"email": cast.dsl.email, "password": PASSWORD},
                               environ_base=SCHOOL)
    assert signed_in.status_code == 302


def test_it_makes_an_account_wait_longer_after_each_failure(db: Session, cast: Cast) -> None:
    start = utcnow()
    for _ in range(5):
        with pytest.raises(accounts.InvalidCredentials):
            accounts.log_in(db, cast.staff.email, "wrong", "10.0.0.1", 5, 15, now=start)
    with pytest.raises(accounts.TooManyAttempts) as first:
        accounts.log_in(db, cast.staff.email, PASSWORD, "10.0.0.1", 5, 15, now=start)
    assert first.value.minutes == 1 and not first.value.address
    later = start + timedelta(minutes=1)  # the wait is over: one more try
    with pytest.raises(accounts.InvalidCredentials):
        accounts.log_in(db, cast.staff.email, "wrong", "10.0.0.1", 5, 15, now=later)
    with pytest.raises(accounts.TooManyAttempts) as second:
        accounts.log_in(db, cast.staff.email, PASSWORD, "10.0.0.1", 5, 15, now=later)
    assert second.value.minutes == 2
    after = later + timedelta(minutes=2)
    assert accounts.log_in(db, cast.staff.email, PASSWORD, "10.0.0.1", 5, 15,
                           now=after).id == cast.staff.id


def test_it_waits_at_most_the_window() -> None:
    window = timedelta(minutes=15)
    waits = [accounts.account_wait(n, 5, window) for n in range(4, 40)]
    assert waits[0] == timedelta(0)
    assert waits == sorted(waits) and max(waits) == window


def test_it_stops_an_address_guessing_across_accounts_at_the_higher_ceiling(
    db: Session, cast: Cast
) -> None:
    now = utcnow()
    for n in range(20):
        with pytest.raises(accounts.InvalidCredentials):
            accounts.log_in(db, f"guess{n}@example.test", "wrong", "10.9.9.9", 5, 15, 20,
                            now=now)
    with pytest.raises(accounts.TooManyAttempts) as refused:
        accounts.log_in(db, cast.staff.email, PASSWORD, "10.9.9.9", 5, 15, 20, now=now)
    assert refused.value.address
    assert accounts.log_in(db, cast.staff.email, PASSWORD, "10.0.0.2", 5, 15, 20,
                           now=now).id == cast.staff.id


def _client_address(database_url: str, proxies: int) -> list[str]:
    app = create_app({**_base_config(database_url), "TRUSTED_PROXIES": proxies})
    app.add_url_rule("/_test/address", "address", lambda: request.remote_addr or "")
    client = app.test_client()
    return [
        client.get("/_test/address", environ_base={"REMOTE_ADDR": "10.0.0.1"},
                   headers={"X-Forwarded-For": forwarded}).get_data(as_text=True)
        for forwarded in ("203.0.113.7", "198.51.100.1, 203.0.113.8")
    ]


def test_it_believes_only_the_configured_number_of_proxies(database_url: str) -> None:
    assert _client_address(database_url, 0) == ["10.0.0.1", "10.0.0.1"]
    # The proxy appends the address it saw; anything further left the client wrote.
    assert _client_address(database_url, 1) == ["203.0.113.7", "203.0.113.8"]
