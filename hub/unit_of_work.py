"""One unit of work per request: the only place a request's changes are committed.

Views parse input, call one operation and render or redirect; they never commit.
After the view, this hook commits when the response is not a server error and
rolls back when it is (or when the view raised). A refused operation's partial
writes are rolled back where the refusal is shown (``hub.form_errors``), so a
4xx page the view rendered itself still commits what came before the operation,
such as the audit of the read that showed the page.

Messages queued by the request are handed to the job queue only after their
commit, so an email never announces a change that was rolled back, and no request
waits on GOV.UK Notify (a worker sends them: ``hub.jobs``).
"""

from __future__ import annotations

from typing import cast

from flask import Flask, Response, current_app
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from hub.settings import settings_of
from routing.referrals.outbox import take_queued
from services.db import db


def session() -> Session:
    """The request's database session: the one accessor views and hub helpers use."""
    return cast(Session, db.session)


def init_app(app: Flask) -> None:
    app.after_request(_finish)
    app.teardown_request(_discard_on_exception)


def _finish(response: Response) -> Response:
    current = session()
    if response.status_code >= 500:
        current.rollback()
        return response
    queued = take_queued(current)
    try:
        current.commit()
    except StaleDataError:
        # A concurrent request changed the same referral first: say so, never a 500.
        from hub.error_pages import already_done

        current.rollback()
        html, status = already_done()
        return Response(html, status, mimetype="text/html")
    if queued and settings_of(current_app).notify_api_key:
        from hub.jobs.queue import jobs_of  # the jobs read sessions through this module

        jobs_of(current_app).enqueue_delivery()
    return response


def _discard_on_exception(error: BaseException | None) -> None:
    if error is not None:
        session().rollback()


def discard() -> None:
    """Undo what the request has written since its last commit (a refused operation's
    partial writes). Every loaded object is expired: reload what the page shows."""
    session().rollback()
