"""The "Parents and carers" step's answers, typed: the people to reach and the siblings.

Kept on the draft as JSON like every other step (see ``routing.referrals.answers``) and
copied to the family record only when the form is sent. Reading never raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

# Parental responsibility, as the form asks it.
RESPONSIBILITY = {"yes": "Yes", "no": "No", "not_known": "Not known"}
# The contact step's answer for "no parent or carer: contact the family through the school".
THROUGH_SCHOOL = "school"


def shown_phone(number: str) -> str:
    """A stored number grouped for reading aloud and dialling: 020 7946 0000,
    07700 900982, 01204 332000; another country's as stored (+48601234567)."""
    if not number.isdecimal():
        return number
    if len(number) == 11 and number.startswith("02"):
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    return f"{number[:5]} {number[5:]}" if len(number) in (10, 11) else number


def _text(raw: Mapping[str, Any], name: str) -> str:
    return str(raw.get(name) or "")


@dataclass(frozen=True)
class CarerAnswer:
    """One parent or carer, as typed on this form."""

    name: str = ""
    relationship: str = ""
    parental_responsibility: str = ""  # a key of RESPONSIBILITY
    phone: str = ""
    email: str = ""
    address: str = ""
    language: str = ""
    interpreter: bool = False
    access_needs: str = ""
    contact_notes: str = ""  # how and when to contact this person
    do_not_contact: bool = False
    do_not_contact_reason: str = ""

    @property
    def phone_shown(self) -> str:
        return shown_phone(self.phone)

    @classmethod
    def read(cls, raw: Mapping[str, Any]) -> CarerAnswer:
        return cls(
            _text(raw, "name"), _text(raw, "relationship"),
            _text(raw, "parental_responsibility"), _text(raw, "phone"), _text(raw, "email"),
            _text(raw, "address"), _text(raw, "language"), bool(raw.get("interpreter")),
            _text(raw, "access_needs"), _text(raw, "contact_notes"),
            bool(raw.get("do_not_contact")), _text(raw, "do_not_contact_reason"),
        )


@dataclass(frozen=True)
class SiblingAnswer:
    """A brother or sister named on the form: a name and an age, not a full record."""

    name: str = ""
    age: int | None = None

    @classmethod
    def read(cls, raw: Mapping[str, Any]) -> SiblingAnswer:
        age = raw.get("age")
        return cls(_text(raw, "name"), int(age) if isinstance(age, int | str) and
                   str(age).isdecimal() else None)


@dataclass(frozen=True)
class FamilyStep:
    """Who the family are and how they may be reached."""

    carers: tuple[CarerAnswer, ...] = ()
    siblings: tuple[SiblingAnswer, ...] = ()
    # No parent or carer may be contacted directly: the service goes through the school.
    through_school: bool = False

    @property
    def reachable(self) -> list[tuple[int, CarerAnswer]]:
        """The carers who may be contacted, with their place on the form."""
        return [(i, c) for i, c in enumerate(self.carers) if not c.do_not_contact]

    def carer(self, key: str) -> CarerAnswer | None:
        """The carer a contact answer names ("carer-0"), or None."""
        if key.startswith("carer-") and key[6:].isdecimal():
            index = int(key[6:])
            if index < len(self.carers):
                return self.carers[index]
        return None

    @classmethod
    def read(cls, raw: Mapping[str, Any]) -> FamilyStep:
        carers = tuple(CarerAnswer.read(c) for c in raw.get("carers") or ()
                       if isinstance(c, Mapping))
        siblings = tuple(SiblingAnswer.read(s) for s in raw.get("siblings") or ()
                         if isinstance(s, Mapping))
        return cls(carers, siblings, bool(raw.get("through_school")))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
