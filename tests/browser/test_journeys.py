"""Five people use Family Hub in a real browser, one after another, on one demo area.

The journeys mirror tests/hub/referrals/test_journey.py and build on each other's data,
so they run in this order in one process: a teacher refers a child for two needs, the
NHS trust accepts one and declines the other, the teacher re-routes the declined
need, the family follows both on a phone, and days later the coordinator finds the
referral nobody has opened. Every page is screenshotted to artifacts/screenshots/
and checked with axe-core against WCAG 2.2 AA.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from tests.browser.support import skip_reason

if (_reason := skip_reason()) is not None:
    pytest.skip(_reason, allow_module_level=True)

from playwright.sync_api import Page, expect

from tests.browser.support import (
    Journey,
    ServedApp,
    double_click,
    is_focused,
    log_in,
    tab_until,
)

STAFF = "staff.tongemoor@demo.familyhub.test"
PROVIDER = "manager.nhs@demo.familyhub.test"
COORDINATOR = "coordinator@demo.familyhub.test"
MENTAL_HEALTH_SERVICE = "Child and adolescent mental health service (CAMHS)"
HEALTH_SERVICE = "Oral health improvement"
CHILD = {"first": "Ava", "last": "Khan", "day": "14", "month": "3", "year": "2015"}
REFERENCE = re.compile(r"[A-Z]{2,}-?[A-Z0-9-]{4,}")


@dataclass
class Story:
    """What one journey leaves for the next."""

    references: dict[str, str] = field(default_factory=dict)  # service name -> reference
    onward: tuple[str, str] | None = None  # (reference, service name) after the re-route
    progress_url: str | None = None

    def require(self, *names: str) -> None:
        missing = [n for n in names if not getattr(self, n)]
        if missing:
            pytest.skip(f"an earlier journey did not leave {', '.join(missing)}")


@pytest.fixture(scope="module")
def story() -> Story:
    return Story()


def _continue(journey: Journey, page: Page, label: str) -> None:
    journey.check(page, label)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)


def _sent_count(page: Page) -> int:
    """The number on the dashboard's "Sent (n)" filter; 0 when there is none."""
    sent = page.get_by_role("link", name=re.compile(r"^Sent \(\d+\)$"))
    if sent.count() == 0:
        return 0
    return int(re.sub(r"\D", "", sent.inner_text()))


