"""A signed-in person's own account: change password, second factor, recovery codes."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask import session as cookie
from flask_login import login_required, login_user
from werkzeug.wrappers import Response

from hub.access import me
from hub.audit_trail import record
from hub.auth.forms import ChangePasswordForm, CodeForm
from hub.auth.qr import qr_svg
from hub.form_errors import refuse, show_on_form
from hub.settings import now
from hub.unit_of_work import session
from services.accounts import two_factor
from services.accounts.operations import change_password
from services.errors import InvalidInput

bp = Blueprint("account", __name__, url_prefix="/account")

_SETUP_SECRET = "two_factor_setup_secret"  # noqa: S105  (a session key)


@bp.route("")
@login_required
def index() -> str:
    user = me()
    return render_template(
        "account/index.html", user=user,
        recovery_left=two_factor.unused_recovery_codes(session(), user)
        if user.two_factor_enrolled else 0,
    )


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password() -> Response | str:
    user = me()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(user, form.current.data or "", form.password.data or "",
                            form.confirm.data or "", now())
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            login_user(user)  # every other session has ended; this one carries on
            record("password_changed", subject_type="user", subject_id=user.id)
            flash("Your password has been changed. You have been signed out everywhere else.",
                  "success")
            return redirect(url_for("account.index"))
    return render_template("account/password.html", form=form, forced=me().must_change_password)


@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def two_factor_setup() -> Response | str:
    user = me()
    if user.two_factor_enrolled:
        return redirect(url_for("account.index"))
    form = CodeForm()
    secret = cookie.get(_SETUP_SECRET)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = cookie[_SETUP_SECRET] = two_factor.new_secret()
    if form.validate_on_submit():
        try:
            codes = two_factor.enrol(session(), user, secret, form.code.data or "", now())
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            cookie.pop(_SETUP_SECRET, None)
            record("two_factor_enrolled", subject_type="user", subject_id=user.id)
            return render_template("account/recovery_codes.html", codes=codes, first=True)
    uri = two_factor.provisioning_uri(secret, user.email)
    return render_template(
        "account/two_factor.html", form=form, qr=qr_svg(uri), secret=secret,
        required=user.two_factor_required,
    )


@bp.route("/two-factor/recovery-codes", methods=["POST"])
@login_required
def new_recovery_codes() -> Response | str:
    user = me()
    if not user.two_factor_enrolled:
        return redirect(url_for("account.two_factor_setup"))
    codes = two_factor.new_recovery_codes(session(), user)
    record("recovery_codes_replaced", subject_type="user", subject_id=user.id)
    return render_template("account/recovery_codes.html", codes=codes, first=False)


@bp.route("/two-factor/off", methods=["POST"])
@login_required
def two_factor_off() -> Response | tuple[str, int]:
    user = me()
    try:
        two_factor.turn_off(session(), user)
    except InvalidInput as error:
        message = refuse(error).get("two_factor", "")
        flash(message, "error")
        return redirect(url_for("account.index"))
    record("two_factor_removed", subject_type="user", subject_id=user.id)
    flash("Two-factor sign-in is off.", "success")
    return redirect(url_for("account.index"))
