"""The family's progress page: confirm the child's date of birth, then see plain status.

Unknown, expired, revoked and wrong answers give the same page and status.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, make_response, render_template, request
from werkzeug.wrappers import Response

from hub.date_input import read_date
from hub.settings import now
from hub.unit_of_work import session
from routing.leads.contact import family_lead_contact
from routing.referrals import progress

bp = Blueprint("progress", __name__, url_prefix="/progress")


def _private(response: Response) -> Response:
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _born() -> tuple[date | None, str]:
    """The date typed, or None and what to tell the family (not counted as a try)."""
    answer = read_date(request.form, "dob", "Date of birth")
    if answer.value is not None:
        return answer.value, ""
    if answer.blank or answer.incomplete:
        return None, "Enter your child's date of birth, including the day, month and year"
    return None, "Enter a real date of birth, for example 27 3 2015"


@bp.route("/<token>", methods=["GET", "POST"])
def show(token: str) -> Response:
    status = 200
    error = None
    views = None
    if request.method == "POST":
        born, error = _born()
        try:
            views = progress.check_and_show(
                session(), token, born, request.remote_addr or "unknown", now()
            )
        except progress.NoDate:
            status = 400
        except progress.TooManyAttempts:
            error = "Too many tries. Wait 15 minutes and try again, or ask the school."
            status = 429
        except progress.NotShown:
            # One message for unknown, revoked and expired links and a wrong date, which
            # must look the same; it does not blame the family for any of them.
            error = ("The link may have expired, or the date of birth may not match. Check "
                     "the date, or ask the person who gave you the link.")
    # Only once the link and date checked out: the family's lead practitioner, if any.
    lead = family_lead_contact(session(), views[0].child_id) if views else None
    html = render_template(
        "progress/show.html", views=views, error=error, checked_at=now(), lead=lead,
        # The date as typed, so the family can see and correct it (never once shown).
        typed=request.form if error and not views else {},
    )
    return _private(make_response(html, status))
