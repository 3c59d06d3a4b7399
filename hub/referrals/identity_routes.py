"""Who the child is: correcting their details (a new version), and merging two records
of one child and undoing the merge."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, or_, select
from werkzeug.wrappers import Response

from hub.access import me, roles_required
from hub.audit_trail import client_address
from hub.date_input import precise, read_date
from hub.form_errors import refuse
from hub.referrals.access import actor_for, load_child, school_ids_for
from hub.referrals.common import bp
from hub.settings import now
from hub.unit_of_work import session
from routing.engine.reasons import plural
from routing.referrals.audit import audit
from routing.referrals.children import ChildDetails
from routing.referrals.corrections import IdentityCorrection, correct_identity
from routing.referrals.identity import IDENTITY_FIELDS, REASON_MAX
from routing.referrals.merge import (
    MERGED,
    SURVIVING,
    UNDO_DAYS,
    ChildMerge,
    MergeRefused,
    current_record,
    merge_children,
    undo_merge,
)
from routing.referrals.models import Child, Referral
from services.accounts.models import SCHOOL_ROLES, Role, User
from services.bounds import parse_id
from services.errors import InvalidInput
from services.schools import School

# How many possible duplicates the merge page offers.
CANDIDATES = 20


def may_correct(user: User, child: Child) -> bool:
    """The coordinator, and staff (the safeguarding lead too) at the child's school."""
    return user.role is Role.COORDINATOR or (
        user.role.is_school and child.school_id in school_ids_for(user))


def merge_scope(user: User) -> tuple[int, ...] | None:
    """The schools whose children ``user`` may merge (None: any, for the coordinator).
    Aborts 403 for anyone but the coordinator and safeguarding leads."""
    if user.role is Role.COORDINATOR:
        return None
    if user.role is Role.SAFEGUARDING_LEAD:
        return school_ids_for(user)
    abort(403)


def may_merge_child(user: User, child: Child) -> bool:
    return user.role is Role.COORDINATOR or (
        user.role is Role.SAFEGUARDING_LEAD and child.school_id in school_ids_for(user))


def _refused(child_id: int, what: str) -> None:
    audit(session(), actor_for(me()), what, now(), child_id, refused=True,
          remote_addr=client_address())
    abort(403)


def _school_choices(user: User) -> list[School]:
    query = select(School).order_by(School.name)
    if user.role is not Role.COORDINATOR:
        query = query.where(School.id.in_(school_ids_for(user)))
    return list(session().execute(query).scalars())


def redirect_from_merged(child: Child) -> Response:
    """A merged record's page sends the user to the record it went into."""
    survivor = current_record(session(), child.id)
    if survivor is None or survivor.id == child.id:
        abort(404)
    flash(f"Record {child.id} was merged into this record.", "info")
    return redirect(url_for("referrals.child", child_id=survivor.id))


def _live(child: Child) -> Response | None:
    return None if child.merged_at is None else redirect_from_merged(child)


@bp.route("/children/<id:child_id>/identity", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR, *SCHOOL_ROLES)
def correct_child(child_id: int) -> Response | str | tuple[str, int]:
    record = load_child(child_id)
    user = me()
    if not may_correct(user, record):
        _refused(record.id, "child_identity_correct")
    moved = _live(record)
    if moved is not None:
        return moved
    errors: dict[str, str] = {}
    form = request.form
    if request.method == "POST":
        born = read_date(form, "dob", "Date of birth")
        typed = ChildDetails(
            first_name=form.get("first_name", ""), last_name=form.get("last_name", ""),
            date_of_birth=born.value, home_postcode=form.get("home_postcode", ""),
            upn=form.get("upn", ""), nhs_number=form.get("nhs_number", ""))
        choices = None if user.role is Role.COORDINATOR else school_ids_for(user)
        try:
            correct_identity(
                session(), record,
                IdentityCorrection(typed, parse_id(form.get("school_id")),
                                   form.get("reason", "")),
                actor_for(user), now(), choices)
        except InvalidInput as error:
            errors = precise(refuse(error), {"date_of_birth": born})
            record = load_child(child_id)
        else:
            flash("The child's details are corrected. The earlier details are kept as a "
                  "version below.", "success")
            return redirect(url_for("referrals.child", child_id=record.id, _anchor="identity"))
    page = render_template("referrals/identity_correct.html", child=record, form=form,
                           errors=errors, schools=_school_choices(user),
                           reason_max=REASON_MAX)
    return (page, 400) if errors else page


def _candidates(record: Child, scope: tuple[int, ...] | None) -> list[Child]:
    """Records that may be the same child: same date of birth, or same name, or same
    postcode and last name; of the user's schools for a safeguarding lead."""
    same_last = func.lower(Child.last_name) == record.last_name.lower()
    query = select(Child).where(
        Child.id != record.id, Child.merged_at.is_(None),
        or_(Child.date_of_birth == record.date_of_birth,
            same_last & (func.lower(Child.first_name) == record.first_name.lower()),
            same_last & (Child.home_postcode == record.home_postcode)),
    ).order_by(Child.last_name, Child.first_name, Child.id).limit(CANDIDATES)
    if scope is not None:
        query = query.where(Child.school_id.in_(scope))
    return list(session().execute(query).scalars())


def _referral_counts(ids: list[int]) -> dict[int, int]:
    return dict(session().execute(
        select(Referral.child_id, func.count(Referral.id))
        .where(Referral.child_id.in_(ids)).group_by(Referral.child_id)).all())


