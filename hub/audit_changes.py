"""Every change to a child's or family's record, the directory or the accounts is
audited as it is flushed: who, organisation, when, from where, which record and which
fields (never their values). Through ``audit()``, the one writer.

Referrals' own status changes are not repeated here: each already writes an immutable
event with who, when and why, and opening one is audited by the access helper.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import has_app_context, has_request_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction

from routing.leads.models import LeadPractitioner
from routing.referrals.audit import audit
from routing.referrals.earlier import DetailsRequest
from routing.referrals.family_models import Carer, Family, FamilyChild, FamilySibling
from routing.referrals.identity import ChildIdentityVersion
from routing.referrals.lifecycle import SYSTEM
from routing.referrals.merge import ChildMerge
from routing.referrals.models import Child, ReferralRequest
from routing.safeguarding.cme_models import MissingEducationCase
from services.accounts.models import User
from services.db import utcnow
from services.listings import Capacity, Service
from services.organisations import Organisation
from services.schools import School
from services.taxonomy import Need

_WATCHED: dict[type, str] = {
    Child: "child", ReferralRequest: "referral_form", User: "user",
    Organisation: "organisation", School: "school", Service: "service",
    Capacity: "capacity", Need: "need", LeadPractitioner: "lead_practitioner",
    ChildIdentityVersion: "child_identity_version", ChildMerge: "child_merge",
    MissingEducationCase: "missing_education_case",
    DetailsRequest: "details_request",
    Family: "family", FamilyChild: "family_child", Carer: "carer", FamilySibling: "sibling",
}
# Bookkeeping that changes on every sign-in or sign-out, not a change to the account.
_IGNORED = {"last_login_at", "session_token", "totp_last_step", "updated_at"}
# Named as what changed, not as the column that stores it.
_RENAMED = {"password_hash": "password", "totp_secret": "second factor", "answers": "answers"}


def _changed_fields(target: Any) -> list[str]:
    state = inspect(target)
    names = []
    for attr in state.mapper.column_attrs:
        if attr.key in _IGNORED:
            continue
        if state.attrs[attr.key].history.has_changes():
            names.append(_RENAMED.get(attr.key, attr.key))
    return names


def _ids(target: Any, kind: str) -> tuple[int | None, object]:
    if isinstance(target, Child):
        return target.id, target.id
    if isinstance(target, ReferralRequest | LeadPractitioner | ChildIdentityVersion
                  | DetailsRequest):
        return target.child_id, target.id
    if isinstance(target, ChildMerge):
        return target.surviving_child_id, target.id
    if isinstance(target, MissingEducationCase):
        return target.child_id, target.id
    if isinstance(target, Capacity):
        return None, target.service_id
    if isinstance(target, FamilyChild):
        return target.child_id, target.family_id
    key = inspect(target).identity
    return None, key[0] if key else ""


def _who() -> tuple[Any, str]:
    if has_request_context():
        from flask_login import current_user

        from hub.audit_trail import ANONYMOUS, actor_of, client_address

        user = current_user._get_current_object() if current_user.is_authenticated else None
        return (actor_of(user) if user is not None else ANONYMOUS), client_address()
    return SYSTEM, ""


def _after_flush(session: Session, flush_context: UOWTransaction) -> None:
    changes = []
    for verb, objects in (("created", session.new), ("changed", session.dirty),
                          ("deleted", session.deleted)):
        for target in objects:
            kind = _WATCHED.get(type(target))
            if kind is None:
                continue
            fields = _changed_fields(target) if verb == "changed" else []
            if verb == "changed" and not fields:
                continue
            changes.append((verb, kind, target, fields))
    if not changes:
        return
    actor, address = _who()
    at = _now()
    for verb, kind, target, fields in changes:
        child_id, subject_id = _ids(target, kind)
        audit(session, actor, f"{kind}_{verb}", at, child_id,
              subject_type=kind, subject_id=subject_id if subject_id is not None else "",
              detail=", ".join(fields), remote_addr=address)


def _now() -> datetime:
    # The app's clock (tests move it); a bare script has only the real one.
    if has_app_context():
        from hub.settings import now

        return now()
    return utcnow()


def init() -> None:
    """Listen on every session (idempotent: create_app runs many times in tests)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
