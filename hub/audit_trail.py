"""Writing the audit from a request: who (the signed-in user), their organisation, when
(the app's clock) and from where (the client's address), through ``audit()``, the one
writer in routing/referrals/audit.py."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from hub.settings import now
from hub.unit_of_work import session
from routing.referrals.audit import audit
from routing.referrals.lifecycle import Actor
from services.accounts.models import User

ANONYMOUS = Actor(None, "Not signed in", None, "")


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.name, user.organisation_id, user.organisation.name)


def client_address() -> str:
    return request.remote_addr or ""


def record(
    action: str,
    *,
    child_id: int | None = None,
    referral_id: int | None = None,
    subject_type: str = "",
    subject_id: object = "",
    detail: str = "",
    refused: bool = False,
    user: User | None = None,
) -> None:
    """Audit ``action`` by ``user`` (the signed-in user by default) in this request."""
    who = user if user is not None else (
        current_user._get_current_object() if current_user.is_authenticated else None)
    audit(
        session(), actor_of(who) if who is not None else ANONYMOUS, action, now(),
        child_id, referral_id, subject_type=subject_type, subject_id=subject_id,
        detail=detail, remote_addr=client_address(), refused=refused,
    )


def record_refusal() -> None:
    """Audit a refused access (a 403): what was asked for, by whom, from where."""
    args = request.view_args or {}
    record(
        "access_refused",
        child_id=_int_arg(args.get("child_id")),
        referral_id=_int_arg(args.get("referral_id")),
        detail=f"{request.method} {request.endpoint or request.path}"[:500],
        refused=True,
    )


def _int_arg(value: object) -> int | None:
    # Route converters bound ids already; anything else is not an id to keep.
    return value if isinstance(value, int) and 0 < value < 2**31 else None