@bp.route("/children/<id:child_id>/merge")
@roles_required(Role.COORDINATOR, Role.SAFEGUARDING_LEAD)
def merge_choose(child_id: int) -> Response | str | tuple[str, int]:
    record = load_child(child_id)
    user = me()
    scope = merge_scope(user)
    if not may_merge_child(user, record):
        _refused(record.id, "child_merge")
    moved = _live(record)
    if moved is not None:
        return moved
    errors: dict[str, str] = {}
    if "other" in request.args:
        other_id = parse_id(request.args.get("other"))
        other = session().get(Child, other_id) if other_id else None
        if other is None or other.merged_at is not None or (
                scope is not None and other.school_id not in scope):
            # The same words whether the record does not exist or is not theirs.
            errors["other"] = ("Enter the record number of a record of a child at your "
                               "school" if scope is not None else
                               "Enter the record number of another child's record")
        elif other.id == record.id:
            errors["other"] = "Enter another record's number: this is the same record"
        else:
            return redirect(url_for("referrals.merge_compare", child_id=record.id,
                                    other_id=other.id))
    candidates = _candidates(record, scope)
    audit(session(), actor_for(user), "child_merge_candidates_viewed", now(), record.id,
          detail=f"{len(candidates)} shown", remote_addr=client_address())
    page = render_template("referrals/merge_choose.html", child=record, candidates=candidates,
                           counts=_referral_counts([c.id for c in candidates]),
                           errors=errors, typed=request.args)
    return (page, 400) if errors else page


@bp.route("/children/<id:child_id>/merge/<id:other_id>", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR, Role.SAFEGUARDING_LEAD)
def merge_compare(child_id: int, other_id: int) -> Response | str | tuple[str, int]:
    record = load_child(child_id)
    user = me()
    scope = merge_scope(user)
    if not may_merge_child(user, record):
        _refused(record.id, "child_merge")
    other = load_child(other_id)
    if not may_merge_child(user, other):
        _refused(other.id, "child_merge")
    errors: dict[str, str] = {}
    if request.method == "POST":
        chosen = {name: request.form.get(name, SURVIVING) for name in IDENTITY_FIELDS}
        try:
            merge = merge_children(session(), record, other, chosen,
                                   request.form.get("reason", ""), actor_for(user), now(),
                                   scope)
        except MergeRefused:
            _refused(other.id, "child_merge")
        except InvalidInput as error:
            errors = refuse(error)
            record, other = load_child(child_id), load_child(other_id)
        else:
            flash(f"Record {merge.merged_child_id} is merged into this record. You can undo "
                  f"the merge for {UNDO_DAYS} days.", "success")
            return redirect(url_for("referrals.child", child_id=record.id, _anchor="merges"))
    if record.merged_at is not None or other.merged_at is not None:
        return redirect(url_for("referrals.child", child_id=record.id))
    counts = _referral_counts([record.id, other.id])
    page = render_template(
        "referrals/merge_compare.html", child=record, other=other, fields=IDENTITY_FIELDS,
        counts=counts, errors=errors, form=request.form, reason_max=REASON_MAX,
        surviving=SURVIVING, merged=MERGED, undo_days=UNDO_DAYS)
    return (page, 400) if errors else page


def load_merge(child_id: int, merge_id: int) -> tuple[Child, ChildMerge]:
    """A merge into the child's record, for a user who may undo it (404, 403)."""
    record = load_child(child_id)
    merge = session().get(ChildMerge, merge_id)
    if merge is None or merge.surviving_child_id != record.id:
        abort(404)
    user = me()
    merge_scope(user)
    merged = session().get(Child, merge.merged_child_id)
    if not may_merge_child(user, record) or (
            merged is not None and not may_merge_child(user, merged)):
        _refused(record.id, "child_merge_undo")
    return record, merge


@bp.route("/children/<id:child_id>/merges/<id:merge_id>/undo", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR, Role.SAFEGUARDING_LEAD)
def merge_undo(child_id: int, merge_id: int) -> Response | str | tuple[str, int]:
    record, merge = load_merge(child_id, merge_id)
    user = me()
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            undo_merge(session(), merge, request.form.get("undo_reason", ""),
                       actor_for(user), now(), merge_scope(user))
        except MergeRefused:
            _refused(record.id, "child_merge_undo")
        except InvalidInput as error:
            errors = refuse(error)
            record, merge = load_merge(child_id, merge_id)
        else:
            flash(f"The merge is undone: record {merge.merged_child_id} is a record of its "
                  "own again, with what it had before.", "success")
            return redirect(url_for("referrals.child", child_id=record.id, _anchor="merges"))
    page = render_template("referrals/merge_undo.html", child=record, merge=merge,
                           errors=errors, form=request.form, reason_max=REASON_MAX,
                           undoable=merge.undoable(now()), undo_days=UNDO_DAYS)
    return (page, 400) if errors else page


def identity_context(record: Child) -> dict[str, object]:
    """What the child's page shows of who the child is: the versions of their details
    (to those who may correct them; the read is audited), the merges into the record,
    and what the user may do."""
    from routing.referrals.identity import versions_of
    from routing.referrals.merge import merges_into

    user = me()
    correctable = may_correct(user, record)
    mergeable = may_merge_child(user, record)
    versions = versions_of(session(), record.id) if correctable else []
    if versions:
        audit(session(), actor_for(user), "child_identity_versions_viewed", now(), record.id,
              detail=plural(len(versions), "version"), remote_addr=client_address())
    merges = merges_into(session(), record.id) if correctable or mergeable else []
    return {
        "identity_fields": IDENTITY_FIELDS, "versions": versions, "merges": merges,
        "may_correct": correctable, "may_merge": mergeable, "today": now(),
    }
