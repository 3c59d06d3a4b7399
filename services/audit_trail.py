"""The audit of directory changes: who changed or confirmed what about a service.

One place for the directory's own events (agreed, confirmed, changed by whom). The
generic "capacity_changed"-style rows written as records are flushed
(hub/audit_changes.py) say which fields changed; these say what was meant.
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
    audit(session, actor, f"{action}:{subject}", now, subject_type="service",
          subject_id=service_id, detail=f"school {school_id}" if school_id else "")


def actor_label(actor: Actor) -> str:
    """How a record names who did something: the person and their organisation."""
    if actor.organisation_name and actor.organisation_name != actor.name:
        return f"{actor.name}, {actor.organisation_name}"
    return actor.name
