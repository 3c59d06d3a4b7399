"""Referrals about someone other than a school-age child, in a real browser on the demo:
a teacher refers an unborn baby (an expected date of delivery, no date of birth) and
then a parent (domestic abuse support) with the date of birth and home address not
known, on a phone-sized screen (320 px) for the second. Every page is screenshotted
and checked with axe-core.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.browser.support import skip_reason

if (_reason := skip_reason()) is not None:
    pytest.skip(_reason, allow_module_level=True)

from playwright.sync_api import Page, expect

from tests.browser.support import Journey, fill_carer, fill_contact, log_in

TEACHER = "staff.tongemoor@demo.familyhub.test"


def _continue(journey: Journey, page: Page, label: str) -> None:
    journey.check(page, label)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)


def _start(journey: Journey, page: Page) -> None:
    page.goto("/referrals/new")
    journey.check(page, "start a referral")
    page.get_by_role("button", name="Start now").click()
    expect(page.get_by_role("heading", name="About the child")).to_be_visible()


def _rest_of_the_form(
    journey: Journey, page: Page, carer: tuple[str, str], need: str, wants: str
) -> None:
    """Parents and carers (``carer`` is a name and who they are to the child), needs,
    urgency, profile, risk, safeguarding, consent and contact (with that carer), the
    services step with the suggested team chosen, and what each service sees."""
    expect(page.get_by_role("heading", name="Parents and carers")).to_be_visible()
    name, relationship = carer
    fill_carer(page, name, relationship, "07700 900123")
    _continue(journey, page, "step family")
    expect(page.get_by_role("heading", name="Needs and what the family wants")).to_be_visible()
    box = page.locator(f"#needs-{need.replace('.', '-')}")
    # A specific need sits behind its parent's "More specific needs" disclosure.
    box.locator("xpath=ancestor::details").locator("summary").click()
    box.check()
    page.get_by_label("What does the family want to happen?").fill(wants)
    _continue(journey, page, "step needs")
    expect(page.get_by_role("heading", name="Which needs are urgent")).to_be_visible()
    expect(page.locator("input[name='urgent']")).to_have_count(1)  # only the need chosen
    _continue(journey, page, "step urgency")
    page.get_by_label("Strengths and talents").fill("Wants the best for the family")
    _continue(journey, page, "step profile")
    for kind in ("to_self", "to_others", "from_others"):
        group = page.locator("fieldset", has=page.locator(f"input[name='{kind}_level']"))
        group.get_by_label("Low", exact=True).check()
    _continue(journey, page, "step risk")
    page.get_by_label("No", exact=True).check()
    _continue(journey, page, "step safeguarding")
    page.get_by_label("Consent of the family").check()
    page.locator("fieldset", has_text="Has the family agreed").get_by_label("Yes").check()
    page.get_by_label("Who agreed").fill("Parent (mother)")
    _continue(journey, page, "step consent")
    expect(page.get_by_role("heading", name="Contacting the family")).to_be_visible()
    fill_contact(page, name, ("Phone call",), "Weekday mornings")
    _continue(journey, page, "step contact")
    expect(page.get_by_role("heading", name="Choose services")).to_be_visible()
    chosen = page.locator(f"input[name='need-{need}']:checked")
    if chosen.count() == 0:
        page.locator(f"input[name='need-{need}']").first.check()
    journey.check(page, "step providers")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="What each service sees")).to_be_visible()
    _continue(journey, page, "step sharing")  # the need-to-know defaults
    expect(page.get_by_role("heading", name="Check your answers before sending")).to_be_visible()


def test_it_a_teacher_refers_an_unborn_baby_by_the_expected_date_of_delivery(
    journey: Journey,
) -> None:
    page = journey.page()
    log_in(journey, page, TEACHER)
    journey.check(page, "home")
    _start(journey, page)
    page.get_by_label("An unborn baby").check()
    page.get_by_label("First name").fill("Baby")
    page.get_by_label("Last name").fill("Hussain")
    # Too far ahead first: the message is beside the field and the typing is kept.
    far = date.today() + timedelta(days=400)
    for part, value in (("day", far.day), ("month", far.month), ("year", far.year)):
        page.locator(f"#edd-{part}").fill(str(value))
    page.get_by_label("Home postcode").fill("BL2 6DU")
    journey.check(page, "step unborn baby")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-message", has_text="within the next 10 months")
           ).to_be_visible()
    expect(page.get_by_label("Last name")).to_have_value("Hussain")
    journey.check(page, "expected date refused")
    due = date.today() + timedelta(days=90)
    for part, value in (("day", due.day), ("month", due.month), ("year", due.year)):
        page.locator(f"#edd-{part}").fill(str(value))
    _continue(journey, page, "step unborn baby corrected")
    _rest_of_the_form(journey, page, ("Nadia Hussain", "Mother"), "MHW.PARENT",
                      "Support before the baby arrives")
    expect(page.get_by_text("An unborn baby")).to_be_visible()
    expect(page.get_by_text("not born yet (expected")).to_be_visible()
    journey.check(page, "check answers unborn")
    page.get_by_label(re.compile("^I confirm that")).check()
    page.get_by_role("button", name="Send referrals").click()
    expect(page.get_by_role("heading", name="Referrals sent")).to_be_visible()
    journey.check(page, "sent unborn")
    journey.finish()


def test_it_a_teacher_refers_a_parent_whose_birth_date_and_address_are_not_known_on_a_phone(
    journey: Journey,
) -> None:
    page = journey.page(width=320, height=800)
    log_in(journey, page, TEACHER)
    journey.check(page, "home")
    _start(journey, page)
    page.get_by_label("A parent or carer").check()
    page.get_by_label("First name").fill("Samira")
    page.get_by_label("Last name").fill("Hussain")
    page.get_by_label("I do not know the date of birth").check()
    page.get_by_label("The family's home address is not known").check()
    _continue(journey, page, "step parent")
    # The parent the referral is about is the carer the family agreed to be contacted.
    _rest_of_the_form(journey, page, ("Samira Hussain", "Mother"), "DA.SUPPORT",
                      "Somewhere safe to talk")
    expect(page.get_by_text("A parent or carer")).to_be_visible()
    about = page.locator("#answers-child")
    for key, value in (("Name", "Samira Hussain"), ("Date of birth", "Not known"),
                       ("Home postcode", "Not known")):
        row = about.locator(".govuk-summary-list__row",
                            has=page.locator("dt", has_text=re.compile(f"^{key}$")))
        expect(row.locator("dd").first).to_have_text(value)
    journey.check(page, "check answers parent")
    page.get_by_label(re.compile("^I confirm that")).check()
    page.get_by_role("button", name="Send referrals").click()
    expect(page.get_by_role("heading", name="Referrals sent")).to_be_visible()
    journey.check(page, "sent parent")
    journey.finish()
