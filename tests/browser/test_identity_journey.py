"""Who the child is, in a real browser on the demo area: Tonge Moor's safeguarding lead
finds the demo's merge of Isla's two records, undoes it and merges them again, and
corrects Alfie's details, seeing each version on his page (also at 320 px wide). Every
page is screenshotted and checked with axe-core."""

from __future__ import annotations

import sqlite3

import pytest

from tests.browser.support import skip_reason

if (_reason := skip_reason()) is not None:
    pytest.skip(_reason, allow_module_level=True)

from playwright.sync_api import expect

from tests.browser.support import Journey, ServedApp, log_in

LEAD = "dsl.tongemoor@demo.familyhub.test"


def _record(app: ServedApp, last_name: str) -> int:
    """A demo child's record number (the pages show it; the journey needs it to start)."""
    with sqlite3.connect(app.workdir / "family_hub.db") as connection:
        row = connection.execute("SELECT id FROM child WHERE last_name = ?",
                                 (last_name,)).fetchone()
    assert row is not None, last_name
    return int(row[0])


def test_it_the_lead_undoes_a_merge_merges_again_and_corrects_a_childs_details(
    journey: Journey, served_app: ServedApp
) -> None:
    isla, alfie = _record(served_app, "Fernsby"), _record(served_app, "Brackenridge")
    duplicate = _record(served_app, "Fernsbie")
    page = journey.page()
    log_in(journey, page, LEAD)
    journey.check(page, "home")
    page.goto(f"/referrals/children/{isla}")
    expect(page.locator("#merges")).to_be_visible()
    journey.check(page, "isla with a merge")
    page.get_by_role("link", name=f"Undo this merge of record {duplicate}").click()
    journey.check(page, "undo the merge")
    page.get_by_role("button", name="Undo the merge").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why")
    journey.check(page, "undo without a reason")
    page.get_by_label("Why undo the merge?").fill("Checking the records again")
    page.get_by_role("button", name="Undo the merge").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The merge is undone")
    journey.check(page, "merge undone")

    page.get_by_role("link", name="Merge with another record of this child").click()
    journey.check(page, "possible duplicates")
    page.get_by_role("link", name=f"Compare record {duplicate} with this record").click()
    expect(page.get_by_role("group", name="Last name")).to_be_visible()
    journey.check(page, "compare the records")
    page.get_by_label("Why are these the same child?").fill(
        "Same date of birth and address; surname misspelled on the second referral")
    page.get_by_role("button", name="Merge the records").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Record {duplicate} is merged into this record")
    journey.check(page, "merged again")

    page.goto(f"/referrals/children/{alfie}")
    journey.check(page, "alfie")
    page.get_by_role("link", name="Correct the details").click()
    journey.check(page, "correct the details")
    page.get_by_label("Home postcode").fill("BL2 2NL")
    page.get_by_label("Why are these details being corrected?").fill(
        "The family moved in the summer")
    page.get_by_role("button", name="Save the corrected details").click()
    expect(page.locator("#versions")).to_contain_text("Changed: Home postcode.")
    journey.check(page, "alfie's versions")
    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    expect(page.locator("#versions")).to_contain_text("Version 3 (current)")
    journey.check(page, "alfie's versions at 320 px")
    journey.finish()
