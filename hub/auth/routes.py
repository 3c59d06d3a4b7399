"""Signing in (password, then a second factor when enrolled), signing out, and
"forgot password"."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask import session as cookie
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from hub.access import me
from hub.audit_trail import client_address, record
from hub.auth.forms import CodeForm, ForgotPasswordForm, LoginForm, NewPasswordForm
from hub.form_errors import show_on_form
from hub.settings import current_settings, now
from hub.unit_of_work import session
from services.accounts import password_reset, two_factor
from services.accounts.login import (
    InvalidCredentials,
    TooManyAttempts,
    check_not_limited,
    clear_failures,
    log_in,
    log_out,
    record_failure,
)
from services.accounts.models import User
from services.accounts.operations import set_own_password
from services.errors import InvalidInput

bp = Blueprint("auth", __name__)

# Between the password and the code: the user's id and session token, and where to go.
_PENDING = "second_factor_pending"
_NEXT = "second_factor_next"


def _safe_next(target: str | None) -> str:
    # Only same-site relative paths: an open redirect would help phishing.
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("search.index")


def _signed_in(user: User, target: str | None) -> Response:
    login_user(user)
    user.last_login_at = now()
    record("signed_in", user=user, subject_type="user", subject_id=user.id)
    return redirect(_safe_next(target))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("search.index"))
    form = LoginForm()
    settings = current_settings()
    status = 200
    if form.validate_on_submit():
        try:
            user = log_in(
                session(),
                form.email.data or "",
                form.password.data or "",
                client_address() or "unknown",
                settings.login_max_failures,
                settings.login_window_minutes,
                settings.login_address_max_failures,
                now(),
            )
        except TooManyAttempts as wait:
            form.email.errors = [_wait_message(wait)]
            status = 429
        except InvalidCredentials:
            form.email.errors = ["Enter a correct email address and password"]
            status = 200
        else:
            if user.two_factor_enrolled:
                cookie[_PENDING] = user.get_id()
                cookie[_NEXT] = _safe_next(request.args.get("next"))
                return redirect(url_for("auth.second_factor"))
            return _signed_in(user, request.args.get("next"))
    return render_template("auth/login.html", form=form), status


def _wait_message(wait: TooManyAttempts) -> str:
    """What to do, and for how long (colleagues are not affected by one account)."""
    minutes = f"{wait.minutes} minute{'s' if wait.minutes != 1 else ''}"
    if wait.address:
        return (f"Too many failed attempts from your network. Wait {minutes} and try "
                "again. If this keeps happening, tell your hub coordinator: someone on "
                "your network may be guessing passwords.")
    return (f"Too many failed attempts for this account. Wait {minutes}, then try again, "
            "checking the email address and password. If you have forgotten your "
            "password, your hub coordinator can set a new one for you. Colleagues can "
            "still sign in meanwhile.")


def _pending_user() -> User | None:
    raw_id, _, token = str(cookie.get(_PENDING, "")).partition(":")
    if not raw_id.isdecimal() or not token:
        return None
    user = session().get(User, int(raw_id))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


@bp.route("/login/code", methods=["GET", "POST"])
def second_factor() -> Response | str | tuple[str, int]:
    """The second step: a code from the authenticator app, or a recovery code."""
    user = _pending_user()
    if user is None:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        settings = current_settings()
        try:
            check_not_limited(session(), user.email, client_address() or "unknown",
                              settings.login_max_failures, settings.login_window_minutes,
                              settings.login_address_max_failures, now())
        except TooManyAttempts as wait:
            form.code.errors = [_wait_message(wait)]
            status = 429
        else:
            if two_factor.check_second_factor(session(), user, form.code.data or "", now()):
                clear_failures(session(), user.email)
                target = cookie.pop(_NEXT, None)
                cookie.pop(_PENDING, None)
                return _signed_in(user, target)
            record_failure(session(), user.email, client_address() or "unknown", now())
            form.code.errors = ["Enter the code your authenticator app shows now, "
                                "or one of your recovery codes"]
    demo_code = (two_factor.current_code(user.totp_secret, now())
                 if current_settings().demo_mode and user.totp_secret is not None
                 and _is_demo_secret(user) else None)
    return render_template("auth/second_factor.html", form=form, demo_code=demo_code), status


def _is_demo_secret(user: User) -> bool:
    from services.demo.dataset import DEMO_TOTP_SECRET

    return user.totp_secret == DEMO_TOTP_SECRET


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    log_out(me())
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password() -> Response | str:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        password_reset.request_reset(
            session(), form.email.data or "", now(), current_settings().password_reset_minutes)
        # The same page whether or not the account exists.
        return render_template("auth/forgot_sent.html",
                               minutes=current_settings().password_reset_minutes)
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response | str | tuple[str, int]:
    user = password_reset.user_for_token(session(), token, now())
    if user is None:
        return render_template("auth/reset_expired.html"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            set_own_password(user, form.password.data or "", form.confirm.data or "", now())
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            if not password_reset.use_token(session(), token, now()):
                abort(404)  # used by a concurrent request an instant ago
            record("password_reset_by_link", user=user, subject_type="user", subject_id=user.id)
            flash("Your password has been changed. Sign in with it now.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)
