"""Lead practitioners in a real browser, on the demo area: a school's pastoral lead hands
a child over to the link worker with a note; the link worker finds the child in "My
caseload"; the family sees their lead practitioner at 320 px. Every page is
screenshotted and checked with axe-core."""

from __future__ import annotations

import pytest

from tests.browser.support import skip_reason

if (_reason := skip_reason()) is not None:
    pytest.skip(_reason, allow_module_level=True)

from playwright.sync_api import Page, expect

from tests.browser.support import Journey, log_in

STAFF = "staff.farnworth@demo.familyhub.test"
LINK_WORKER = "linkworker@demo.familyhub.test"
FAMILY_LINK = "/progress/demo-family-progress-link-ruby-hartwell-2016"


def _menu(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=name).click()


def test_it_school_staff_hand_a_child_over_to_the_link_worker(journey: Journey) -> None:
    page = journey.page()
    log_in(journey, page, STAFF)
    journey.check(page, "home")
    _menu(page, "My caseload")
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    journey.check(page, "staff caseload")
    page.get_by_role("link", name="Zara Mellor").click()
    journey.check(page, "lead page")
    page.get_by_role("button", name="Hand over").click()
    expect(page.get_by_text("Write a handover note for the new lead practitioner").first
           ).to_be_visible()
    journey.check(page, "handover errors")
    page.get_by_label("Who takes over?").select_option(label="Dee Kershaw (Link worker, "
                                                              "Bolton Families Together)")
    page.get_by_label("Handover note").fill("Zara's mum prefers a call after 4pm.\n"
                                            "The review is on Friday.")
    page.get_by_role("button", name="Hand over").click()
    expect(page.get_by_text("Handed over to Dee Kershaw")).to_be_visible()
    journey.check(page, "handed over")
    journey.finish()


def test_it_the_link_worker_sees_their_caseload_only(journey: Journey) -> None:
    page = journey.page()
    log_in(journey, page, LINK_WORKER)
    journey.check(page, "home")
    _menu(page, "My caseload")
    for name in ("Ruby Hartwell", "Reece Holcroft", "Zara Mellor"):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    journey.check(page, "link worker caseload")
    page.get_by_role("link", name="Zara Mellor").click()
    expect(page.get_by_text("Zara's mum prefers a call after 4pm.")).to_be_visible()
    journey.check(page, "link worker lead page")
    expect(page.get_by_role("link", name="Manage")).to_have_count(0)
    journey.finish()


def test_it_the_family_sees_their_lead_practitioner_on_a_small_screen(
    journey: Journey
) -> None:
    page = journey.page(width=320, height=640)
    page.goto(FAMILY_LINK)
    journey.check(page, "family date of birth")
    page.get_by_label("Day").fill("14")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2016")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Your lead practitioner")).to_be_visible()
    expect(page.get_by_role("link", name="linkworker@demo.familyhub.test")).to_have_attribute(
        "href", "mailto:linkworker@demo.familyhub.test")
    journey.check(page, "family page with lead")
    journey.finish()
