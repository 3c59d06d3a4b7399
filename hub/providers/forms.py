from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from routing.engine.help import AUDIENCES, KINDS, LEVELS
from routing.referrals.stuck import STUCK_PAGE_TITLE
from services.listings import DELIVERY_MODE_LABELS, ReferralRoute

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# What the provider reads beside a fact it may leave blank (pages then show "Not stated").
NOT_STATED_HINT = "Leave blank if not stated."


class ServiceForm(FlaskForm):
    name = StringField("Service name", validators=[DataRequired("Enter the service name"),
                                                   Length(max=200)])
    description = TextAreaField(
        "Description", validators=[DataRequired("Describe what the service does"),
                                   Length(max=5000)]
    )
    needs = SelectMultipleField("Needs it meets",
                                validators=[InputRequired("Choose at least one need")])
    help_kinds = SelectMultipleField(
        "Kind of help it gives", choices=list(KINDS.items()), validators=[Optional()],
        description="Search ranks assessment, treatment and one-to-one support first for a "
                    "need, and advice and activities when they are asked for.",
    )
    audiences = SelectMultipleField(
        "Who it is for", choices=list(AUDIENCES.items()), validators=[Optional()],
        description="A child's need goes first to services for children.",
    )
    need_level = RadioField(
        "Level of need", choices=[*LEVELS.items(), ("", "Not stated")], default="",
        validators=[Optional()],
        description="Specialist services rank first for serious needs; universal and early "
                    "help services for early worries.",
    )
    # Ages, cost, ways of delivery and languages may each be left blank: "Not stated".
    min_age = IntegerField(
        "Youngest age",
        description=NOT_STATED_HINT,
        validators=[Optional(), NumberRange(0, 25, "Ages must be between 0 and 25")],
    )
    max_age = IntegerField(
        "Oldest age",
        description=NOT_STATED_HINT,
        validators=[Optional(), NumberRange(0, 25, "Ages must be between 0 and 25")],
    )
    eligibility = TextAreaField("Eligibility", validators=[Optional(), Length(max=2000)])
    cost = StringField("Cost", description=f"For example, Free. {NOT_STATED_HINT}",
                       validators=[Length(max=200)])
    response_working_days = IntegerField(
        "How many working days you take to decide on a referral (optional)",
        description="From opening a referral to accepting, wait-listing or declining it. "
                    f"Past it, the referral shows on the hub's \"{STUCK_PAGE_TITLE}\" page.",
        validators=[Optional(), NumberRange(0, 60, "Enter a number of working days "
                                                  "between 0 and 60")],
    )
    delivery_modes = SelectMultipleField(
        "How it is delivered",
        choices=[(mode.value, label) for mode, label in DELIVERY_MODE_LABELS.items()],
        description="Leave all unticked if not stated: families and schools then see "
                    "\u201cNot stated\u201d.",
        validators=[Optional()],
    )
    languages = StringField("Languages", description=f"Separate languages with commas. "
                            f"{NOT_STATED_HINT}", validators=[Length(max=300)])
    opening_times = TextAreaField("Opening times", validators=[Length(max=1000)])
    contact_name = StringField("Contact (team name)", validators=[Length(max=200)])
    contact_email = EmailField("Contact email",
                               validators=[Optional(), Email("Enter a valid email address"),
                                           Length(max=200)])
    contact_phone = StringField("Contact phone", validators=[Length(max=50)])
    website = StringField("Website", validators=[Length(max=300)])
    referral_route = RadioField(
        "How referrals arrive",
        choices=[(route.value, route.label) for route in ReferralRoute],
        default=ReferralRoute.SYSTEM.value,
    )
    venue_address = StringField("Venue address", validators=[Length(max=400)])
    venue_postcode = StringField("Venue postcode", validators=[Length(max=10)])
    hubs = SelectMultipleField("School hubs where it runs", validators=[Optional()])
    hub_days = SelectMultipleField(
        "Days at newly added school hubs", choices=[(d, d) for d in WEEKDAYS],
        validators=[Optional()]
    )
    service_area_name = StringField("Area name", validators=[Length(max=200)])
    # Generous: a detailed boundary is long; the request size limit bounds it too.
    service_area = TextAreaField("Service area (GeoJSON)",
                                 validators=[Optional(), Length(max=1_000_000)])

    def validate_max_age(self, field: IntegerField) -> None:
        if (
            self.min_age.data is not None
            and field.data is not None
            and field.data < self.min_age.data
        ):
            raise ValidationError("Oldest age must be the same as or more than the youngest age")

    def validate_website(self, field: StringField) -> None:
        if field.data and not field.data.startswith(("https://", "http://")):
            raise ValidationError("Enter a web address starting with https://")
