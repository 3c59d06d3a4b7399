"""The family's progress page: confirm the child's date of birth, then see plain status.

Unknown, expired, revoked and wrong answers give the same page and status.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, make_response, render_template, request
from werkzeug.wrappers import Response

from hub.settings import now
from hub.unit_of_work import session
from routing.referrals import progress

bp = Blueprint("progress", __name__, url_prefix="/progress")


def _private(response: Response) -> Response:
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _born() -> date | None:
    try:
        return date(
            int(request.form.get("dob-year", "")),
            int(request.form.get("dob-month", "")),
            int(request.form.get("dob-day", "")),
        )
    except ValueError:
        return None


@bp.route("/<token>", methods=["GET", "POST"])
def show(token: str) -> Response:
    status = 200
    error = None
    views = None
    if request.method == "POST":
        try:
            views = progress.check_and_show(
                session(), token, _born(), request.remote_addr or "unknown", now()
            )
        except progress.TooManyAttempts:
            error = "Too many tries. Wait 15 minutes and try again, or contact the school."
            status = 429
        except progress.NotShown:
            error = ("We cannot show progress for that date of birth. Check it and try again, "
                     "or contact the school.")
    html = render_template(
        "progress/show.html", views=views, error=error, checked_at=now()
    )
    return _private(make_response(html, status))
