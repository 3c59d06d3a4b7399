"""Error pages: each styled like the rest of the site; the 500 page cannot fail itself.

A change someone already made (a double click, a second tab, a colleague first) is
not an error of the service: it gets "This was already done" (409), never a 500.
That is AlreadyDone from an operation, or StaleDataError: the referral's version
moved on between reading and writing it. A unique-constraint error stays a 500:
each double-submittable insert handles its own key, so one reaching here is a bug.
"""

from __future__ import annotations

import logging
from html import escape

from flask import Flask, render_template
from sqlalchemy.orm.exc import StaleDataError

from hub.unit_of_work import session
from services.errors import AlreadyDone

CODES = (400, 404, 405, 409, 413, 429)
log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    for code in CODES:
        app.register_error_handler(
            code, lambda error, code=code: (render_template(f"errors/{code}.html"), code)
        )
    app.register_error_handler(403, _forbidden)
    app.register_error_handler(AlreadyDone, already_done)
    app.register_error_handler(StaleDataError, already_done)
    fallback = _fallback_page(app.static_url_path or "/static")
    app.register_error_handler(500, lambda error: _server_error(fallback))


def _forbidden(error: Exception) -> tuple[str, int]:
    from hub.audit_trail import record_refusal

    record_refusal()  # committed with the 403 response by the request hook
    return render_template("errors/403.html"), 403


def already_done(error: Exception | None = None) -> tuple[str, int]:
    """The 409 page: what was asked had already been done; nothing more was changed."""
    _rollback()
    message = str(error) if isinstance(error, AlreadyDone) else ""
    return render_template("errors/409.html", message=message), 409


def _rollback() -> None:
    # A failed flush leaves the session unusable until rolled back; the page itself
    # (its header reads the signed-in user) must not fail on it.
    try:
        session().rollback()
    except Exception:
        log.exception("Rollback failed while showing an error page")


def _server_error(fallback: str) -> tuple[str, int]:
    _rollback()
    try:
        return render_template("errors/500.html"), 500
    except Exception:
        log.exception("The 500 page failed; showing the plain one")
        return fallback, 500


def _fallback_page(static: str) -> str:
    """The 500 page without templates, the database or the signed-in user."""
    css = escape(f"{static}/govuk/govuk-frontend.min.css")
    return (
        '<!DOCTYPE html><html lang="en" class="govuk-template"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Sorry, there is a problem with the service</title>"
        f'<link rel="stylesheet" href="{css}"></head>'
        '<body class="govuk-template__body"><div class="govuk-width-container">'
        '<main class="govuk-main-wrapper" id="main-content">'
        '<h1 class="govuk-heading-l">Sorry, there is a problem with the service</h1>'
        '<p class="govuk-body">Try again later. Nothing you entered has been shared.</p>'
        "</main></div></body></html>"
    )
