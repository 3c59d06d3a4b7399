"""The family record on the child's page: staff at the child's school add or correct a
parent or carer (each change recorded with who and when, and audited)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import exists, false, or_, select
from werkzeug.wrappers import Response

from hub.access import me, roles_required
from hub.form_errors import refuse
from hub.referrals.access import actor_for, load_child, school_ids_for
from hub.referrals.common import bp
from hub.settings import now
from hub.unit_of_work import discard, session
from routing.referrals import family
from routing.referrals.family_answers import RESPONSIBILITY, CarerAnswer
from routing.referrals.family_models import Carer, FamilyChild, FamilySibling
from routing.referrals.models import Child, Referral
from services.accounts.models import SCHOOL_ROLES, Role, User
from services.bounds import parse_id
from services.errors import InvalidInput


def family_form_context() -> dict[str, Any]:
    """What the family record's form fields need (limits, choices)."""
    return {
        "family_limits": {
            "carer": family.CARER_LIMITS, "max_carers": family.MAX_CARERS,
            "max_siblings": family.MAX_SIBLINGS,
        },
        "responsibility": RESPONSIBILITY,
    }


def may_change_family(user: User, child: Child) -> bool:
    """Staff at the child's school."""
    return user.role.is_school and child.school_id in school_ids_for(user)


def may_see_family(user: User, child: Child) -> bool:
    """Staff at the child's school and coordinators. Services see how to reach the
    family on each referral instead; the family's own page never shows carers."""
    return user.role is Role.COORDINATOR or may_change_family(user, child)


def family_section(child: Child) -> dict[str, Any]:
    """The child's page's family record: carers with their change history, and brothers
    and sisters (with a record, and without)."""
    user = me()
    if not may_see_family(user, child):
        return {"family": None}
    record = family.family_of(session(), child.id)
    if record is None:
        return {"family": None, "may_change_family": may_change_family(user, child),
                "linkable_siblings": _linkable(child)}
    brothers_and_sisters = list(session().execute(
        select(Child).join(FamilyChild, FamilyChild.child_id == Child.id)
        .where(FamilyChild.family_id == record.id, Child.id != child.id).order_by(Child.id)
    ).scalars())
    unrecorded = list(session().execute(
        select(FamilySibling).where(FamilySibling.family_id == record.id)
        .order_by(FamilySibling.id)).scalars())
    return {
        "family": record, "carers": record.carers, "linkable_siblings": _linkable(child),
        "sibling_records": brothers_and_sisters, "sibling_history": _history(child),
        "unrecorded_siblings": unrecorded, "may_change_family": may_change_family(user, child),
        "this_year": now().year,
    }


@dataclass(frozen=True)
class LinkLine:
    """One link or unlink of this child and a brother or sister: who, when and why."""

    verb: str
    other: str
    by: str
    organisation: str
    at: datetime
    reason: str


def _history(child: Child) -> list[LinkLine]:
    """Every time this child was linked to or unlinked from a brother or sister."""
    links = family.sibling_links(session(), [child.id])
    others = {c.id: c.name for c in session().execute(select(Child).where(Child.id.in_(
        {i for link in links for i in (link.child_id, link.sibling_id)}))).scalars()}
    lines = []
    for link in links:
        other = others.get(link.sibling_id if link.child_id == child.id else link.child_id,
                           "a record no longer held")
        if link.linked_by_name:
            lines.append(LinkLine("Linked to", other, link.linked_by_name,
                                  link.linked_by_organisation, link.linked_at, link.reason))
        if link.unlinked_at is not None:
            lines.append(LinkLine("Unlinked from", other, link.unlinked_by_name,
                                  link.unlinked_by_organisation, link.unlinked_at,
                                  link.unlink_reason))
    return sorted(lines, key=lambda line: line.at)


# The most children offered as a brother or sister to link (a school's roll fits).
LINKABLE_MAX = 2000


def _linkable(child: Child) -> list[Child]:
    """Children the user may see (at their school, or referred by it) who could be
    linked as this child's brother or sister."""
    user = me()
    if not may_change_family(user, child):
        return []
    schools = school_ids_for(user)
    record = family.family_of(session(), child.id)
    in_family = (select(FamilyChild.child_id).where(FamilyChild.family_id == record.id)
                 if record is not None else select(FamilyChild.child_id).where(false()))
    return list(session().execute(
        select(Child).where(
            Child.id != child.id, Child.id.not_in(in_family),
            or_(Child.school_id.in_(schools),
                exists().where(Referral.child_id == Child.id, Referral.school_id.in_(schools))))
        .order_by(Child.last_name, Child.first_name, Child.id).limit(LINKABLE_MAX)
    ).scalars())


@dataclass(frozen=True)
class Shown:
    """A child on the sibling confirmation page: what the user may see of them, and of
    their family's carers only when the user may see that family."""

    child: Child
    carers: list[Carer]
    family_known: bool


def _shown(child: Child) -> Shown:
    user = me()
    if not may_see_family(user, child):
        return Shown(child, [], False)
    record = family.family_of(session(), child.id)
    return Shown(child, list(record.carers) if record is not None else [], True)


def _sibling_page(child: Child, other: Child, unlinking: bool,
                  errors: dict[str, str] | None = None) -> str:
    leaving = []
    if unlinking:
        ids = family.leaving_with(session(), child, other)
        leaving = [c for c in session().execute(
            select(Child).where(Child.id.in_(ids)).order_by(Child.id)).scalars()]
    return render_template(
        "referrals/sibling.html", child=child, other=other, unlinking=unlinking,
        shown=[_shown(child), _shown(other)], leaving=leaving, errors=errors or {},
        reason=request.form.get("reason", "") if errors else "",
        request_key=request.form.get("request_key") or secrets.token_urlsafe(24),
        reason_max=family.SIBLING_REASON_MAX)


