"""Erasing one record on request, for the data protection officer: find the record by
its number (POSTed, so no record number or name rides in a URL), see what would be
erased, confirm with the ground. Refusals and erasures are audited."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from hub.access import me
from hub.audit.routes import bp, dpo_only
from hub.audit_trail import actor_of, client_address, record
from hub.form_errors import refuse
from hub.settings import now
from hub.unit_of_work import session
from routing.referrals.erasure import (
    GROUNDS,
    NOTE_MAX,
    AlreadyErased,
    ErasureRefused,
    erase_record,
    erasure_plan,
)
from services.errors import InvalidInput

_MAX_ID = 2**31 - 1


def _start(value: str, error: str | None) -> tuple[str, int]:
    return render_template("audit/erasure_start.html", value=value, error=error), (
        400 if error else 200)


def _number(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isdecimal() and 0 < int(raw) <= _MAX_ID else None


def _not_held(number: str) -> str:
    return (f"No child's record numbered {number} is held. Check the number on the child's "
            "page; a record deleted under the retention rules is no longer held")


def _already(done: AlreadyErased) -> tuple[str, int]:
    return render_template("audit/erasure_already.html", done=done), 409


def _plan_page(child_id: int, errors: dict[str, str] | None = None,
               ground: str = "", note: str = "") -> tuple[str, int]:
    """What erasing the record would delete, with the confirm form; or the start page
    with the reason the record is kept (a refusal, audited: it says something of the
    child)."""
    value = str(child_id)
    try:
        plan = erasure_plan(session(), child_id)
    except AlreadyErased as done:
        return _already(done)
    except ErasureRefused as refused:
        record("erasure_refused", child_id=child_id, detail="; ".join(refused.reasons)[:500])
        return _start(value, f"Record {child_id} cannot be erased. "
                             + ". ".join(refused.reasons) + ".")
    except LookupError:
        return _start(value, _not_held(value))
    record("erasure_previewed", child_id=child_id)
    errors = errors or {}
    return render_template(
        "audit/erasure_plan.html", plan=plan, errors=errors, ground=ground, note=note,
        grounds=GROUNDS, note_max=NOTE_MAX,
        error_list=[{"text": message, "href": f"#{name}"} for name, message in errors.items()],
    ), (400 if errors else 200)


@bp.route("/erasure", methods=["GET", "POST"])
@dpo_only
def erasure_start() -> tuple[str, int]:
    if request.method == "GET":
        return _start("", None)
    raw = (request.form.get("child") or "").strip()
    child_id = _number(raw)
    if child_id is None:
        # A number no record can have (0, or past the largest id) is simply not held.
        return _start(raw[:20], "Enter the record number, like 42" if not raw
                      else _not_held(raw[:20]) if raw.isdecimal()
                      else "Record number must be a number, like 42")
    return _plan_page(child_id)


@bp.route("/erasure/confirm", methods=["POST"])
@dpo_only
def erasure_confirm() -> Response | tuple[str, int]:
    child_id = _number(request.form.get("child") or "")
    if child_id is None:
        return _start("", "Enter the record number, like 42")
    ground = (request.form.get("ground") or "").strip()[:40]
    note = request.form.get("note") or ""
    try:
        counts = erase_record(session(), child_id, actor_of(me()), now(), ground, note,
                              client_address())
    except AlreadyErased as done:
        return _already(done)
    except InvalidInput as error:
        return _plan_page(child_id, refuse(error), ground, note[:1000])
    except (ErasureRefused, LookupError):
        return _plan_page(child_id)
    flash(f"Record {child_id} was erased ({counts.in_words()}). The audit keeps who "
          "erased it, when and why, and no details of the child or family.", "success")
    return redirect(url_for("audit.erasure_start"))
