"""Flask-Login wiring: the id in the cookie carries a per-user session token."""

from __future__ import annotations

import functools

from flask import Flask, g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from hub.caches import position_read_at_sign_in
from hub.extensions import login_manager
from hub.unit_of_work import session
from routing.snapshot import position_columns
from services.accounts.models import User


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    # "strong" drops the session when the client's address or agent changes.
    login_manager.session_protection = "strong"
    app.before_request(_forget_previous_user)
    app.before_request(_account_steps_first)


# Pages a signed-in person may reach before finishing the steps below.
_OPEN_ENDPOINTS = frozenset({
    "static", "auth.logout", "account.password", "account.two_factor_setup",
})


def _account_steps_first() -> Response | None:
    """A password a coordinator set is replaced, then a second factor enrolled where the
    role needs one, before anything else: until then every page leads there."""
    if request.endpoint in _OPEN_ENDPOINTS or not current_user.is_authenticated:
        return None
    if current_user.must_change_password:
        return redirect(url_for("account.password"))
    if current_user.two_factor_required and not current_user.two_factor_enrolled:
        return redirect(url_for("account.two_factor_setup"))
    return None


def _forget_previous_user() -> None:
    # Flask-Login caches the user in ``g``, which lives in the app context; a test or
    # task may hold one open across requests, and a user must never carry over.
    g.pop("_login_user", None)


@functools.cache
def _user_statement() -> Select[User, int | None, int | None]:
    # Every signed-in request runs it: built once, only the id changes. Every page
    # header names the user's organisation, so it is loaded in the same query; and the
    # directory's position comes along, so a search needs no round trip of its own to
    # learn that nothing changed (hub.caches.directory_snapshot).
    version, capacity_seq = position_columns()
    return (
        select(User, version, capacity_seq)
        .options(joinedload(User.organisation)).where(User.id == bindparam("id"))
    )


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    raw_id, _, token = user_id.partition(":")
    if not raw_id.isdecimal() or not token:
        return None
    row = session().execute(_user_statement(), {"id": int(raw_id)}).one_or_none()
    if row is None:
        return None
    user, version, capacity_seq = row
    position_read_at_sign_in(version, capacity_seq)
    # A token that no longer matches means the user logged out since this
    # cookie was issued: treat the cookie as anonymous.
    if user.session_token != token or not user.active:
        return None
    return user
