"""The referral form to the GOV.UK standard, over HTTP: step captions and back links,
"Change" returning to check your answers, every answer in plain words, the declaration,
Your drafts, Refer from search, precise date messages, lengths, and bad ids."""

from __future__ import annotations

import re
import secrets
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.date_input import read_date
from routing.referrals import operations as ops
from routing.referrals.answers import STEP_TITLES, STEPS
from routing.referrals.children import ChildDetails
from routing.referrals.models import ReferralRequest
from services.db import utcnow
from tests.factories import Cast, login, make_service
from tests.routing.referrals.helpers import complete_draft, sent_referral


def _staff(app: Flask, cast: Cast) -> FlaskClient:
    client = app.test_client()
    login(client, cast.staff)
    return client


@pytest.mark.parametrize(("day", "month", "year", "message", "wrong"), [
    ("31", "2", "2016", "Date of birth must be a real date", {"day"}),
    ("", "", "", "", set()),
    ("", "3", "2016", "Date of birth must include a day", {"day"}),
    ("1", "", "", "Date of birth must include a month and a year", {"month", "year"}),
    ("1", "13", "2016", "Date of birth must be a real date", {"month"}),
    ("x", "3", "2016", "Date of birth must be a real date", {"day"}),
    ("1", "3", "16", "Year must include 4 numbers", {"year"}),
    ("1", "3", "99999999999999999999", "Date of birth must be a real date", {"year"}),
])
def test_it_reads_a_date_input_with_the_design_systems_messages(
    day: str, month: str, year: str, message: str, wrong: set[str]
) -> None:
    typed = read_date({"dob-day": day, "dob-month": month, "dob-year": year}, "dob",
                      "Date of birth")
    assert typed.error == message and set(typed.wrong) == wrong
    assert typed.value is None
    assert read_date({"dob-day": "29", "dob-month": "2", "dob-year": "2016"}, "dob",
                     "Date of birth").value == date(2016, 2, 29)


def test_it_every_step_says_where_it_is_and_links_back(
    app: Flask, db: Session, cast: Cast
) -> None:
    draft = ops.start_request(db, secrets.token_hex(8), cast.staff.id, cast.school.id, utcnow())
    db.commit()
    client = _staff(app, cast)
    for number, step in enumerate(STEPS, 1):
        page = client.get(f"/referrals/drafts/{draft.id}/{step}").get_data(as_text=True)
        assert f"Step {number} of {len(STEP_TITLES)}" in page, step
        back = re.search(r'<a href="([^"]+)" class="govuk-back-link">', page)
        assert back is not None
        expected = ("/referrals/drafts" if number == 1
                    else f"/referrals/drafts/{draft.id}/{STEPS[number - 2]}")
        assert back.group(1) == expected
    changing = client.get(f"/referrals/drafts/{draft.id}/profile?change=1").get_data(
        as_text=True)
    assert f'href="/referrals/drafts/{draft.id}/check" class="govuk-back-link"' in changing


def test_it_change_returns_to_check_your_answers_which_shows_everything_in_words(
    app: Flask, db: Session, cast: Cast
) -> None:
    mind = make_service(db, cast.provider, name="Mind Matters", needs=("MHW",))
    draft = complete_draft(db, cast, {"MHW": mind}, urgent=True)
    ops.save_step(db, draft, "needs", {
        "needs": ["MHW"], "family_wants": "Help with sleep\nand with school",
        "resources": "Female worker, Polish interpreter"}, utcnow())
    ops.save_step(db, draft, "profile", {"strengths": "Drawing", "strategies": "Quiet room",
                                         "avoid": "Loud spaces"}, utcnow())
    ops.save_step(db, draft, "contact", {"person": "carer-0", "ways": ["phone", "school"],
                                         "times": "After 4pm",
                                         "avoid": "Do not contact dad"}, utcnow())
    db.commit()
    client = _staff(app, cast)
    check = client.get(f"/referrals/drafts/{draft.id}/check").get_data(as_text=True)
    for words in ("Female worker, Polish interpreter", "Quiet room", "Loud spaces",
                  "After 4pm", "Do not contact dad", "BL1 1SE", "14 March 2015",
                  "Phone call (07700 900982), In person at school", "Mind Matters",
                  "Help with sleep\nand with school", "I confirm that"):
        assert words in check, words
    assert "phone, school" not in check
    assert re.search(r"recorded \d{1,2} [A-Z][a-z]+ \d{4} at \d{1,2}:\d\d[ap]m", check)
    assert re.search(r"Urgent \(needs help now\)</dt><dd[^>]*>Mental health", check)
    assert 'class="govuk-summary-list__value hub-lines">Help with sleep' in check
    change = f"/referrals/drafts/{draft.id}/profile?change=1"
    assert change in check
    saved = client.post(change, data={"strengths": "Drawing and football"})
    assert saved.status_code == 302 and saved.location.endswith(f"/drafts/{draft.id}/check")
    refused = client.post(f"/referrals/drafts/{draft.id}/check",
                          data={"send_key": draft.send_key})
    assert refused.status_code == 400
    assert "Confirm the declaration to send the referral" in refused.get_data(as_text=True)


