"""A teacher refers from search results: the draft starts with the search's postcode,
needs and chosen service; every step says "Step N of M" and links back; "Change" on
check your answers returns there; the declaration is confirmed; then the same form on
a 320 px wide phone. Every page is checked with axe (no serious or critical issue)."""

from __future__ import annotations

import re

import pytest

from tests.browser.support import skip_reason

if (_reason := skip_reason()) is not None:
    pytest.skip(_reason, allow_module_level=True)

from playwright.sync_api import Page, expect

from routing.referrals.answers import STEP_TITLES
from tests.browser.support import Journey, fill_carer, fill_contact, log_in

STAFF = "staff.tongemoor@demo.familyhub.test"
MENTAL_HEALTH_SERVICE = "Child and adolescent mental health service (CAMHS)"
TOTAL = len(STEP_TITLES)


def _step(journey: Journey, page: Page, number: int, title: str) -> None:
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(page.locator("#step-position")).to_have_text(
        re.compile(rf"Step {number} of {TOTAL}$"))
    expect(page.locator(".govuk-back-link")).to_be_visible()
    journey.check(page, f"step {number}")


def _continue(page: Page) -> None:
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)


def _search_and_refer(journey: Journey, page: Page) -> None:
    journey.check(page, "home")
    if not page.url.endswith("/search"):
        page.goto("/search")
        journey.check(page, "search")
    page.get_by_label("Family's home postcode").fill("BL1 1SE")
    page.locator("#needs-MHW").check()
    page.get_by_label("Child's age").fill("9")
    page.locator("#search-form button.govuk-button").click()
    expect(page.locator("h2", has_text="Mental health and wellbeing")).to_be_visible()
    journey.check(page, "search results with refer")
    page.get_by_label(re.compile(rf"^Refer to {re.escape(MENTAL_HEALTH_SERVICE)}")).first.check()
    page.locator("#refer-button").click()


def _fill_to_check(journey: Journey, page: Page, first_name: str) -> None:
    _step(journey, page, 1, "About the child")
    expect(page.get_by_label("Home postcode")).to_have_value("BL1 1SE")  # from the search
    page.get_by_label("First name").fill(first_name)
    page.get_by_label("Last name").fill("Nowak")
    page.locator("#dob-day").fill("31")
    page.locator("#dob-month").fill("2")
    page.locator("#dob-year").fill("2016")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Date of birth must be a real date")
    expect(page.get_by_label("First name")).to_have_value(first_name)  # kept
    journey.check(page, "date refused")
    page.locator("#dob-day").fill("28")
    _continue(page)

    _step(journey, page, 2, "Parents and carers")
    # Back goes to the step before, with its answers.
    page.locator(".govuk-back-link").click()
    expect(page.get_by_label("First name")).to_have_value(first_name)
    journey.check(page, "back to child")
    _continue(page)
    _step(journey, page, 2, "Parents and carers")
    fill_carer(page, "Anna Nowak", "Mother", "07700 900982")
    _continue(page)

    _step(journey, page, 3, "Needs and what the family wants")
    expect(page.locator("#needs-MHW")).to_be_checked()  # from the search
    page.get_by_label("What does the family want to happen?").fill("Help with worries\nat night")
    page.get_by_label("Resources the family needs").fill("Female worker, Polish interpreter")
    _continue(page)

    _step(journey, page, 4, "Which needs are urgent")
    expect(page.locator("input[name='urgent']")).to_have_count(1)  # only the need chosen
    page.locator("input[name='urgent']").check()
    _continue(page)

    _step(journey, page, 5, "Pupil profile")
    page.get_by_label("Strengths and talents").fill("Drawing")
    _continue(page)
    _step(journey, page, 6, "Risk assessment")
    for kind in ("to_self", "to_others", "from_others"):
        page.locator("fieldset", has=page.locator(f"input[name='{kind}_level']")).get_by_label(
            "Low", exact=True).check()
    _continue(page)
    _step(journey, page, 7, "Safeguarding")
    page.get_by_label("No", exact=True).check()
    _continue(page)
    _step(journey, page, 8, "Sharing information")
    page.get_by_label("Consent of the family").check()
    page.locator("fieldset", has_text="Has the family agreed").get_by_label("Yes").check()
    page.get_by_label("Who agreed").fill("Parent (mother)")
    _continue(page)
    _step(journey, page, 9, "Contacting the family")
    fill_contact(page, "Anna Nowak", ("Phone call", "In person at school"), "After 4pm")
    _continue(page)
    _step(journey, page, 10, "Choose services")
    chosen = page.get_by_label(re.compile(re.escape(MENTAL_HEALTH_SERVICE))).first
    expect(chosen).to_be_checked()  # the service ticked on the results
    _continue(page)
    _step(journey, page, 11, "What each service sees")
    _continue(page)  # the need-to-know defaults
    expect(page.get_by_role("heading", name="Check your answers before sending")).to_be_visible()