def test_it_school_staff_search_by_keyboard_open_a_service_and_refer_a_child_for_two_needs(
    journey: Journey, story: Story
) -> None:
    page = journey.page()
    log_in(journey, page, STAFF)
    journey.check(page, "find services")

    # The search form, with the keyboard alone.
    tab_until(page, "#postcode")
    page.keyboard.type("BL1 1SE")
    tab_until(page, "#needs-MHW")
    page.keyboard.press("Space")
    tab_until(page, "#needs-HEALTH")
    page.keyboard.press("Space")
    tab_until(page, "#age")
    page.keyboard.type("9")
    tab_until(page, "form button.govuk-button")
    assert is_focused(page, "form button.govuk-button")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Suggested team around the family")).to_be_visible()
    expect(page.locator("h2", has_text="Mental health and wellbeing")).to_be_visible()
    expect(page.locator("h2", has_text="Physical health")).to_be_visible()
    journey.check(page, "search results")

    page.get_by_role("link", name=MENTAL_HEALTH_SERVICE).first.click()
    expect(page.get_by_role("heading", level=1, name=MENTAL_HEALTH_SERVICE)).to_be_visible()
    expect(page.get_by_text("Can they take a referral now?")).to_be_visible()
    journey.check(page, "service")

    page.get_by_role("link", name="Referrals", exact=True).click()
    journey.check(page, "dashboard before")
    # The demo's own referrals from this school are already there (services/demo).
    sent_before = _sent_count(page)
    page.get_by_role("link", name="Start a referral").click()
    journey.check(page, "start a referral")
    page.get_by_role("button", name="Start now").click()

    expect(page.get_by_role("heading", name="About the child")).to_be_visible()
    page.get_by_label("First name").fill(CHILD["first"])
    page.get_by_label("Last name").fill(CHILD["last"])
    page.locator("#dob-day").fill(CHILD["day"])
    page.locator("#dob-month").fill(CHILD["month"])
    page.locator("#dob-year").fill(CHILD["year"])
    page.get_by_label("Home postcode").fill("BL1 1SE")
    _continue(journey, page, "step child")

    expect(page.get_by_role("heading", name="Parents and carers")).to_be_visible()
    page.locator("#f-carer-0-name").fill("Sara Khan")
    page.locator("#f-carer-0-relationship").fill("Mother")
    page.locator("#f-carer-0-parental_responsibility-1").check()
    page.locator("#f-carer-0-phone").fill("07700 900982")
    _continue(journey, page, "step family")

    expect(page.get_by_role("heading", name="Needs and what the family wants")).to_be_visible()
    page.locator("#needs-MHW").check()
    page.locator("#needs-HEALTH").check()
    page.get_by_label("What does the family want to happen?").fill("Help with worries and teeth")
    _continue(journey, page, "step needs")

    expect(page.get_by_role("heading", name="Which needs are urgent")).to_be_visible()
    _continue(journey, page, "step urgency")

    page.get_by_label("Strengths and talents").fill("Football and drawing")
    _continue(journey, page, "step profile")

    for kind, level in (("to_self", "Low"), ("to_others", "None"), ("from_others", "None")):
        group = page.locator("fieldset", has=page.locator(f"input[name='{kind}_level']"))
        group.get_by_label(level, exact=True).check()
    _continue(journey, page, "step risk")

    page.get_by_label("No", exact=True).check()
    _continue(journey, page, "step safeguarding")

    page.get_by_label("Consent of the family").check()
    page.locator("fieldset", has_text="Has the family agreed").get_by_label("Yes").check()
    page.get_by_label("Who agreed").fill("Parent (mother)")
    _continue(journey, page, "step consent")

    page.get_by_label(re.compile("Sara Khan")).check()
    page.get_by_label("Phone call").check()
    page.get_by_label("When did they agree to be contacted?").fill("After school")
    _continue(journey, page, "step contact")

    expect(page.get_by_role("heading", name="Choose services")).to_be_visible()
    page.get_by_label(re.compile(re.escape(MENTAL_HEALTH_SERVICE))).check()
    page.get_by_label(re.compile(re.escape(HEALTH_SERVICE))).check()
    journey.check(page, "step providers")
    page.get_by_role("button", name="Save and continue").click()

    # Need-to-know: the defaults leave safeguarding notes and risk to self unshared.
    expect(page.get_by_role("heading", name="What each service sees")).to_be_visible()
    sees = page.locator("fieldset", has_text=f"What {HEALTH_SERVICE} sees")
    expect(sees.get_by_label("Risk to self or others")).not_to_be_checked()
    expect(sees.get_by_label("Pupil profile")).to_be_checked()
    _continue(journey, page, "step sharing")

    expect(page.get_by_role("heading", name="Check your answers before sending")).to_be_visible()
    expect(page.locator("#answers-child")).to_contain_text("Ava Khan")
    expect(page.locator("#answers-child")).to_contain_text("14 March 2015")
    journey.check(page, "check answers")
    page.get_by_label(re.compile("^I confirm that")).check()
    page.get_by_role("button", name="Send referrals").click()

    expect(page.get_by_role("heading", name="Referrals sent")).to_be_visible()
    for item in page.locator("main li").all():
        reference, service = item.inner_text().split(": ", 1)
        story.references[service.rsplit(" (", 1)[0]] = reference
    assert set(story.references) == {MENTAL_HEALTH_SERVICE, HEALTH_SERVICE}
    journey.check(page, "sent")

    page.get_by_role("link", name="Referrals", exact=True).click()
    for reference in story.references.values():
        expect(page.get_by_role("link", name=reference)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(rf"^Sent \({sent_before + 2}\)$"))
           ).to_be_visible()
    journey.check(page, "dashboard after")
    journey.finish()


