"""Log in and log out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from hub.access import me
from hub.auth.forms import LoginForm
from hub.settings import current_settings, now
from hub.unit_of_work import session
from services.accounts.login import InvalidCredentials, TooManyAttempts, log_in, log_out

bp = Blueprint("auth", __name__)


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
                request.remote_addr or "unknown",
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
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
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


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    log_out(me())
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))