def _linkable_other(child: Child, raw: str | None) -> Child | None:
    other_id = parse_id(raw)
    return next((c for c in _linkable(child) if c.id == other_id), None)


@bp.route("/children/<id:child_id>/siblings/confirm")
@roles_required(*SCHOOL_ROLES)
def confirm_sibling(child_id: int) -> Response | str:
    """Both children side by side before they are linked, with a reason to give."""
    child = _child_for_change(child_id)
    other = _linkable_other(child, request.args.get("sibling"))
    if other is None:
        flash("Choose a brother or sister from the list.", "error")
        return redirect(url_for("referrals.child", child_id=child.id, _anchor="family"))
    return _sibling_page(child, other, unlinking=False)


@bp.route("/children/<id:child_id>/siblings", methods=["POST"])
@roles_required(*SCHOOL_ROLES)
def link_sibling(child_id: int) -> Response | str | tuple[str, int]:
    child = _child_for_change(child_id)
    other = _linkable_other(child, request.form.get("sibling"))
    if other is None:
        flash("Choose a brother or sister from the list.", "error")
        return redirect(url_for("referrals.child", child_id=child.id, _anchor="family"))
    try:
        family.link_sibling(session(), child, other, actor_for(me()), now(),
                            request.form.get("reason", ""),
                            request.form.get("request_key", "")[:64] or None)
    except InvalidInput as error:
        discard()
        if "reason" in error.errors:
            child = _child_for_change(child_id)
            return _sibling_page(child, session().get(Child, other.id) or child, False,
                                 refuse(error)), 400
        flash(" ".join(error.errors.values()), "error")
        return redirect(url_for("referrals.child", child_id=child_id, _anchor="family"))
    flash(f"{other.name} is linked as {child.name}'s brother or sister.", "success")
    return redirect(url_for("referrals.child", child_id=child.id, _anchor="family"))


def _sibling_of(child: Child, other_id: int) -> Child:
    """A brother or sister in the child's family, or 404."""
    record = family.family_of(session(), child.id)
    other = session().get(Child, other_id)
    if record is None or other is None or other.id == child.id or (
            family.family_of(session(), other.id) != record):
        abort(404)
    return other


@bp.route("/children/<id:child_id>/siblings/<id:other_id>/unlink", methods=["GET", "POST"])
@roles_required(*SCHOOL_ROLES)
def unlink_sibling(child_id: int, other_id: int) -> Response | str | tuple[str, int]:
    """Confirm, with a reason, that two children are not brothers or sisters; their
    families are put back as they were before the link."""
    child = _child_for_change(child_id)
    other = _sibling_of(child, other_id)
    if request.method == "GET":
        return _sibling_page(child, other, unlinking=True)
    try:
        family.unlink_sibling(session(), child, other, actor_for(me()), now(),
                              request.form.get("reason", ""))
    except InvalidInput as error:
        discard()
        child = _child_for_change(child_id)
        return _sibling_page(child, _sibling_of(child, other_id), True, refuse(error)), 400
    flash(f"{other.name} and {child.name} are no longer linked as brothers or sisters: "
          "their family records are separate again.", "success")
    return redirect(url_for("referrals.child", child_id=child.id, _anchor="family"))


def _child_for_change(child_id: int) -> Child:
    child = load_child(child_id)
    if not may_change_family(me(), child):
        abort(403)
    return child


def _carer_of(child: Child, carer_id: int) -> Carer:
    carer = session().get(Carer, carer_id)
    record = family.family_of(session(), child.id)
    if carer is None or record is None or carer.family_id != record.id:
        abort(404)
    return carer


def _page(child: Child, carer: Carer | None, typed: CarerAnswer | None,
          errors: dict[str, str]) -> str:
    return render_template(
        "referrals/carer.html", child=child, carer=carer, c=typed, errors=errors,
        form=request.form if errors else {}, **family_form_context())


@bp.route("/children/<id:child_id>/carers/new", methods=["GET", "POST"])
@roles_required(*SCHOOL_ROLES)
def add_carer(child_id: int) -> Response | str | tuple[str, int]:
    child = _child_for_change(child_id)
    if request.method == "POST":
        try:
            carer = family.add_carer(session(), child, request.form, actor_for(me()), now())
        except InvalidInput as error:
            discard()
            return _page(_child_for_change(child_id), None, None, refuse(error)), 400
        flash(f"{carer.name} added to the family's record.", "success")
        return redirect(url_for("referrals.child", child_id=child.id, _anchor="family"))
    return _page(child, None, None, {})


@bp.route("/children/<id:child_id>/carers/<id:carer_id>", methods=["GET", "POST"])
@roles_required(*SCHOOL_ROLES)
def correct_carer(child_id: int, carer_id: int) -> Response | str | tuple[str, int]:
    child = _child_for_change(child_id)
    carer = _carer_of(child, carer_id)
    if request.method == "POST":
        try:
            changed = family.correct_carer(session(), child, carer, request.form,
                                           actor_for(me()), now())
        except InvalidInput as error:
            discard()
            child = _child_for_change(child_id)
            carer = _carer_of(child, carer_id)
            return _page(child, carer, family.carer_as_typed(carer), refuse(error)), 400
        flash(f"{carer.name}'s details corrected ({', '.join(changed)})." if changed
              else "Nothing was changed.", "success")
        return redirect(url_for("referrals.child", child_id=child.id, _anchor="family"))
    return _page(child, carer, family.carer_as_typed(carer), {})