def test_it_provider_updates_capacity_then_accepts_one_referral_and_declines_another(
    journey: Journey, story: Story
) -> None:
    story.require("references")
    page = journey.page()
    log_in(journey, page, PROVIDER)
    journey.check(page, "home")

    page.get_by_role("link", name="Our services").click()
    journey.check(page, "services and capacity")
    page.get_by_label(f"Free places for {HEALTH_SERVICE}").fill("7")
    page.get_by_label(f"Typical wait days for {HEALTH_SERVICE}").fill("12")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("New figures saved for 1 service.")).to_be_visible()
    expect(page.get_by_label(f"Free places for {HEALTH_SERVICE}")).to_have_value("7")
    journey.check(page, "capacity saved")

    page.get_by_role("link", name="Referral inbox", exact=True).click()
    expect(page.get_by_role("heading", name="Referral inbox")).to_be_visible()
    journey.check(page, "inbox")

    page.get_by_role("link", name=story.references[HEALTH_SERVICE]).click()
    expect(page.locator("h1 .govuk-tag")).to_have_text("Opened")
    journey.check(page, "referral to accept")
    # A double click accepts once and says so, not "This was already done".
    double_click(page, page.get_by_role("button", name="Accept"))
    expect(page.locator("h1 .govuk-tag")).to_have_text("Accepted")
    expect(page.locator(".govuk-notification-banner")).to_have_count(1)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Referral {story.references[HEALTH_SERVICE]} accepted.")
    journey.check(page, "accepted")

    page.get_by_role("link", name="Referral inbox", exact=True).click()
    journey.check(page, "inbox again")
    page.get_by_role("link", name=story.references[MENTAL_HEALTH_SERVICE]).click()
    journey.check(page, "referral to decline")
    page.get_by_label("Reason").select_option(label="No capacity and no wait-list")
    page.get_by_label("Explain").fill("No places until the spring term")
    page.get_by_role("button", name="Decline").click()
    expect(page.locator("h1 .govuk-tag")).to_have_text("Declined")
    expect(page.locator("main p.govuk-body", has_text="Declined:")).to_contain_text(
        "No capacity and no wait-list. No places until the spring term"
    )
    journey.check(page, "declined")
    journey.finish()


def test_it_school_staff_reroute_the_declined_need_in_one_step_and_make_the_family_link(
    journey: Journey, story: Story
) -> None:
    story.require("references")
    page = journey.page()
    log_in(journey, page, STAFF)
    journey.check(page, "home")
    page.get_by_role("link", name="Referrals", exact=True).click()
    journey.check(page, "dashboard")
    page.get_by_role("link", name=story.references[MENTAL_HEALTH_SERVICE]).click()
    expect(page.get_by_role("heading", name="Send to another service")).to_be_visible()
    journey.check(page, "declined referral with options")

    first_option = page.get_by_role("button", name=re.compile(r"^Send to ")).first
    service = re.sub(r"^Send to (.*) \(.*\)$", r"\1", first_option.inner_text())
    first_option.click()
    banner = page.get_by_text(re.compile(rf"Referral (\S+) sent to {re.escape(service)}\."))
    expect(banner).to_be_visible()
    reference = re.search(r"Referral (\S+) sent", banner.inner_text()).group(1)  # type: ignore[union-attr]
    story.onward = (reference, service)
    expect(page.locator("h1")).to_contain_text(reference)
    journey.check(page, "onward referral")

    page.get_by_role("link", name=f"{CHILD['first']} {CHILD['last']}").click()
    journey.check(page, "child timeline")
    page.get_by_role("button", name="Make a link").click()
    url = page.locator("code.hub-link-token").inner_text().strip()
    assert re.search(r"/progress/[A-Za-z0-9_-]{40,}$", url)
    story.progress_url = url
    journey.check(page, "progress link")
    journey.finish()


