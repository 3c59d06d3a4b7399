"""Needs triage: the coordinator confirms, in bulk, the needs of imported services that
arrived with none we could map (suggested from their name and description), and
edits the keyword rules that make the suggestions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from hub.access import me, roles_required
from hub.form_errors import refuse
from hub.referrals.access import actor_for
from hub.settings import now
from hub.unit_of_work import session
from services.accounts.models import Role
from services.errors import InvalidInput
from services.taxonomy_ops import need_choices, needs_tree
from services.triage import (
    PAGE_SIZE,
    Suggester,
    assign_needs,
    keyword_rules,
    save_keyword_rules,
    services_to_triage,
    triage_count,
)

bp = Blueprint("triage", __name__, url_prefix="/triage")
# Ids past a 32-bit integer column are nobody's.
_MAX_ID = 2**31 - 1


def _page() -> int:
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        abort(400)
    if not 1 <= page <= 100_000:
        abort(400)
    return page


def _render_list(page: int, errors: Mapping[str, str] | None = None,
                 typed: Mapping[int, Sequence[str]] | None = None,
                 ticked: set[int] | None = None) -> str:
    db = session()
    suggester = Suggester(keyword_rules(db))
    services = services_to_triage(db, page)
    chosen = {s.id: (list(typed[s.id]) if typed is not None and s.id in typed
                     else suggester.suggest(s.name, s.description)) for s in services}
    return render_template(
        "triage/index.html", services=services, chosen=chosen, ticked=ticked or set(),
        errors=errors or {}, total=triage_count(db), page=page, page_size=PAGE_SIZE,
        choices=need_choices(db), labels=dict(need_choices(db)))


@bp.route("")
@roles_required(Role.COORDINATOR)
def index() -> str:
    return _render_list(_page())


def _id(text: str) -> int:
    if not text.isdecimal() or int(text) > _MAX_ID:
        abort(400)
    return int(text)


@bp.route("", methods=["POST"])
@roles_required(Role.COORDINATOR)
def confirm() -> Response | str:
    page = _page()
    ticked = {_id(value) for value in request.form.getlist("service")}
    shown = {_id(value) for value in request.form.getlist("shown")}
    typed: dict[int, list[str]] = {}
    for service_id in shown | ticked:
        codes = request.form.getlist(f"needs-{service_id}")
        extra = request.form.get(f"add-{service_id}", "").strip()
        typed[service_id] = codes + ([extra] if extra and extra not in codes else [])
    try:
        count = assign_needs(session(), actor_for(me()), now(),
                             {service_id: typed[service_id] for service_id in sorted(ticked)})
    except InvalidInput as error:
        return _render_list(page, refuse(error), typed, ticked)
    flash(f"Needs confirmed for {count} service{'s' if count != 1 else ''}: "
          "they are now found by searches and routing.", "success")
    return redirect(url_for("triage.index", page=page))


@bp.route("/rules", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def rules() -> Response | tuple[str, int]:
    db = session()
    current = keyword_rules(db)
    typed = {code: ", ".join(words) for code, words in current.items()}
    errors: dict[str, str] = {}
    if request.method == "POST":
        sent = {code: request.form[f"keywords-{code}"] for code in current
                if f"keywords-{code}" in request.form}
        typed.update(sent)
        try:
            changed = save_keyword_rules(db, actor_for(me()), now(), sent)
        except InvalidInput as error:
            errors = refuse(error)
        else:
            flash(f"Keyword rules saved ({changed} changed).", "success")
            return redirect(url_for("triage.rules"))
    return render_template("triage/rules.html", tree=needs_tree(db), typed=typed,
                           errors=errors), (400 if errors else 200)
