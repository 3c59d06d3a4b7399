"""Whom a referral is about, and the one wording of a date of birth and of "not known".

A referral can be about a child, an unborn baby (an expected date of delivery, no
date of birth) or a parent or carer; a school may not know a date of birth (an
approximate year instead, or nothing) or a home address. Every page (the form's
check page, the provider's, the child's and the family's) says these in the same
words, written here.
"""

from __future__ import annotations

import enum
from datetime import date


class Subject(enum.StrEnum):
    """Whom a referral is about: a child, an unborn baby or a parent or carer."""

    CHILD = "child"
    UNBORN = "unborn"
    PARENT = "parent"

    @property
    def label(self) -> str:
        """The form's answer, and the words the provider and the family see."""
        return SUBJECT_LABELS[self]

    @property
    def help_for(self) -> str:
        """Whom the help is for, as routing reads it (``routing.engine.help.AUDIENCES``):
        a child's needs keep their own defaults (a parenting need is the parent's); a
        parent's help is for the parent; an unborn baby's for the whole family."""
        return {"child": "", "unborn": "family", "parent": "parent"}[self.value]

    @property
    def step_title(self) -> str:
        """The referral form's first step's title, which fits whom it is about."""
        return ABOUT_STEP[self][0]

    @property
    def step_hint(self) -> str:
        """What the referral form's first step asks about them."""
        return ABOUT_STEP[self][1]

    @classmethod
    def of(cls, value: object) -> Subject:
        """The subject named by ``value``; a child for anything unknown."""
        try:
            return cls(str(value))
        except ValueError:
            return cls.CHILD


SUBJECT_LABELS = {
    Subject.CHILD: "A child or young person",
    Subject.UNBORN: "An unborn baby",
    Subject.PARENT: "A parent or carer",
}


# The referral form's first step, by whom the referral is about: its title and its hint.
# Until the form is told otherwise, a referral is about a child (the step's first
# question, answered "A child or young person" unless changed).
ABOUT_STEP = {
    Subject.CHILD: ("About the child",
                    "Who the child or young person is: their name, date of birth and home "
                    "postcode, and their unique pupil number or NHS number if you know them."),
    Subject.UNBORN: ("About the unborn baby",
                     "The baby's expected date of delivery instead of a date of birth, and "
                     "the family's home postcode. A baby not yet named is entered as Baby."),
    Subject.PARENT: ("About the parent or carer",
                     "Who the parent or carer is: their name, and their date of birth and "
                     "home postcode if the school knows them."),
}


NOT_KNOWN = "Not known"


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def about_words(subject: Subject, first_name: str, expected: date | None, *,
                family: bool) -> str:
    """Whom a referral is about, in the one wording every page uses.

    To the family (``family``): the child's first name, "your baby, due in March 2027"
    or "you"; nothing more (no surname, no date of birth, no school). To staff (the
    school and the provider, who see the name beside it): "A child or young person",
    "An unborn baby, due in March 2027" or "A parent or carer". An expected date is
    given as its month only: the family opens their link with the exact date.
    """
    due = f", due in {expected:%B %Y}" if expected is not None else ""
    if family:
        if subject is Subject.UNBORN:
            return f"your baby{due}"
        if subject is Subject.PARENT:
            return "you"
        return first_name
    if subject is Subject.UNBORN:
        return f"{SUBJECT_LABELS[subject]}{due}"
    return SUBJECT_LABELS[subject]


def born_words(subject: Subject, born: date | None, year: int | None,
               expected: date | None) -> str:
    """One wording of a date of birth for every page (``Child.born_words``)."""
    if subject is Subject.UNBORN:
        return f"Not born yet (expected {long_date(expected)})" if expected else "Not born yet"
    if born is not None:
        return long_date(born)
    return f"{NOT_KNOWN} (born about {year})" if year else NOT_KNOWN
