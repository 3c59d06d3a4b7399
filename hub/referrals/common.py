"""What every referral page module shares: the blueprint and helpers."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, current_app
from sqlalchemy.orm import Session

from hub.extensions import db
from hub.notifications.delivery import deliver_pending, notify_settings
from hub.referrals.clock import now

# The request's session, typed as a plain Session (a scoped proxy underneath).
session = cast(Session, db.session)

bp = Blueprint("referrals", __name__, url_prefix="/referrals", cli_group="referrals")

STEP_TITLES = {
    "child": "About the child",
    "needs": "Needs and what the family wants",
    "profile": "Pupil profile",
    "risk": "Risk assessment",
    "safeguarding": "Safeguarding",
    "consent": "Sharing information",
    "contact": "Contacting the family",
    "providers": "Choose services",
}


def stuck_days() -> int:
    return int(current_app.config.get("REFERRAL_STUCK_WORKING_DAYS", 5))


def deliver_messages() -> None:
    """Send queued messages through Notify when configured (after the commit)."""
    settings = notify_settings(current_app.config)
    if settings is not None:
        deliver_pending(session, settings, now(), retry=False)
        session.commit()  # the tries and any errors, even when nothing was sent
