"""The data protection officer's pages: the audit, filtered and paged, and as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import date
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from hub.audit_trail import record
from hub.date_input import read_date_text
from hub.unit_of_work import session
from routing.referrals.audit_actions import action_words, audit_actions
from routing.referrals.audit_log import AuditFilter, audit_csv_rows, audit_page
from services.organisations import Organisation

bp = Blueprint("audit", __name__, url_prefix="/audit")

F = TypeVar("F", bound=Callable[..., Any])
_MAX_ID = 2**31 - 1


def dpo_only(view: F) -> F:
    """Signed in as the data protection officer (403, itself audited, otherwise)."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_dpo:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def _id(name: str, label: str, errors: dict[str, str]) -> int | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdecimal() or not 0 < int(raw) <= _MAX_ID:
        errors[name] = f"{label} must be a number, like 42"
        return None
    return int(raw)


def _date(name: str, label: str, errors: dict[str, str]) -> date | None:
    # The product's one date reader: 31/03/2026 as typed, 2026-03-31 from older links.
    answer = read_date_text(request.args.get(name) or "", label)
    if answer.error:
        errors[name] = answer.error
    return answer.value


def _filter() -> tuple[AuditFilter, dict[str, str]]:
    errors: dict[str, str] = {}
    chosen = AuditFilter(
        child_id=_id("child", "Record number", errors),
        user_id=_id("user", "User number", errors),
        organisation_id=_id("organisation", "Organisation", errors),
        action=(request.args.get("action") or "").strip()[:50] or None,
        refused_only=request.args.get("refused") == "1",
        since=_date("since", "From date", errors),
        until=_date("until", "To date", errors),
    )
    if chosen.since and chosen.until and chosen.until < chosen.since:
        errors["until"] = "To date must be the same as or after the from date"
    return chosen, errors


def _query_string() -> str:
    kept = [(key, value) for key, value in request.args.items(multi=True)
            if key != "page" and value]
    from urllib.parse import urlencode

    return urlencode(kept) + "&" if kept else ""


@bp.route("")
@dpo_only
def index() -> str | tuple[str, int]:
    chosen, errors = _filter()
    page_number = request.args.get("page", "1")
    page = int(page_number) if page_number.isdecimal() and len(page_number) < 7 else 1
    found = audit_page(session(), chosen if not errors else AuditFilter(), page)
    record("audit_viewed", detail=_query_string().rstrip("&")[:500])
    chosen_org = request.args.get("organisation", "")
    chosen_action = request.args.get("action", "")
    organisation_items = [{"value": "", "text": "Any"}] + [
        {"value": str(org_id), "text": name, "selected": str(org_id) == chosen_org}
        for org_id, name in session().execute(
            select(Organisation.id, Organisation.name).order_by(Organisation.name))
    ]
    action_items = [{"value": "", "text": "Any"}] + [
        {"value": action, "text": action_words(action), "selected": action == chosen_action}
        for action in audit_actions()
    ]
    return render_template(
        "audit/index.html", found=found, errors=errors, args=request.args,
        error_list=[{"text": message, "href": f"#{name}"} for name, message in errors.items()],
        organisation_items=organisation_items, action_items=action_items,
        query=_query_string(), action_words=action_words,
    ), (400 if errors else 200)


def _safe_cell(value: object) -> object:
    # A spreadsheet runs a cell that starts like a formula: names are typed by people.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@bp.route("/export.csv")
@dpo_only
def export() -> Response:
    chosen, errors = _filter()
    if errors:
        abort(400)
    record("audit_exported", detail=_query_string().rstrip("&")[:500])
    rows = [[_safe_cell(value) for value in row] for row in audit_csv_rows(session(), chosen)]

    def lines() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out)
        for row in rows:
            writer.writerow(row)
            yield out.getvalue()
            out.seek(0)
            out.truncate()

    return Response(lines(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="audit-{date.today().isoformat()}.csv"'})
