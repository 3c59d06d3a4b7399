"""Every form outside the referral form steps (reviewed in tests/hub/referrals) answers
a bad value with the GOV.UK error summary, a message beside the field, and every
value that was typed shown again.

Passwords are the exception the design system makes: they are never shown again.
"""

from __future__ import annotations

import html as html_module
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals.models import ProgressLink
from tests.factories import Cast, login
from tests.hub.security.support import World, build_world

KEY = "k" * 24  # a form's once-only key (raise_key, start_key, send_key)


@dataclass
class Bad:
    """One bad submission: who, where, what, the field that must carry the message and
    the typed values that must come back."""

    role: str
    url: Callable[[World], str]
    data: dict[str, Any] | Callable[[World], dict[str, Any]]
    field: str
    kept: tuple[str, ...] = ()
    method: str = "POST"
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)


def _link_id(world: World) -> int:
    from hub.extensions import db

    return int(db.session.execute(select(ProgressLink.id)).scalars().first())


CASES: dict[str, Bad] = {
    "sign in: an email that is not one": Bad(
        "anonymous", lambda w: "/login", {"email": "ann.example.org", "password": "x"},
        "email", ("ann.example.org",)),
    "forgot password: an email that is not one": Bad(
        "anonymous", lambda w: "/password/forgot", {"email": "not an email"}, "email",
        ("not an email",)),
    "account: password change with the wrong current password": Bad(
        "staff", lambda w: "/account/password",
        {"current": "wrong-password", "password": "a-long-new-passphrase-1",
         "confirm": "a-long-new-passphrase-1"}, "current"),
    "account: a second-factor code of letters": Bad(
        "staff", lambda w: "/account/two-factor", {"code": "abcdef"}, "code", ("abcdef",)),
    "admin: a new user with a bad email": Bad(
        "coordinator", lambda w: "/admin/users/new",
        lambda w: {"name": "Ann Lee", "email": "ann at school", "role": "school_staff",
         "organisation_id": str(w.cast.school.organisation_id),
         "password": "a-long-new-passphrase-1"}, "email",
        ("Ann Lee", "ann at school")),
    "admin: a new school with a 100-character URN": Bad(
        "coordinator", lambda w: "/admin/schools/new",
        {"name": "Brook Primary", "urn": "9" * 100, "phase": "primary",
         "address": "1 Brook Street", "postcode": "BL1 1SE"}, "urn",
        ("Brook Primary", "1 Brook Street", "9" * 100)),
    "admin: a new organisation without a name": Bad(
        "coordinator", lambda w: "/admin/organisations/new",
        {"name": "", "kind": "voluntary", "website": "brook.example.org",
         "phone": "01204 000000"}, "name", ("brook.example.org", "01204 000000")),
    "admin: a password reset too short": Bad(
        "coordinator", lambda w: f"/admin/users/{w.cast.staff.id}/password",
        {"password": "short"}, "password"),
    "safeguarding: a concern with a 20-digit year of birth": Bad(
        "staff", lambda w: "/safeguarding/concerns/new",
        {"raise_key": KEY, "kind": "welfare", "first_name": "Amy", "last_name": "Shaw",
         "dob-day": "1", "dob-month": "2", "dob-year": "9" * 20,
         "details": "Seen upset at the gate"}, "date_of_birth",
        ("Amy", "Shaw", "Seen upset at the gate", "9" * 20)),
    "safeguarding: a decision not chosen": Bad(
        "dsl", lambda w: f"/safeguarding/items/{w.params['item_id']}/decision",
        {"decision": "", "note": "Spoke to the family support worker"}, "decision",
        ("Spoke to the family support worker",)),
    "missing education: an action dated in a 20-digit year": Bad(
        "dsl", lambda w: f"/missing-education/cases/{w.params['case_id']}/actions",
        {"action_key": KEY, "done_on-day": "3", "done_on-month": "4", "done_on-year": "9" * 20,
         "note": "Home visit, nobody in"}, "done_on",
        ("Home visit, nobody in", "9" * 20)),
    "missing education: a picture instead of the attendance CSV": Bad(
        "dsl", lambda w: "/missing-education/attendance", {}, "file",
        files={"file": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "attendance.csv")}),
    "lead practitioner: nobody chosen": Bad(
        "staff", lambda w: f"/caseload/children/{w.params['child_id']}/appoint",
        {"start_key": KEY, "user_id": "", "family_agreed": "yes",
         "family_agreement": "Mum, at a meeting in school", "note": "Start with school"},
        "user_id", ("Mum, at a meeting in school", "Start with school")),
    "progress link: an email that is not one": Bad(
        "staff", lambda w: (f"/referrals/children/{w.params['child_id']}/progress-link/"
                            f"{_link_id(w)}/send"),
        lambda w: {"send_key": KEY, "token": w.progress_token, "channel": "email",
                   "email": "mum at home", "agreed": "yes"},
        "email", ("mum at home",)),
    "progress page: a date of birth that is not a date": Bad(
        "anonymous", lambda w: f"/progress/{w.progress_token}",
        {"dob-day": "31", "dob-month": "2", "dob-year": "2016"}, "dob", ("31", "2016")),
    "provider: a new service without a description": Bad(
        "manager", lambda w: "/provider/services/new",
        {"name": "Sleep clinic", "description": "", "needs": "MHW", "min_age": "4",
         "max_age": "11", "delivery_modes": "in_person", "venue_address": "2 Mill Lane",
         "venue_postcode": "BL1 1SE", "contact_email": "sleep@example.org"},
        "description", ("Sleep clinic", "2 Mill Lane", "sleep@example.org")),
    "provider: an age of 10**30": Bad(
        "manager", lambda w: "/provider/services/new",
        {"name": "Sleep clinic", "description": "Help with sleep", "needs": "MHW",
         "min_age": str(10**30), "max_age": "11", "delivery_modes": "in_person"},
        "min_age", ("Sleep clinic", "Help with sleep", str(10**30))),
    "search: an age of 10**30": Bad(
        "staff", lambda w: "/search",
        {"postcode": "BL1 1SE", "needs": "MHW", "age": str(10**30)}, "age",
        ("BL1 1SE", str(10**30))),
    "triage: a keyword rule of 100 kB": Bad(
        "coordinator", lambda w: "/triage/rules", {"keywords-MHW": "anxiety, " + "w" * 100_000},
        "keywords-MHW", ("anxiety, " + "w" * 100_000,)),
    "audit: dates and numbers that are not": Bad(
        "dpo", lambda w: "/audit?since=2026-13-01&child=abc&until=31%2F12%2F2026",
        {}, "since", ("2026-13-01", "abc", "31/12/2026"), method="GET"),
    "erasure: a record number that is not": Bad(
        "dpo", lambda w: "/audit/erasure", {"child": "12ab"}, "child", ("12ab",)),
}


