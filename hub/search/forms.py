from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from services.listings import DELIVERY_MODE_LABELS


class SearchForm(FlaskForm):
    """Posted, not sent as a query string, so postcodes and ages stay out of URLs and logs."""

    where = RadioField(
        "Search near",
        choices=[("postcode", "The family's home postcode"), ("school", "A school")],
        default="postcode",
    )
    postcode = StringField("Family's postcode")
    school_id = SelectField("School", coerce=str, validators=[Optional()])
    needs = SelectMultipleField("Needs", validators=[InputRequired("Choose at least one need")])
    age = IntegerField(
        "Child's age",
        validators=[Optional(), NumberRange(0, 25, "Enter an age between 0 and 25")],
    )
    radius = SelectField(
        "Within",
        choices=[("1", "1 mile"), ("3", "3 miles"), ("5", "5 miles"), ("10", "10 miles"),
                 ("25", "25 miles"), ("", "Any distance")],
        default="5",
    )
    mode = SelectField(
        "Delivered",
        choices=[("", "Any way"), *[(m.value, label) for m, label in DELIVERY_MODE_LABELS.items()]],
        default="",
    )
    accepting_only = BooleanField("Only show services accepting referrals now")

    def validate_postcode(self, field: StringField) -> None:
        if self.where.data == "postcode" and not (field.data or "").strip():
            raise ValidationError("Enter the family's postcode")

    def validate_school_id(self, field: SelectField) -> None:
        if self.where.data == "school" and not field.data:
            raise ValidationError("Choose a school")
