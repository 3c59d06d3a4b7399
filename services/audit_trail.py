"""The audit of directory changes: who changed or confirmed what about a service.

One place, so that when the audit trail gains a subject column the directory's
entries move to it here. Until then the service (and school) go in the action.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from routing.referrals.audit import audit
from routing.referrals.lifecycle import Actor


def audit_listing(session: Session, actor: Actor, action: str, service_id: int,
                  now: datetime, school_id: int | None = None) -> None:
    """Record ``action`` on service ``service_id`` (at school ``school_id``) by ``actor``."""
    subject = f" service {service_id}" + (f" school {school_id}" if school_id else "")
    audit(session, actor, f"{action}:{subject}", now)


def actor_label(actor: Actor) -> str:
    """How a record names who did something: the person and their organisation."""
    if actor.organisation_name and actor.organisation_name != actor.name:
        return f"{actor.name}, {actor.organisation_name}"
    return actor.name
