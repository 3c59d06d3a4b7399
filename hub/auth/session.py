"""Flask-Login wiring: the id in the cookie carries a per-user session token."""

from __future__ import annotations

import functools

from flask import Flask, g
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from hub.extensions import login_manager
from hub.unit_of_work import session
from services.accounts.models import User


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    # "strong" drops the session when the client's address or agent changes.
    login_manager.session_protection = "strong"
    app.before_request(_forget_previous_user)


def _forget_previous_user() -> None:
    # Flask-Login caches the user in ``g``, which lives in the app context; a test or
    # task may hold one open across requests, and a user must never carry over.
    g.pop("_login_user", None)


@functools.cache
def _user_statement() -> Select[User]:
    # Every signed-in request runs it: built once, only the id changes. Every page
    # header names the user's organisation, so it is loaded in the same query.
    return (
        select(User).options(joinedload(User.organisation)).where(User.id == bindparam("id"))
    )


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    raw_id, _, token = user_id.partition(":")
    if not raw_id.isdigit() or not token:
        return None
    user = session().execute(_user_statement(), {"id": int(raw_id)}).scalar_one_or_none()
    # A token that no longer matches means the user logged out since this
    # cookie was issued: treat the cookie as anonymous.
    if user is None or user.session_token != token or not user.active:
        return None
    return user
