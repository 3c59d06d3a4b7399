"""Forms for the coordinator's pages. They check presence and length; the
rules (unique URN, postcode, role fits organisation...) live in operations."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from services.accounts.models import Role
from services.schools import SchoolPhase


class SchoolForm(FlaskForm):
    name = StringField(
        "School name", validators=[DataRequired("Enter the school's name"), Length(max=200)]
    )
    urn = StringField(
        "URN (unique reference number)",
        validators=[DataRequired("Enter the school's URN"), Length(max=10)],
    )
    phase = RadioField(
        "Phase",
        choices=[(phase.value, phase.label) for phase in SchoolPhase],
        validators=[DataRequired("Choose the school's phase")],
    )
    trust_id = SelectField("Academy trust", validators=[Optional()])
    address = StringField("Address", validators=[Length(max=400)])
    postcode = StringField(
        "Postcode", validators=[DataRequired("Enter the school's postcode"), Length(max=10)]
    )
    phone = StringField("School office phone", validators=[Length(
        max=50, message="Enter a phone number of 50 characters or fewer")])
    email = StringField("School office email", validators=[Length(
        max=200, message="Enter an email address of 200 characters or fewer")])


class OrganisationForm(FlaskForm):
    name = StringField(
        "Organisation name",
        validators=[DataRequired("Enter the organisation's name"), Length(max=200)],
    )
    kind = RadioField("Kind of organisation", validators=[DataRequired("Choose the kind")])
    website = StringField("Website", validators=[Length(max=300)])
    email = StringField("Email", validators=[Length(max=200)])
    phone = StringField("Phone", validators=[Length(max=50)])


class UserDetailsForm(FlaskForm):
    name = StringField(
        "Full name", validators=[DataRequired("Enter the person's name"), Length(max=200)]
    )
    email = StringField(
        "Email address",
        validators=[DataRequired("Enter the email address"), Length(max=254)],
    )
    role = RadioField(
        "Role",
        choices=[(role.value, role.label) for role in Role],
        validators=[DataRequired("Choose a role")],
    )
    organisation_id = SelectField(
        "Organisation", validators=[DataRequired("Choose an organisation")]
    )


class UserForm(UserDetailsForm):
    password = PasswordField(
        "Initial password",
        validators=[DataRequired("Enter an initial password"), Length(max=200)],
    )


class PasswordForm(FlaskForm):
    password = PasswordField(
        "New password", validators=[DataRequired("Enter a new password"), Length(max=200)]
    )


class NeedForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name"), Length(max=120)])
    description = TextAreaField("Description", validators=[Length(max=2000)])
    active = BooleanField("Active: referrers can choose this need")


class NewNeedForm(FlaskForm):
    parent_code = SelectField("Parent need", validators=[Optional()])
    suffix = StringField(
        "Code", validators=[DataRequired("Enter a code"), Length(max=10)]
    )
    name = StringField("Name", validators=[DataRequired("Enter a name"), Length(max=120)])