def test_it_the_family_follow_both_referrals_on_a_phone_and_leave_with_the_quick_exit(
    journey: Journey, story: Story
) -> None:
    story.require("progress_url", "onward")
    assert story.onward is not None and story.progress_url is not None
    page = journey.page(width=375, height=667)
    page.goto(story.progress_url)
    expect(page.get_by_role("heading", name="Your family's referrals")).to_be_visible()
    journey.check(page, "date of birth")

    page.get_by_label("Day").fill(CHILD["day"])
    page.get_by_label("Month").fill(CHILD["month"])
    page.get_by_label("Year").fill(CHILD["year"])
    page.get_by_role("button", name="Continue").click()

    accepted = page.locator(".govuk-summary-card", has_text=HEALTH_SERVICE)
    expect(accepted).to_contain_text(story.references[HEALTH_SERVICE])
    expect(accepted).to_contain_text("The service has a place for you")
    expect(accepted).to_contain_text("The service will contact you in the way you agreed.")
    onward_reference, onward_service = story.onward
    onward = page.locator(".govuk-summary-card", has_text=onward_reference)
    expect(onward).to_contain_text(onward_service)
    expect(onward).to_contain_text("Sent to the service, waiting for them to read it")
    body = page.locator("body").inner_text()
    # Whom each referral is about, by first name only: never the surname, the date of
    # birth the family typed, or the form's words.
    assert f"This referral is about {CHILD['first']}." in body
    assert CHILD["last"] not in body and "worries" not in body
    journey.check(page, "progress 375")

    page.set_viewport_size({"width": 320, "height": 640})
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 320px wide"
    journey.check(page, "progress 320")

    page.get_by_role("button", name=re.compile("Exit this page")).first.click()
    page.wait_for_url(re.compile(r"^https://www\.bbc\.co\.uk/weather"))
    # The exit replaced the page in the history: Back shows only the question.
    page.go_back()
    expect(page.get_by_label("Day")).to_be_visible()
    expect(page.locator(".govuk-summary-card")).to_have_count(0)
    journey.check(page, "back after quick exit")
    journey.finish()


def test_it_the_coordinator_finds_the_referral_nobody_has_opened_ten_days_later(
    journey: Journey, story: Story, served_app: ServedApp
) -> None:
    story.require("onward")
    assert story.onward is not None
    page = journey.page()
    log_in(journey, page, COORDINATOR)
    journey.check(page, "home")
    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Stuck referrals and children", exact=True).click()
    # The menu's words are the page's heading and title.
    expect(page.get_by_role("heading", level=1)).to_have_text("Stuck referrals and children")
    expect(page).to_have_title(re.compile(r"^Stuck referrals and children"))
    reference, service = story.onward
    # The demo's own stuck referrals are listed (services/demo); this one is not, yet.
    expect(page.locator("h2", has_text="Not opened (")).to_be_visible()
    expect(page.get_by_role("link", name=reference)).to_have_count(0)
    journey.check(page, "not stuck yet")

    served_app.shift_clock(timedelta(days=10))  # at least 6 working days
    try:
        page.reload()
        heading = page.locator("h2", has_text="Not opened (")
        section = heading.locator("xpath=following-sibling::table[1]")
        expect(section).to_contain_text(reference)
        expect(section).to_contain_text(service)
        journey.check(page, "stuck")
        section.get_by_role("link", name=reference).click()
        expect(page.locator("h1 .govuk-tag")).to_have_text("Sent")
        journey.check(page, "stuck referral")
        page.get_by_label("Note for the timeline (optional)").fill("No reply after 6 days")
        page.get_by_role("button", name="Send a reminder").click()
        expect(page.locator(".hub-timeline")).to_contain_text(
            "Reminder sent to the provider: No reply after 6 days")
        journey.check(page, "provider reminded")
    finally:
        served_app.shift_clock(timedelta(0))
    journey.finish()
