from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from routing.engine.help import AUDIENCES, KINDS, SEVERITIES
from services.listings import DELIVERY_MODE_LABELS

# The choices of how serious and how urgent a need is: shared with the referral form.
SEVERITY_CHOICES = [("", "Not said"), *SEVERITIES.items()]
URGENCY_CHOICES = [("routine", "Can wait for a routine appointment"),
                   ("urgent", "Needs help now")]


class _PlainChoices:
    """Checks a submitted value against flat ``(value, label)`` choices with a set.

    WTForms' own check builds a normalised option object for every choice on every
    request; with dozens of needs and schools that is a measurable part of each search.
    """

    choices: list[tuple[str, str]]

    def _acceptable(self) -> set[str]:
        return {value for value, _ in self.choices}


class NeedsField(_PlainChoices, SelectMultipleField):
    def pre_validate(self, form: object) -> None:
        unknown = set(self.data or ()) - self._acceptable()
        if unknown:
            raise ValidationError("Choose needs from the list")


class SchoolField(_PlainChoices, SelectField):
    def pre_validate(self, form: object) -> None:
        if (self.data or "") not in self._acceptable():
            raise ValidationError("Choose a school from the list")


class SearchForm(FlaskForm):
    """Posted, not sent as a query string, so postcodes and ages stay out of URLs and logs."""

    postcode = StringField(
        "Family's home postcode",
        description="Distances are measured from here. Leave it blank to search near the school.",
        validators=[Length(max=20, message="Enter a postcode, like BL1 1SE")],
    )
    school_id = SchoolField(
        "Child's school",
        coerce=str,
        validators=[Optional()],
        description="Services that run at this school are marked and ranked higher.",
    )
    needs = NeedsField("Needs", validators=[InputRequired("Choose at least one need")])
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
    severity = SelectField(
        "How serious is it?", choices=SEVERITY_CHOICES, default="",
        description="Specialist services come first when serious or at risk; universal and "
                    "early help services for an early worry.",
    )
    urgency = SelectField("How urgent is it?", choices=URGENCY_CHOICES, default="routine",
                          description="When help is needed now, free places and short "
                                      "waits count for more.")
    kind = SelectField(
        "Kind of help", choices=[("", "Any (assessment and treatment first)"), *KINDS.items()],
        default="",
    )
    help_for = SelectField(
        "Who is the help for?",
        choices=[("", "The child (the parent, for a parent's own need)"), *AUDIENCES.items()],
        default="",
        description="Services only for parents or carers are left out of help for a child, "
                    "and services only for children out of help for a parent.",
    )
    accepting_only = BooleanField("Only show services accepting referrals now")
    # Set by a result list's "Show more" button (a need code); never rendered.
    more = StringField("Show more for", validators=[Length(max=20)])

    def validate_postcode(self, field: StringField) -> None:
        if not (field.data or "").strip() and not self.school_id.data:
            raise ValidationError("Enter the family's postcode or choose the child's school")
