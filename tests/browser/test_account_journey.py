"""Accounts in a real browser: the coordinator adds a safeguarding lead with a password
they chose; the lead signs in, must replace it, then enrols a second factor from the
QR page's key and keeps the recovery codes. Every page is checked with axe."""

from __future__ import annotations

import re

import pytest

from tests.browser.support import skip_reason

if (_reason := skip_reason()) is not None:
    pytest.skip(_reason, allow_module_level=True)

from playwright.sync_api import expect

from tests.browser.support import Journey, app_code, log_in

COORDINATOR = "coordinator@demo.familyhub.test"
NEW_EMAIL = "new.dsl@demo.familyhub.test"
SET_BY_COORDINATOR = "amber falcon ledger tulip"
OWN_PASSWORD = "copper meadow signal lantern"


def test_it_a_new_lead_replaces_the_coordinators_password_and_enrols_a_second_factor(
    journey: Journey,
) -> None:
    page = journey.page()
    log_in(journey, page, COORDINATOR)
    journey.check(page, "coordinator home")
    page.goto("/admin/users/new")
    journey.check(page, "add a user")
    page.get_by_label("Full name").fill("Robin Ashworth")
    page.get_by_label("Email address").fill(NEW_EMAIL)
    page.get_by_label("Designated safeguarding lead").check()
    school = page.locator("#organisation_id option", has_text="Tonge Moor").first
    page.locator("#organisation_id").select_option(school.get_attribute("value"))
    page.get_by_label("Initial password").fill("aaaaaaaaaaaa")
    page.get_by_role("button", name=re.compile("Create|Add|Save")).click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("harder to guess")
    journey.check(page, "guessable password refused")
    page.get_by_label("Initial password").fill(SET_BY_COORDINATOR)
    page.get_by_role("button", name=re.compile("Create|Add|Save")).click()
    expect(page.locator("h1")).to_have_text("Robin Ashworth")
    journey.check(page, "account created")

    lead = journey.page()
    lead.goto("/login")
    journey.check(lead, "lead sign in")
    lead.get_by_label("Email address").fill(NEW_EMAIL)
    lead.get_by_label("Password").fill(SET_BY_COORDINATOR)
    lead.get_by_role("button", name="Sign in").click()
    lead.wait_for_url(re.compile(r"/account/password$"))
    expect(lead.locator("h1")).to_have_text("Choose your own password")
    journey.check(lead, "choose your own password")
    lead.goto("/referrals")  # every page leads back until it is done
    lead.wait_for_url(re.compile(r"/account/password$"))
    journey.check(lead, "still choose your own password")
    lead.get_by_label("Current password").fill(SET_BY_COORDINATOR)
    lead.get_by_label("New password", exact=True).fill(OWN_PASSWORD)
    lead.get_by_label("Confirm new password").fill(OWN_PASSWORD)
    lead.get_by_role("button", name="Save password").click()

    lead.wait_for_url(re.compile(r"/account/two-factor$"))
    expect(lead.locator(".hub-qr-box svg")).to_be_visible()
    journey.check(lead, "set up two-factor")
    lead.get_by_text("I cannot scan the QR code").click()
    secret = lead.locator("#totp-secret").inner_text().strip()
    lead.get_by_label("Code").fill("000000")
    lead.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(lead.locator(".govuk-error-summary")).to_contain_text("6-digit code")
    journey.check(lead, "wrong code")
    lead.get_by_label("Code").fill(app_code(journey.app, secret))
    lead.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(lead.locator("h1")).to_have_text("Two-factor sign-in is on")
    expect(lead.locator(".hub-recovery-codes li")).to_have_count(10)
    journey.check(lead, "recovery codes")
    lead.get_by_role("link", name="I have saved my recovery codes").click()
    expect(lead.locator("h1")).to_have_text("Your account")
    expect(lead.locator(".govuk-summary-list")).to_contain_text("On, 10 recovery codes left")
    journey.check(lead, "your account")
    journey.finish()
