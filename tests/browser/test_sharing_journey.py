"""Need-to-know sharing in a real browser, on the demo area: the NHS trust's speech and
language therapists read Leo's referral without the self-harm or safeguarding notes that
CAMHS sees; Farnworth sees that Tonge Moor referred Maya before, Tonge Moor's lead grants
Farnworth's waiting request, and Farnworth reads the earlier referral. Every page is
screenshotted and checked with axe-core, at 320 px wide as well for the child's page.
"""

from __future__ import annotations

import pytest

from tests.browser.support import skip_reason

if (_reason := skip_reason()) is not None:
    pytest.skip(_reason, allow_module_level=True)

from playwright.sync_api import Page, expect

from tests.browser.support import Journey, log_in

NHS = "manager.nhs@demo.familyhub.test"
FARNWORTH = "staff.farnworth@demo.familyhub.test"
LEAD = "dsl.tongemoor@demo.familyhub.test"
REFERRER = "staff.tongemoor@demo.familyhub.test"  # referred Leo (services/demo)
REFERRER_NAME = "Jess Rowley"
SELF_HARM = "scratched his arms"
NOTES = "child in need plan"


def _menu(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=name).click()


def test_it_the_therapists_see_what_they_need_and_camhs_sees_more(journey: Journey) -> None:
    page = journey.page()
    log_in(journey, page, NHS)
    journey.check(page, "home")
    page.goto("/referrals/inbox")
    journey.check(page, "inbox")
    # Find Leo's two referrals through the inbox's references.
    references = [a.inner_text() for a in page.locator("tbody a").all()]
    seen = {}
    for reference in references:
        page.get_by_role("link", name=reference, exact=True).click()
        journey.check(page, f"referral {reference}")
        if page.get_by_text("Leo Ramsbottom").count():
            seen[page.locator(".govuk-caption-l").inner_text()] = page.url
        page.goto("/referrals/inbox")
        journey.check(page, "inbox again")
    speech = next(url for caption, url in seen.items() if "speech" in caption.lower())
    camhs = next(url for caption, url in seen.items() if "CAMHS" in caption)
    page.goto(speech)
    expect(page.get_by_role("heading", name="How to reach the family")).to_be_visible()
    # The referrer is always shown to the service, in "How to reach the family".
    reach = page.locator("#reach-family ~ dl.govuk-summary-list").first
    referrer = reach.locator(".govuk-summary-list__row",
                             has=page.locator("dt", has_text="Referrer"))
    expect(referrer).to_contain_text(REFERRER_NAME)
    expect(referrer).to_contain_text("Tonge Moor Primary School")
    expect(referrer.get_by_role("link", name=REFERRER)).to_have_attribute(
        "href", f"mailto:{REFERRER}")
    expect(page.locator("main")).not_to_contain_text(SELF_HARM)
    expect(page.locator("main")).not_to_contain_text(NOTES)
    journey.check(page, "speech referral")
    page.goto(camhs)
    expect(page.locator("main")).to_contain_text(SELF_HARM)
    expect(page.locator("main")).to_contain_text(NOTES)
    journey.check(page, "camhs referral")
    journey.finish()


def test_it_a_new_school_sees_earlier_referrals_and_reads_them_once_granted(
    journey: Journey
) -> None:
    page = journey.page()
    log_in(journey, page, FARNWORTH)
    journey.check(page, "home")
    page.goto("/referrals")
    journey.check(page, "referrals")
    references = [a.inner_text() for a in page.locator("tbody a").all()]
    child_url = None
    for reference in references:
        page.get_by_role("link", name=reference, exact=True).click()
        journey.check(page, f"referral {reference}")
        if page.get_by_text("Maya Okonjo").count():
            page.get_by_role("link", name="Maya Okonjo").click()
            child_url = page.url
            break
        page.goto("/referrals")
        journey.check(page, "referrals again")
    assert child_url is not None, "the demo's moved child has no referral from Farnworth"
    expect(page.get_by_role("heading", name="Referrals made by another school")).to_be_visible()
    expect(page.locator("#earlier ~ table").first).to_contain_text(
        "Children's eating disorder service")
    expect(page.locator("main")).to_contain_text("waiting for the safeguarding lead")
    journey.check(page, "child with earlier referrals")
    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    expect(page.get_by_role("heading", name="Referrals made by another school")).to_be_visible()
    journey.check(page, "child with earlier referrals at 320px")
    page.set_viewport_size({"width": 1280, "height": 900})

    lead = journey.page()
    log_in(journey, lead, LEAD)
    journey.check(lead, "lead home")
    _menu(lead, "Requests for earlier referrals")
    expect(lead.locator("main")).to_contain_text("Farnworth and Kearsley Academy")
    journey.check(lead, "details requests")
    lead.locator("tbody a").first.click()
    expect(lead.locator("main")).to_contain_text("need to know what support she had")
    journey.check(lead, "details request")
    lead.get_by_role("button", name="Record the decision").click()
    expect(lead.locator(".govuk-error-summary")).to_contain_text(
        "Choose whether to grant or refuse")
    journey.check(lead, "details request with errors")
    lead.get_by_label("Grant", exact=False).check()
    lead.get_by_role("button", name="Record the decision").click()
    expect(lead.get_by_role("heading", name="Requests for earlier referrals")).to_be_visible()
    journey.check(lead, "granted")

    page.goto(child_url)
    expect(page.locator("main")).to_contain_text("details granted until")
    journey.check(page, "child after the grant")
    page.get_by_role("link", name="Children's eating disorder service").click()
    expect(page.locator("main")).to_contain_text("Help with Maya's eating")
    expect(page.locator(".govuk-inset-text")).to_contain_text("granted your school request")
    journey.check(page, "earlier referral")
    journey.finish()
