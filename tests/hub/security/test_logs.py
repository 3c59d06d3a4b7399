"""No personal data or secret reaches the logs, and postcodes never reach a URL.

The app runs behind a real Werkzeug server in a thread, so the access log
(request lines, query strings) is captured along with every application and
library logger, all at DEBUG.
"""

from __future__ import annotations

import http.client
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import urlencode

import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from routing.gazetteer.models import GazetteerPostcode
from services.locations import Location
from tests.factories import PASSWORD, Cast, login, make_service
from tests.hub.security.support import csrf_token_from, parse, strict_app

WRONG_PASSWORD = "Tr0ub4dor&3-wrong"


@dataclass
class Browser:
    """A tiny HTTP client with a cookie jar, for a real server."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    seen_cookies: set[str] = field(default_factory=set)

    def send(self, method: str, path: str, form: dict | None = None) -> tuple[int, Message, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"User-Agent": "family-hub-security-test"}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value:
                self.cookies[name] = value
                self.seen_cookies.add(value)
            else:
                self.cookies.pop(name, None)
        return response.status, response.headers, text

    def get(self, path: str) -> str:
        status, _, text = self.send("GET", path)
        assert status == 200, (path, status)
        return text

    def submit(self, path: str, form: dict, *, token_from: str | None = None) -> int:
        """POST ``form`` with the CSRF token from the page at ``token_from`` (or ``path``)."""
        token = csrf_token_from(self.get(token_from or path))
        status, _, _ = self.send("POST", path, {**form, "csrf_token": token})
        return status


@pytest.fixture
def server(app: Flask) -> Iterator[int]:
    """The app as production runs it (CSRF on) behind a real Werkzeug server."""
    live = strict_app(app)
    httpd = make_server("127.0.0.1", 0, live, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_port
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        httpd.server_close()


@pytest.fixture
def every_logger_enabled() -> Iterator[None]:
    """Undo ``disable_existing_loggers``: Alembic's fileConfig (run by the migrations
    in conftest) silences every logger that existed then, werkzeug's included."""
    loggers = [
        logger for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and logger.disabled
    ]
    for logger in loggers:
        logger.disabled = False
    yield
    for logger in loggers:
        logger.disabled = True


def _unused_postcode(db: Session) -> str:
    """A real gazetteer postcode that no fixture uses, so only the search can log it."""
    used = set(db.execute(select(Location.postcode)).scalars())
    for postcode in db.execute(
        select(GazetteerPostcode.postcode).where(GazetteerPostcode.postcode.like("BL3 %"))
        .order_by(GazetteerPostcode.postcode).limit(50)
    ).scalars():
        if postcode not in used:
            return postcode
    raise AssertionError("no spare BL3 postcode in the gazetteer")


def test_it_no_password_postcode_email_or_session_cookie_appears_in_the_logs(
    server: int, db: Session, cast: Cast, caplog: pytest.LogCaptureFixture,
    every_logger_enabled: None,
) -> None:
    service = make_service(db, cast.provider, needs=("MHW",))
    db.commit()
    postcode = _unused_postcode(db)
    typed = f" {postcode.lower()} "
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="werkzeug")

    browser = Browser(server)
    # A failed sign-in, then a real one.
    assert browser.submit("/login", {"email": cast.staff.email, "password": WRONG_PASSWORD}) == 200
    assert browser.submit("/login", {"email": cast.staff.email, "password": PASSWORD}) == 302
    # A search by postcode.
    status, _, _ = browser.send("POST", "/search", {
        "csrf_token": csrf_token_from(browser.get("/search")),
        "postcode": typed, "needs": "MHW", "age": "7", "radius": "5", "mode": "",
    })
    assert status == 200
    # A capacity update by the provider.
    provider = Browser(server)
    assert provider.submit(
        "/login", {"email": cast.manager.email, "password": PASSWORD}
    ) == 302
    assert provider.submit("/provider/services", {
        f"accepting-{service.id}": "yes", f"free_places-{service.id}": "2",
        f"waitlist_length-{service.id}": "0", f"typical_wait_days-{service.id}": "10",
    }) == 302
    db.expire_all()
    assert service.capacity is not None and service.capacity.free_places == 2

    logged = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    assert "POST /search" in logged, "the access log was not captured"
    secrets_ = {
        "the password": PASSWORD,
        "the wrong password": WRONG_PASSWORD,
        "the postcode typed": typed.strip(),
        "the postcode": postcode,
        "the postcode without its space": postcode.replace(" ", ""),
        "the staff email": cast.staff.email,
        "the manager email": cast.manager.email,
        **{f"session cookie {n}": v for n, v in enumerate(browser.seen_cookies)},
        **{f"session cookie {n}": v for n, v in enumerate(provider.seen_cookies, 100)},
    }
    leaked = {what: value for what, value in secrets_.items() if value.lower() in logged.lower()}
    assert not leaked, f"in the logs: {sorted(leaked)}"


def test_it_search_forms_are_posted_so_postcodes_never_reach_a_url(
    app: Flask, cast: Cast
) -> None:
    client = app.test_client()
    login(client, cast.staff)
    page = parse(client.get("/search").get_data(as_text=True))
    with_postcode = [f for f in page.forms if "postcode" in f.inputs]
    assert with_postcode, "the search page has no postcode field"
    assert all(form.method == "post" for form in with_postcode)
    # The page does not read a postcode from the query string either.
    response = client.get("/search?postcode=BL7+9ZZ&needs=MHW")
    assert response.status_code == 200
    assert "BL7 9ZZ" not in response.get_data(as_text=True)


def test_it_database_errors_do_not_carry_query_parameters_into_the_logs(db: Session) -> None:
    """An unhandled database error is logged with its message; SQLAlchemy puts the
    bound values (a child's name, date of birth, postcode) in that message unless
    the engine is built with ``hide_parameters=True``."""
    marker = "Jones 2015-03-14 BL1 1SE"
    with pytest.raises(DBAPIError) as caught:
        db.execute(text("SELECT * FROM no_such_table WHERE name = :name"), {"name": marker})
    db.rollback()
    assert marker not in str(caught.value)


def test_it_masks_a_progress_token_in_every_log_line_when_the_page_fails(
    app: Flask, caplog: pytest.LogCaptureFixture, every_logger_enabled: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from routing.referrals import progress

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(progress, "check_and_show", broken)
    live = strict_app(app, testing=False)
    httpd = make_server("127.0.0.1", 0, live, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    token = "Zq" + "x" * 41  # the shape of a real token
    try:
        browser = Browser(httpd.server_port)
        with caplog.at_level(logging.DEBUG):
            page = browser.get(f"/progress/{token}")
            status, _, _ = browser.send("POST", f"/progress/{token}", {
                "csrf_token": csrf_token_from(page), "dob-day": "1", "dob-month": "2",
                "dob-year": "2015"})
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        httpd.server_close()
    assert status == 500
    assert "Exception on /progress/[token] [POST]" in caplog.text
    assert token not in caplog.text
    assert "/progress/[token]" in caplog.text
