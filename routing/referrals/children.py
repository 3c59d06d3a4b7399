"""The child's record: identifiers validated with python-stdnum, and matching."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from stdnum.exceptions import ValidationError
from stdnum.gb import nhs, upn

from routing.referrals.answers import ChildStep
from routing.referrals.identity import IdentitySource, record_version
from routing.referrals.lifecycle import Actor
from routing.referrals.models import Child
from services.errors import InvalidInput

# The child's name columns' length (Child.first_name, Child.last_name).
NAME_MAX = 100


@dataclass(frozen=True)
class ChildDetails:
    first_name: str
    last_name: str
    date_of_birth: date | None
    home_postcode: str
    upn: str = ""
    nhs_number: str = ""
    attendance_concern: bool = False
    missing_education: bool = False


class MatchKind(StrEnum):
    SAME = "same"  # same UPN or NHS number
    PROBABLE = "probable"  # same name, date of birth and postcode

    @property
    def described(self) -> str:
        """What matched, in words a page can show: never whose record or which school."""
        if self is MatchKind.SAME:
            return "the same unique pupil number or NHS number"
        return "the same name, date of birth and home postcode"


@dataclass(frozen=True)
class ChildMatch:
    child: Child
    kind: MatchKind


def normalise_postcode(text: str) -> str:
    compact = "".join(text.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def clean_details(details: ChildDetails, today: date) -> ChildDetails:
    """Validate and normalise; returns the cleaned details.

    Raises InvalidInput keyed by field for a missing name, an impossible date
    of birth, or a UPN or NHS number that fails its check digit.
    """
    errors: dict[str, str] = {}
    if not details.first_name.strip():
        errors["first_name"] = "Enter the child's first name"
    elif len(details.first_name.strip()) > NAME_MAX:
        errors["first_name"] = f"Enter {NAME_MAX} characters or fewer"
    if not details.last_name.strip():
        errors["last_name"] = "Enter the child's last name"
    elif len(details.last_name.strip()) > NAME_MAX:
        errors["last_name"] = f"Enter {NAME_MAX} characters or fewer"
    if details.date_of_birth is None:
        errors["date_of_birth"] = "Enter the child's date of birth"
    elif details.date_of_birth > today:
        errors["date_of_birth"] = "Date of birth must be in the past"
    elif details.date_of_birth.year < today.year - 25:
        errors["date_of_birth"] = "Date of birth must be within the last 25 years"
    postcode = normalise_postcode(details.home_postcode)
    if not 5 <= len(postcode) <= 8:
        errors["home_postcode"] = "Enter the family's home postcode, like BL1 1SE"
    upn_value = ""
    if details.upn.strip():
        try:
            upn_value = upn.validate(details.upn)
        except ValidationError:
            errors["upn"] = "Enter a valid unique pupil number (13 characters, like B801200005001)"
    nhs_value = ""
    if details.nhs_number.strip():
        try:
            nhs_value = nhs.validate(details.nhs_number)
        except ValidationError:
            errors["nhs_number"] = "Enter a valid 10-digit NHS number"
    if errors:
        raise InvalidInput(errors)
    return ChildDetails(
        first_name=details.first_name.strip(),
        last_name=details.last_name.strip(),
        date_of_birth=details.date_of_birth,
        home_postcode=postcode,
        upn=upn_value,
        nhs_number=nhs_value,
        attendance_concern=details.attendance_concern,
        missing_education=details.missing_education,
    )


def find_child(session: Session, details: ChildDetails) -> ChildMatch | None:
    """The existing record for this child, if any.

    Same UPN or NHS number is the same child; otherwise same name, date of
    birth and postcode is a probable match that staff must confirm.
    """
    identifiers = []
    if details.upn:
        identifiers.append(Child.upn == details.upn)
    if details.nhs_number:
        identifiers.append(Child.nhs_number == details.nhs_number)
    if identifiers:
        same = session.execute(select(Child).where(
            or_(*identifiers), Child.merged_at.is_(None))).scalars().first()
        if same is not None:
            return ChildMatch(same, MatchKind.SAME)
    probable = session.execute(
        select(Child).where(
            Child.date_of_birth == details.date_of_birth,
            Child.home_postcode == details.home_postcode,
            func.lower(Child.first_name) == details.first_name.lower(),
            func.lower(Child.last_name) == details.last_name.lower(),
            Child.merged_at.is_(None),  # a merged record is no one's: its child is elsewhere
        )
    ).scalars().first()
    if probable is None:
        return None
    # A different known identifier means a different child, whatever the name.
    if details.upn and probable.upn and probable.upn != details.upn:
        return None
    if details.nhs_number and probable.nhs_number and probable.nhs_number != details.nhs_number:
        return None
    return ChildMatch(probable, MatchKind.PROBABLE)


class ConfirmMatch(Exception):
    """Raised when an existing record may be this child: staff must confirm or deny."""

    def __init__(self, match: ChildMatch) -> None:
        super().__init__("Confirm whether this is the same child")
        self.match = match


def confirmed_child_id(match: ChildMatch | None, same_child: bool | None, upn: str) -> int | None:
    """The existing record a form joins, by what staff answered about ``match``.

    None when nothing matched or staff said it is another child. Raises ConfirmMatch
    when staff have not answered yet, and InvalidInput when they say "another child"
    while the form carries that record's own UPN or NHS number (typed ``upn`` tells
    which), since two children never share one.
    """
    if match is None:
        return None
    if same_child is None:
        raise ConfirmMatch(match)
    if same_child:
        return match.child.id
    if match.kind is MatchKind.SAME:
        field = "upn" if upn and match.child.upn == upn else "nhs_number"
        raise InvalidInput({field: "This number is on another child's record. Check it, "
                                   "or answer that this is the same child"})
    return None


def new_child(
    session: Session, typed: ChildStep, school_id: int, actor: Actor, now: datetime,
    source_ref: str,
) -> Child:
    """A new record for a child first referred now, with its first identity version
    (from ``source_ref``, the form that sent it). There is no function that rewrites an
    existing child's identity from a form: a form only ever links to a record."""
    assert typed.date_of_birth is not None
    child = Child(
        first_name=typed.first_name,
        last_name=typed.last_name,
        date_of_birth=typed.date_of_birth,
        home_postcode=typed.home_postcode,
        school_id=school_id,
        upn=typed.upn or None,
        nhs_number=typed.nhs_number or None,
        attendance_concern=typed.attendance_concern,
        missing_education=typed.missing_education,
    )
    session.add(child)
    session.flush()
    record_version(session, child, IdentitySource.REFERRAL_FORM, actor, now,
                   source_ref=source_ref)
    return child