def test_it_the_urgent_question_offers_only_the_needs_chosen_and_refuses_others(
    app: Flask, db: Session, cast: Cast
) -> None:
    draft = ops.start_request(db, secrets.token_hex(8), cast.staff.id, cast.school.id, utcnow())
    ops.save_step(db, draft, "needs", {"needs": ["MHW", "HOUSING"], "family_wants": "Help"},
                  utcnow())
    db.commit()
    client = _staff(app, cast)
    page = client.get(f"/referrals/drafts/{draft.id}/urgency").get_data(as_text=True)
    offered = re.findall(r'name="urgent" type="checkbox" value="([^"]+)"', page)
    assert offered == ["MHW", "HOUSING"]
    refused = client.post(f"/referrals/drafts/{draft.id}/urgency",
                          data={"urgent": ["MHW", "SEND"]})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Not chosen:" in body
    assert 'value="MHW" checked' in body  # what was ticked is kept


def test_it_child_step_messages_sit_beside_fields_and_keep_what_was_typed(
    app: Flask, db: Session, cast: Cast
) -> None:
    draft = ops.start_request(db, secrets.token_hex(8), cast.staff.id, cast.school.id, utcnow())
    db.commit()
    client = _staff(app, cast)
    long_name = "A" * 101
    refused = client.post(f"/referrals/drafts/{draft.id}/child", data={
        "first_name": long_name, "last_name": "Khan", "dob-day": "31", "dob-month": "2",
        "dob-year": "2016", "home_postcode": "hello"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Date of birth must be a real date" in body
    assert "Enter a full UK postcode, like BL1 1SE" in body
    assert "Enter 100 characters or fewer" in body
    assert f'value="{long_name}"' in body and 'value="hello"' in body and 'value="31"' in body
    assert 'id="dob-day" name="dob-day"' in body
    assert re.search(r'govuk-input--error" id="dob-day"', body)
    assert not re.search(r'govuk-input--error" id="dob-month"', body)
    assert 'data-module="govuk-character-count" data-maxlength="100"' in body


def test_it_refuses_an_over_long_answer_and_shows_it_whole(
    app: Flask, db: Session, cast: Cast
) -> None:
    draft = ops.start_request(db, secrets.token_hex(8), cast.staff.id, cast.school.id, utcnow())
    db.commit()
    client = _staff(app, cast)
    typed = "s" * 5001
    refused = client.post(f"/referrals/drafts/{draft.id}/profile", data={"strengths": typed})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Enter 5,000 characters or fewer (you entered 5,001)" in body
    assert typed in body
    assert 'data-maxlength="5000"' in body and "You can enter up to 5,000 characters" in body


def test_it_lists_resumes_and_deletes_drafts_and_says_when_they_go(
    app: Flask, db: Session, cast: Cast
) -> None:
    draft = ops.start_request(db, secrets.token_hex(8), cast.staff.id, cast.school.id, utcnow())
    ops.save_child(db, draft, ChildDetails("Ava", "Khan", date(2015, 3, 14), "BL1 1SE"), None,
                   utcnow())
    db.commit()
    client = _staff(app, cast)
    page = client.get("/referrals/drafts").get_data(as_text=True)
    assert "Ava Khan" in page and "untouched" not in page
    assert "nobody changes for 30 days is deleted" in page
    assert f"/referrals/drafts/{draft.id}/family" in page  # resume where it stopped
    other = app.test_client()
    login(other, cast.other_staff)
    assert other.post(f"/referrals/drafts/{draft.id}/delete").status_code == 403
    assert client.get(f"/referrals/drafts/{draft.id}/delete").status_code == 200
    gone = client.post(f"/referrals/drafts/{draft.id}/delete")
    assert gone.status_code == 302
    db.expire_all()
    assert db.get(ReferralRequest, draft.id) is None
    assert "Ava Khan" not in client.get(gone.location).get_data(as_text=True)


def test_it_refer_on_search_results_starts_one_draft_with_the_search_carried(
    app: Flask, db: Session, cast: Cast
) -> None:
    mind = make_service(db, cast.provider, name="Mind Matters", needs=("MHW",),
                        postcode="BL1 1SE")
    db.commit()
    client = _staff(app, cast)
    results = client.post("/search", data={
        "postcode": "BL1 1SE", "needs": ["MHW"], "age": "9", "radius": "5",
        "severity": "moderate", "urgency": "urgent"}).get_data(as_text=True)
    assert 'id="refer-form"' in results
    assert f'name="chosen" type="checkbox" value="MHW:{mind.id}" form="refer-form"' in results
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', results))
    data = {**hidden, "needs": ["MHW"], "chosen": [f"MHW:{mind.id}"]}
    first = client.post("/referrals/from-search", data=data)
    again = client.post("/referrals/from-search", data=data)  # a double click
    assert first.status_code == again.status_code == 302
    assert first.location == again.location and first.location.endswith("/child")
    assert db.execute(select(func.count(ReferralRequest.id))).scalar_one() == 1
    draft_id = int(first.location.split("/")[-2])
    child = client.get(first.location).get_data(as_text=True)
    assert 'value="BL1 1SE"' in child and "Your search said the child is 9" in child
    needs = client.get(f"/referrals/drafts/{draft_id}/needs").get_data(as_text=True)
    assert re.search(r'value="MHW"[^>]*checked', needs)
    assert client.post("/referrals/from-search", data={**data, "start_key": "short"}
                       ).status_code == 400
    assert client.post("/referrals/from-search", data={**data, "start_key": "k" * 20,
                                                       "needs": ["NOPE"]}).status_code == 400
    provider = app.test_client()
    login(provider, cast.manager)
    assert 'id="refer-form"' not in provider.post("/search", data={
        "postcode": "BL1 1SE", "needs": ["MHW"]}).get_data(as_text=True)
    assert provider.post("/referrals/from-search", data=data).status_code == 403


def test_it_the_list_shows_the_child_and_finds_by_name_reference_or_upn_in_scope(
    app: Flask, db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, needs=("MHW",))
    mine = sent_referral(db, cast, service, risk="high")
    mine.child.upn = "B801200005001"
    db.commit()
    client = _staff(app, cast)
    listed = client.get("/referrals").get_data(as_text=True)
    assert mine.child.first_name in listed
    assert "Flagged for safeguarding attention because a risk was assessed as high." in listed
    for query in (mine.child.first_name.lower()[:3], f"{mine.child.first_name} jones",
                  mine.reference.lower(), "b801200005001"):
        found = client.post("/referrals", data={"q": query}).get_data(as_text=True)
        assert mine.reference in found, query
    missing = client.post("/referrals", data={"q": "Nobody"}).get_data(as_text=True)
    assert mine.reference not in missing and "No referrals match." in missing
    assert client.post("/referrals", data={"q": "x" * 101}).status_code == 400
    other = app.test_client()
    login(other, cast.other_staff)
    theirs = other.post("/referrals", data={"q": mine.reference}).get_data(as_text=True)
    assert f'href="/referrals/{mine.id}"' not in theirs and "No referrals match." in theirs


def test_it_answers_oversize_and_unknown_ids_with_404_not_500(
    app: Flask, db: Session, cast: Cast
) -> None:
    client = _staff(app, cast)
    huge = "9" * 40
    for path in (f"/referrals/drafts/{huge}/child", f"/referrals/drafts/{huge}/delete",
                 f"/referrals/drafts/{huge}/check", "/referrals/drafts/0/child"):
        assert client.get(path).status_code == 404, path
    draft = ops.start_request(db, secrets.token_hex(8), cast.staff.id, cast.school.id, utcnow())
    db.commit()
    assert client.get(f"/referrals/drafts/{draft.id}/nonsense").status_code == 404
    refused = client.post(f"/referrals/drafts/{draft.id}/providers",
                          data={"need-MHW": huge})
    assert refused.status_code in (400, 404)
