"""The link a message carries, as the outbox page shows it: words saying where it leads
("Open the referral") and the full address the email gives, built from PUBLIC_BASE_URL
like the sender's (routing.referrals.outbox), never from the request's Host header."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

from hub.settings import current_settings

# The pages messages link to, by endpoint; any other page is "Open the page".
_WORDS = {
    "referrals.show": "Open the referral",
    "referrals.child": "Open the child's timeline",
    "referrals.details_request": "Open the request for earlier referrals",
    "safeguarding.item": "Open the safeguarding item",
    "leads.child": "Open the child's page in the caseload",
}


@dataclass(frozen=True)
class MessageLink:
    text: str
    url: str


def message_link(path: str) -> MessageLink | None:
    """The words and absolute address of a message's link path (None when the path was
    removed, as retention does)."""
    if not path:
        return None
    base = current_settings().public_base_url.rstrip("/")
    adapter = current_app.url_map.bind(urlsplit(base).netloc or "localhost")
    try:
        endpoint, _ = adapter.match(path, method="GET")
    except (HTTPException, RoutingException):
        endpoint = ""
    return MessageLink(_WORDS.get(str(endpoint), "Open the page"), base + path)
