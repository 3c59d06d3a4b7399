"""The safeguarding lead's queue in a real browser, on the demo area: a teacher records a
concern about a child the school barely knows, the lead hands it over to the children's
social care front door, and a week later the coordinator finds the demo's safeguarding
stop nobody actioned. Every page is screenshotted and checked with axe-core.

Runs after tests/browser/test_journeys.py on the same served app (the clock is moved
and put back within the last journey).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from tests.browser.support import skip_reason

if (_reason := skip_reason()) is not None:
    pytest.skip(_reason, allow_module_level=True)

from playwright.sync_api import Page, expect

from tests.browser.support import Journey, ServedApp, log_in

TEACHER = "staff.tongemoor@demo.familyhub.test"
LEAD = "dsl.tongemoor@demo.familyhub.test"
COORDINATOR = "coordinator@demo.familyhub.test"
ITEM_REFERENCE = re.compile(r"SG-[A-Z0-9]{8}")
FRONT_DOOR = ("Referred to the children's social care front door (or the multi-agency "
              "safeguarding hub)")


@dataclass
class Concern:
    reference: str | None = None


@pytest.fixture(scope="module")
def concern() -> Concern:
    return Concern()


def _menu(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=name).click()


def test_it_a_teacher_records_a_concern_about_a_child_the_school_barely_knows(
    journey: Journey, concern: Concern
) -> None:
    page = journey.page()
    log_in(journey, page, TEACHER)
    journey.check(page, "home")
    _menu(page, "Safeguarding")
    expect(page.get_by_role("heading", name="Safeguarding", exact=True)).to_be_visible()
    journey.check(page, "my concerns")
    page.get_by_role("link", name="Record a concern about a child").click()
    journey.check(page, "concern form")

    # Send with nothing typed: each message beside its field.
    page.get_by_role("button", name="Send to the safeguarding lead").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose what the concern is")
    journey.check(page, "concern form with errors")

    page.get_by_label("Whereabouts unknown").check()
    page.get_by_label("First name").fill("Jayden")
    page.get_by_label("Last known address (if you know it)").fill(
        "Flat 9, 2 Crescent Road, Bolton")
    page.get_by_label("Describe what worries you and what you know").fill(
        "Friends say he has not been home for three nights.")
    page.get_by_role("button", name="Send to the safeguarding lead").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "safeguarding lead has been told")
    reference = ITEM_REFERENCE.search(page.locator("h1").inner_text())
    assert reference is not None
    concern.reference = reference.group(0)
    # The teacher sees that it is with the lead, not what the lead decides.
    expect(page.locator("h1 .govuk-tag")).to_have_text("Waiting for the lead")
    expect(page.get_by_role("button", name="Record the decision")).to_have_count(0)
    journey.check(page, "concern recorded")
    journey.finish()


def test_it_the_lead_hands_the_concern_over_to_the_front_door(
    journey: Journey, concern: Concern
) -> None:
    if concern.reference is None:
        pytest.skip("the teacher's journey did not record a concern")
    page = journey.page()
    log_in(journey, page, LEAD)
    journey.check(page, "home")
    _menu(page, "Safeguarding")
    queue = page.locator("table", has=page.get_by_role("link", name=concern.reference))
    expect(queue).to_contain_text("Jayden")
    # The demo's safeguarding stop waits in the same queue.
    expect(queue).to_contain_text("Referral stopped: may be at risk of significant harm")
    journey.check(page, "queue")
    page.get_by_role("link", name=concern.reference).click()
    journey.check(page, "item")

    today = datetime.now(UTC)
    page.get_by_label(FRONT_DOOR).check()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Their reference (if they gave one)").fill("MASH-20931")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("h1 .govuk-tag")).to_have_text("Decided")
    expect(page.locator(".hub-timeline")).to_contain_text("Decision: Referred to the children")
    expect(page.locator(".govuk-summary-list")).to_contain_text("MASH-20931")
    journey.check(page, "handed over")

    page.get_by_label("Outcome").fill("Police welfare check; found at an aunt's address")
    page.get_by_role("button", name="Add to the record").click()
    expect(page.locator(".hub-timeline")).to_contain_text("found at an aunt's address")
    journey.check(page, "outcome added")
    journey.finish()


def test_it_the_lead_records_tracing_a_child_missing_education(journey: Journey) -> None:
    page = journey.page()
    log_in(journey, page, LEAD)
    journey.check(page, "home")
    _menu(page, "Missing education")
    tracing = page.locator("table", has_text="Amara Okafor")
    expect(tracing).to_contain_text("Tracing")
    journey.check(page, "missing education register")
    tracing.get_by_role("link", name=re.compile(r"ME-")).first.click()
    journey.check(page, "missing education case")
    page.get_by_role("button", name="Record the action").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what was done")
    journey.check(page, "missing education case with errors")
    today = datetime.now(UTC)
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_label("What was done or found").fill(
        "Bury's officer confirmed the family is home educating; letter on file.")
    page.get_by_label("Found in elective home education").check()
    page.get_by_role("button", name="Record the action").click()
    expect(page.locator("h1 .govuk-tag")).to_have_text("Found in elective home education")
    expect(page.locator(".hub-timeline")).to_contain_text("home educating")
    journey.check(page, "missing education case traced")
    page.goto(page.url.split("/missing-education")[0] + "/missing-education/attendance")
    journey.check(page, "attendance imports")
    page.get_by_role("link", name=re.compile("tonge-moor-autumn-2")).click()
    expect(page.locator("#crossed")).to_contain_text("Crossed a threshold")
    journey.check(page, "attendance import")
    journey.finish()


def test_it_the_coordinator_finds_the_safeguarding_stop_nobody_actioned_a_week_later(
    journey: Journey, served_app: ServedApp
) -> None:
    page = journey.page()
    log_in(journey, page, COORDINATOR)
    journey.check(page, "home")
    served_app.shift_clock(timedelta(days=7))  # at least three working days
    try:
        _menu(page, "Stuck referrals and children")
        heading = page.locator("h2", has_text="Safeguarding items not actioned in time (")
        expect(heading).to_be_visible()
        expect(page.locator("p", has_text="designated safeguarding lead 1 working day ago")
               ).to_be_visible()
        section = heading.locator("xpath=following-sibling::table[1]")
        expect(section).to_contain_text("Referral stopped: may be at risk of significant harm")
        expect(section).to_contain_text("Tonge Moor Primary School")
        journey.check(page, "stuck with safeguarding")
        stop = section.locator("tr", has_text="Referral stopped").get_by_role("link")
        stop.click()
        expect(page.locator("h1 .govuk-tag")).to_have_text("Overdue")
        # The coordinator may record the decision when the lead has not.
        expect(page.get_by_role("button", name="Record the decision")).to_have_count(1)
        journey.check(page, "overdue item")
    finally:
        served_app.shift_clock(timedelta(0))
    journey.finish()
