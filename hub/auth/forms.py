from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, Field, PasswordField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from services.checks import email_problem


class LoginForm(FlaskForm):
    # No format check here: a wrong address simply fails to sign in, and the
    # message must not reveal which accounts exist.
    email = EmailField(
        "Email address", validators=[DataRequired("Enter your email address"), Length(max=254)]
    )
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password"), Length(max=200)]
    )


_NEW = [DataRequired("Enter a new password"), Length(max=200)]
_CONFIRM = [DataRequired("Enter the new password again"), Length(max=200)]


class NewPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=_NEW)
    confirm = PasswordField("Confirm new password", validators=_CONFIRM)


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password"),
                                        Length(max=200)])


class CodeForm(FlaskForm):
    code = StringField(
        "Code", validators=[DataRequired("Enter the code"), Length(max=20)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Email address", validators=[DataRequired("Enter your email address"), Length(max=254)]
    )

    def validate_email(self, field: Field) -> None:
        # The address's shape only: whether an account has it is never told.
        if problem := email_problem((field.data or "").strip()):
            raise ValidationError(problem)
