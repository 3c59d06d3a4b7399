"""The data protection officer in a real browser, on the demo area: Ruby Hartwell's
mother asks for everything held about her daughter. The officer types a wrong record
number and is told so beside the field, finds Ruby's number from the referrals list,
reads the subject access document and downloads it, then filters the audit to Ruby's
record. Every page is screenshotted and checked with axe-core."""

from __future__ import annotations

import json
import re

import pytest

from tests.browser.support import skip_reason

if (_reason := skip_reason()) is not None:
    pytest.skip(_reason, allow_module_level=True)

from playwright.sync_api import Page, expect

from tests.browser.support import Journey, log_in

# The demo coordinator is also the data protection officer (README, "Audit").
DPO = "coordinator@demo.familyhub.test"
CHILD = "Ruby Hartwell"


def _menu(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=name).click()


def test_it_the_data_protection_officer_answers_a_subject_access_request(
    journey: Journey,
) -> None:
    page = journey.page()
    log_in(journey, page, DPO)
    journey.check(page, "home")
    _menu(page, "Audit")
    expect(page.get_by_role("heading", name="Audit", exact=True)).to_be_visible()
    journey.check(page, "audit")

    page.get_by_role("link", name="Answer a subject access request").click()
    journey.check(page, "subject access")
    page.get_by_label("Record number").fill("987654")
    page.get_by_role("button", name="Produce the document").click()
    expect(page.locator("#child-error")).to_contain_text(
        "No child's record numbered 987654 is held")
    expect(page.get_by_label("Record number")).to_have_value("987654")
    journey.check(page, "no such record")

    # The hint says where the number is: the child's page, found under Referrals.
    page.locator("#child-hint").get_by_role("link", name="Referrals").click()
    journey.check(page, "referrals")
    page.get_by_label("Find a referral").fill(CHILD)
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#search-summary")).to_contain_text(f"for \u201c{CHILD}\u201d")
    journey.check(page, "referrals found")
    page.locator("main table").get_by_role("link").first.click()
    journey.check(page, "referral")
    page.get_by_role("link", name=CHILD).click()
    caption = page.locator(".govuk-caption-l", has_text=re.compile(r"^Record \d+$"))
    record = re.sub(r"\D", "", caption.inner_text())
    journey.check(page, "child's page")

    _menu(page, "Audit")
    journey.check(page, "audit again")
    page.get_by_role("link", name="Answer a subject access request").click()
    journey.check(page, "subject access again")
    page.get_by_label("Record number").fill(record)
    page.get_by_role("button", name="Produce the document").click()
    expect(page.get_by_role("heading", name=f"Everything Family Hub holds about {CHILD}")
           ).to_be_visible()
    expect(page.get_by_role("heading", name="Who read or changed the record")).to_be_visible()
    journey.check(page, "subject access document")

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("JSON")).click()
    document = json.loads(download.value.path().read_text())
    assert document["sections"][0]["title"] == "The child's record"

    _menu(page, "Audit")
    journey.check(page, "audit once more")
    page.get_by_label("Record number").fill(record)
    page.get_by_role("button", name="Show").click()
    # What the officer just did is itself in the child's audit.
    rows = page.locator("table").first
    expect(rows).to_contain_text("subject access")
    expect(rows).to_contain_text(f"child {record}")
    journey.check(page, "audit of the record")
    journey.finish()
