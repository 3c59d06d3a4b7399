"""Who may see and act on referrals, drafts and children. Views load through these
helpers, which 404 for unknown ids and 403 when not allowed, and audit every read."""

from __future__ import annotations

from enum import StrEnum

from flask import abort
from sqlalchemy import exists, false, select
from sqlalchemy.sql.elements import ColumnElement

from hub.access import me
from hub.audit_trail import actor_of, client_address
from hub.request_cache import per_request
from hub.settings import now
from hub.unit_of_work import session
from routing.referrals.earlier import DetailsRequest, active_grant, record_view
from routing.referrals.lifecycle import Actor
from routing.referrals.models import Child, Referral, ReferralRequest, Status
from routing.referrals.operations import audit
from routing.referrals.sharing import Reader
from services.accounts.models import Role, User
from services.locking import lock_row
from services.schools import School


class Act(StrEnum):
    VIEW = "view"
    PROVIDER = "provider"  # open, accept, wait-list, decline, ask, first contact, close
    REFERRER = "referrer"  # withdraw, answer, re-route, progress links
    CHASE = "chase"  # remind the provider: the referrer, or a coordinator


def actor_for(user: User) -> Actor:
    return actor_of(user)


def school_ids_for(user: User) -> tuple[int, ...]:
    """The schools whose staff this user is (empty for everyone else).

    Read once per request: one page asks several access questions of the same user.
    """
    if not user.role.is_school:
        return ()
    known: dict[int, tuple[int, ...]] = per_request("school_ids_by_organisation", dict)
    ids = known.get(user.organisation_id)
    if ids is None:
        ids = known[user.organisation_id] = tuple(
            session().execute(
                select(School.id).where(School.organisation_id == user.organisation_id)
            ).scalars()
        )
    return ids


def visible_referrals(user: User) -> ColumnElement[bool]:
    """A WHERE clause for the referrals ``user`` may see."""
    if user.role is Role.LINK_WORKER:
        # A link worker sees referrals only on the lead page of a child they lead for
        # (hub/leads), never a list or a referral's page: even when their organisation
        # also provides services.
        return false()
    if user.role == Role.COORDINATOR:
        return Referral.id.isnot(None)
    if user.role.is_school:
        return Referral.school_id.in_(school_ids_for(user))
    return (Referral.organisation_id == user.organisation_id) & (Referral.status != Status.DRAFT)


def allowed(user: User, referral: Referral, act: Act) -> bool:
    if user.role is Role.LINK_WORKER:
        return False
    if act is Act.PROVIDER:
        return user.role.is_provider and referral.organisation_id == user.organisation_id
    if act is Act.REFERRER:
        return user.role.is_school and referral.school_id in school_ids_for(user)
    if act is Act.CHASE:
        return user.role == Role.COORDINATOR or allowed(user, referral, Act.REFERRER)
    if user.role == Role.COORDINATOR:
        return True
    if user.role.is_school:
        return referral.school_id in school_ids_for(user)
    return referral.organisation_id == user.organisation_id and referral.status != Status.DRAFT


def reader_for(user: User, referral: Referral) -> Reader:
    """How much of ``referral``'s form ``user`` may read (routing.referrals.sharing): the
    referring school and the coordinator all of it, anyone else what was shared."""
    if user.role == Role.COORDINATOR or allowed(user, referral, Act.REFERRER):
        return Reader.FULL
    return Reader.PROVIDER


def load_referral(referral_id: int, act: Act = Act.VIEW, lock: bool = False) -> Referral:
    """The referral, if ``act`` is allowed for the signed-in user; the read is audited.

    ``lock`` (for a change) holds the referral's row until the request ends, so a
    double click's second request waits for the first and then sees what it did.
    Aborts 404 for an unknown id and 403 when not allowed.
    """
    referral = session().get(Referral, referral_id)
    if referral is None:
        abort(404)
    user = me()
    if not allowed(user, referral, act):
        abort(403)
    if lock:
        lock_row(session(), referral)
    audit(session(), actor_for(user), f"referral_{act}", now(), referral.child_id, referral.id,
          remote_addr=client_address())
    return referral


def load_child(child_id: int) -> Child:
    """The child's record, if the user may see at least one of their referrals (or is
    staff at the child's school, or a coordinator); the read is audited."""
    child = session().get(Child, child_id)
    if child is None:
        abort(404)
    user = me()
    ok = user.role == Role.COORDINATOR or (
        user.role.is_school and child.school_id in school_ids_for(user)
    )
    if not ok:
        ok = bool(
            session().execute(
                select(exists().where(Referral.child_id == child.id, visible_referrals(user)))
            ).scalar()
        )
    if not ok:
        abort(403)
    audit(session(), actor_for(user), "child_viewed", now(), child.id,
          remote_addr=client_address())
    return child


def load_details_request(request_id: int, decide: bool = False) -> DetailsRequest:
    """A new school's request for an earlier school's referral details: for the earlier
    school's safeguarding lead (who alone may ``decide``) and the coordinator (read
    only). 404 for an unknown id, 403 otherwise; the read is audited."""
    found = session().get(DetailsRequest, request_id)
    if found is None:
        abort(404)
    user = me()
    lead = (user.role is Role.SAFEGUARDING_LEAD
            and found.holder_school_id in school_ids_for(user))
    if not (lead or (user.role is Role.COORDINATOR and not decide)):
        abort(403)  # audited as a refused access by the error page
    if decide:
        lock_row(session(), found)
    audit(session(), actor_for(user), "details_request_viewed", now(), found.child_id,
          subject_type="details_request", subject_id=found.reference,
          remote_addr=client_address())
    return found


def load_earlier_referral(child: Child, referral_id: int) -> tuple[Referral, DetailsRequest]:
    """An earlier school's referral of ``child``, for the child's new school while the
    earlier school's safeguarding lead's grant is in force; the read is audited.

    404 for a referral not of this child or made by the user's own school (their own
    page shows it), 403 without a grant in force.
    """
    referral = session().get(Referral, referral_id)
    own = school_ids_for(me())
    if referral is None or referral.child_id != child.id or referral.school_id in own \
            or referral.status is Status.DRAFT:
        abort(404)
    grant = active_grant(session(), child.id, referral.school_id, own, now())
    if grant is None:
        abort(403)  # audited as a refused access by the error page
    record_view(session(), actor_for(me()), grant, referral, now(), client_address())
    return referral, grant


def load_draft(request_id: int) -> ReferralRequest:
    """A referral form, for school staff of the school that started it."""
    draft = session().get(ReferralRequest, request_id)
    if draft is None:
        abort(404)
    user = me()
    if not (user.role.is_school and draft.school_id in school_ids_for(user)):
        abort(403)
    if draft.child_id is not None:
        audit(session(), actor_for(user), "draft_viewed", now(), draft.child_id,
              remote_addr=client_address())
    return draft