def test_it_refers_from_search_results_with_step_captions_back_links_and_change(
    journey: Journey
) -> None:
    assert TOTAL == 11, "a step was added: extend this journey to fill it"
    page = journey.page()
    log_in(journey, page, STAFF)
    _search_and_refer(journey, page)
    _fill_to_check(journey, page, "Zofia")

    answers = page.locator("main")
    for words in ("Zofia Nowak", "28 February 2016", "BL1 1SE", "Anna Nowak",
                  "Female worker, Polish interpreter", "After 4pm",
                  "Phone call (07700 900982), In person at school"):
        expect(answers).to_contain_text(words)
    journey.check(page, "check answers")

    # "Change" returns to check your answers, not to the next step.
    page.get_by_role("link", name="Change strengths and talents").click()
    expect(page.locator(".govuk-back-link")).to_have_text("Back to check your answers")
    page.get_by_label("Strengths and talents").fill("Drawing and football")
    journey.check(page, "change strengths")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="Check your answers before sending")).to_be_visible()
    expect(answers).to_contain_text("Drawing and football")
    journey.check(page, "check after change")

    page.get_by_role("button", name="Send referrals").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm the declaration")
    journey.check(page, "declaration refused")
    page.get_by_label(re.compile("^I confirm that")).check()
    page.get_by_role("button", name="Send referrals").click()
    expect(page.get_by_role("heading", name="Referrals sent")).to_be_visible()
    journey.check(page, "sent")

    page.get_by_role("link", name="Referrals", exact=True).click()
    journey.check(page, "referrals")
    page.get_by_label("Find a referral").fill("zofia")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("main table")).to_contain_text("Zofia Nowak")
    journey.check(page, "list search")
    journey.finish()


def test_it_the_form_and_drafts_work_at_320_pixels(journey: Journey) -> None:
    page = journey.page(width=320, height=640)
    log_in(journey, page, STAFF)
    _search_and_refer(journey, page)
    _step(journey, page, 1, "About the child")
    page.get_by_label("First name").fill("Maja")
    page.get_by_label("Last name").fill("Nowak")
    page.locator("#dob-day").fill("3")
    page.locator("#dob-month").fill("5")
    page.locator("#dob-year").fill("2016")
    _continue(page)
    _step(journey, page, 2, "Parents and carers")
    page.goto("/referrals/drafts")
    expect(page.get_by_role("heading", name="Your drafts")).to_be_visible()
    expect(page.locator("#draft-retention")).to_contain_text("days is deleted")
    journey.check(page, "drafts narrow")
    page.get_by_role("link", name=re.compile("^Delete the draft for Maja Nowak")).first.click()
    journey.check(page, "delete draft narrow")
    page.get_by_role("button", name="Delete draft").click()
    expect(page.get_by_text("The draft and everything typed on it have been deleted")
           ).to_be_visible()
    journey.check(page, "deleted narrow")
    journey.finish()
