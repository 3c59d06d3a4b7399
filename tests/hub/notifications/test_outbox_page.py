"""The coordinator's Messages page: each message's link shown as words saying where it
leads, at the full address the email gives (from PUBLIC_BASE_URL, never the Host)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from flask import Flask
from sqlalchemy import delete
from sqlalchemy.orm import Session

from hub.settings import settings_of
from routing.referrals.outbox import OutboxMessage, queue_message, queue_notice
from tests.factories import Cast, login, make_service
from tests.routing.referrals.helpers import sent_referral


def _links(page: str) -> list[tuple[str, str]]:
    table = page.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    return [(href, re.sub(r"\s+", " ", text).strip()) for href, text in
            re.findall(r'<a class="govuk-link" href="([^"]+)">(.*?)</a>', table, re.S)]


def test_it_shows_each_messages_link_as_words_at_the_configured_address(
    app: Flask, db: Session, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The site's configured address, unlike the Host the page is asked for (localhost).
    base = "https://familyhub.example.org"
    key = next(k for k, v in app.extensions.items() if v is settings_of(app))
    monkeypatch.setitem(app.extensions, key, replace(settings_of(app), public_base_url=base))
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    db.execute(delete(OutboxMessage))  # those sending it queued; these three are shown
    now = referral.sent_at or referral.created_at
    queue_message(db, "team@provider.example", "new_referral", referral, now)
    queue_notice(db, "dsl@school.example", "safeguarding_item", "SG-1", "A concern",
                 "/safeguarding/items/7", now)
    queue_notice(db, "dsl@school.example", "safeguarding_item", "SG-2", "A concern",
                 "/somewhere/unknown", now)
    db.commit()
    client = app.test_client()
    login(client, cast.coordinator)
    page = client.get("/notifications/outbox")
    assert _links(page.get_data(as_text=True)) == [
        (f"{base}/somewhere/unknown", "Open the page"),
        (f"{base}/safeguarding/items/7", "Open the safeguarding item"),
        (f"{base}/referrals/{referral.id}", "Open the referral"),
    ]
    assert "localhost" not in page.get_data(as_text=True)
