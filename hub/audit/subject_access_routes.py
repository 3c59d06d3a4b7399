"""Subject access requests, for the data protection officer: find the child, then one
action gives the whole document as a printable page or a JSON file; each is audited."""

from __future__ import annotations

import json

from flask import Response, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from hub.audit.routes import bp, dpo_only
from hub.audit_trail import record
from hub.settings import now
from hub.unit_of_work import session
from routing.referrals.subject_access import (
    SubjectAccessDocument,
    record_held,
    subject_access,
)

_MAX_ID = 2**31 - 1


@bp.route("/subject-access")
@dpo_only
def subject_access_start() -> BaseResponse | tuple[str, int]:
    raw = (request.args.get("child") or "").strip()
    error = None
    if raw:
        if not (raw.isdecimal() and 0 < int(raw) <= _MAX_ID):
            error = "Record number must be a number, like 42"
        elif not record_held(session(), int(raw)):
            # Beside the number typed, not a bare "Page not found": a wrong number, or a
            # record the retention purge has deleted, is an answer the officer needs.
            error = (f"No child's record numbered {int(raw)} is held. Check the number on "
                     "the child's page; a record deleted under the retention rules is no "
                     "longer held")
        else:
            return redirect(url_for("audit.subject_access_page", child_id=int(raw)))
    return render_template("audit/subject_access_start.html", value=raw, error=error), (
        400 if error else 200)


def _document(child_id: int, how: str) -> SubjectAccessDocument:
    if child_id > _MAX_ID:
        abort(404)
    try:
        document = subject_access(session(), child_id, now())
    except LookupError:
        abort(404)
    record("subject_access_" + how, child_id=child_id)
    return document


@bp.route("/subject-access/<id:child_id>")
@dpo_only
def subject_access_page(child_id: int) -> str:
    return render_template("audit/subject_access.html",
                           document=_document(child_id, "viewed"))


@bp.route("/subject-access/<id:child_id>/export.json")
@dpo_only
def subject_access_json(child_id: int) -> Response:
    document = _document(child_id, "exported")
    return Response(
        json.dumps(document.as_json(), indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={"Content-Disposition":
                 f'attachment; filename="subject-access-child-{child_id}.json"'},
    )
