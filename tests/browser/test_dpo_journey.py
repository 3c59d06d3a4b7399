"""The data protection officer in a real browser, on the demo area: Ruby Hartwell's
mother asks for everything held about her daughter. The officer types a wrong record
number and is told so beside the field, finds Ruby's number from the referrals list,
reads the subject access document and downloads it, then filters the audit to Ruby's
record. Then Harry Winstanley's family asks for his record to be erased (his referrals
are all closed): the officer looks at what is due for deletion, finds his record by
number, tries to erase it without a ground and is told so beside the field, then
erases it with a double click and is told once. Every page is checked with axe-core."""

from __future__ import annotations

import json
import re

import pytest

from tests.browser.support import skip_reason

if (_reason := skip_reason()) is not None:
    pytest.skip(_reason, allow_module_level=True)

from playwright.sync_api import Page, expect

from tests.browser.support import Journey, double_click, log_in

# The demo coordinator is also the data protection officer (README, "Audit").
DPO = "coordinator@demo.familyhub.test"
CHILD = "Ruby Hartwell"
# No journey but this one uses him: his record is gone once it has run.
ERASED_CHILD = "Harry Winstanley"


def _menu(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=name, exact=True).click()


def _record_number(journey: Journey, page: Page, name: str) -> str:
    """The child's record number, from their page, found through Referrals."""
    _menu(page, "Referrals")
    journey.check(page, "referrals")
    page.get_by_label("Find a referral").fill(name)
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#search-summary")).to_contain_text(f"for \u201c{name}\u201d")
    journey.check(page, f"referrals for {name}")
    page.locator("main table").get_by_role("link").first.click()
    journey.check(page, f"{name}'s referral")
    page.get_by_role("link", name=name, exact=True).click()
    caption = page.locator(".govuk-caption-l", has_text=re.compile(r"^Record \d+$"))
    journey.check(page, f"{name}'s page")
    return re.sub(r"\D", "", caption.inner_text())


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


def test_it_the_data_protection_officer_erases_a_record_on_request(journey: Journey) -> None:
    page = journey.page()
    log_in(journey, page, DPO)
    journey.check(page, "home")
    _menu(page, "Due for deletion")
    expect(page.get_by_role("heading", name="Records due for deletion")).to_be_visible()
    expect(page.locator("#kinds")).to_contain_text("Failed sign-ins")
    journey.check(page, "due for deletion")

    record = _record_number(journey, page, ERASED_CHILD)
    _menu(page, "Erase a record")
    journey.check(page, "erase a record")
    page.get_by_label("Record number").fill(record)
    page.get_by_role("button", name="Find the record").click()
    expect(page.get_by_role("heading", name=f"Erase {ERASED_CHILD}\u2019s record")
           ).to_be_visible()
    expect(page.locator("#erased")).to_contain_text("Referrals")
    journey.check(page, "what would be erased")

    # No ground chosen: told beside the field, and the note typed is kept.
    page.get_by_label("Request reference or note (optional)").fill("Request DPO-2026-031")
    page.get_by_role("button", name="Erase this record").click()
    expect(page.locator("#ground-error")).to_contain_text("Choose the ground")
    expect(page.get_by_label("Request reference or note (optional)")).to_have_value(
        "Request DPO-2026-031")
    journey.check(page, "no ground")

    page.get_by_label("Consent withdrawn, and no other lawful basis to keep it").check()
    double_click(page, page.get_by_role("button", name="Erase this record"))
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_have_count(1)
    expect(banner).to_contain_text(f"Record {record} was erased")
    journey.check(page, "erased")

    # The record is no longer held, and the audit says who erased it and why.
    page.get_by_label("Record number").fill(record)
    page.get_by_role("button", name="Find the record").click()
    expect(page.get_by_role("heading", name=f"Record {record} was already erased")
           ).to_be_visible()
    journey.check(page, "already erased")
    page.get_by_role("link", name="See the erasure in the audit").click()
    rows = page.locator("table").first
    expect(rows).to_contain_text("record erased")
    expect(rows).to_contain_text("Consent withdrawn")
    journey.check(page, "audit of the erasure")
    journey.finish()