def assert_shown_beside(page: str, name: str, kept: tuple[str, ...]) -> None:
    """The error summary links to the field, the message sits beside it, and every
    typed value is in the page again."""
    found = (re.findall(r'href="#[^"]*"', page)[:8],
             re.findall(r'<[^>]*govuk-error-message[^>]*>[^<]*<[^>]*>[^<]*', page)[:4],
             re.findall(r'<title>[^<]*', page))
    assert "govuk-error-summary" in page, f"no error summary: {found}"
    assert f'href="#{name}' in page, f"the error summary does not link to {name}: {found}"
    message = re.compile(
        rf'<[^>]*(class="govuk-error-message"[^>]*id="{re.escape(name)}(-error)?"'
        rf'|id="{re.escape(name)}(-error)?"[^>]*class="govuk-error-message")')
    assert message.search(page), f"no govuk-error-message beside {name}: {found}"
    text = html_module.unescape(page)
    lost = [value[:40] for value in kept if value not in text]
    assert not lost, f"typed values lost on re-render: {lost}"


@pytest.fixture
def world(db: Session, cast: Cast) -> World:
    return build_world(db, cast)


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_it_shows_a_bad_value_beside_its_field_and_keeps_what_was_typed(
    app: Flask, db: Session, world: World, case: Bad
) -> None:
    client = app.test_client()
    if case.role == "dpo":
        world.cast.coordinator.is_dpo = True
        db.commit()
    if case.role != "anonymous":
        login(client, getattr(world.cast, "coordinator" if case.role == "dpo" else case.role))
    url = case.url(world)
    if case.method == "GET":
        response = client.get(url)
    else:
        data: dict[str, Any] = dict(case.data(world) if callable(case.data) else case.data)
        data.update({name: (BytesIO(content), filename)
                     for name, (content, filename) in case.files.items()})
        response = client.post(url, data=data)
    assert response.status_code in (200, 400), (response.status_code, response.location)
    assert_shown_beside(response.get_data(as_text=True), case.field, case.kept)
