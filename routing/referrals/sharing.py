"""Need-to-know sharing: what of a referral's form each reader may see.

``may_read`` is the one rule; ``referral_view`` applies it to every part of the form
that anyone outside the referring school can read (the provider's page, the child's
page, a re-routed copy). The referring school, the hub coordinator and a school the
earlier school's safeguarding lead granted the details see everything, marked with
what the provider was not shown.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from routing.referrals.answers import (
    Answers,
    ConsentStep,
    ContactStep,
    NeedsStep,
    ProfileStep,
    RiskAnswer,
    Section,
)
from routing.referrals.models import Referral
from services.accounts.models import User


class Reader(enum.StrEnum):
    FULL = "full"  # the referring school, the coordinator, a school granted the details
    PROVIDER = "provider"  # only the sections the referrer shared with this provider


# Which section each kind of risk belongs to; a kind not listed is treated as the most
# sensitive (risk to self or others).
RISK_SECTIONS: Mapping[str, Section] = {
    "from_others": Section.WORK_RISK,
    "to_self": Section.SELF_OTHERS_RISK,
    "to_others": Section.SELF_OTHERS_RISK,
}


def may_read(referral: Referral, reader: Reader, section: Section) -> bool:
    """Whether ``reader`` may read ``section`` of ``referral``'s form: the one rule."""
    return reader is Reader.FULL or section in referral.sections


def risk_section(kind: str) -> Section:
    return RISK_SECTIONS.get(kind, Section.SELF_OTHERS_RISK)


@dataclass(frozen=True)
class SafeguardingShown:
    attendance_concern: bool
    missing_education: bool
    notes: str


@dataclass(frozen=True)
class ReferrerContact:
    """Who made the referral and how to reach them: always shown to the provider."""

    name: str
    email: str
    school: str


@dataclass(frozen=True)
class ReferralView:
    """The form's parts ``reader`` may see; a part not shared is None."""

    reader: Reader
    shared: tuple[Section, ...]  # what the provider is shown
    not_shared: tuple[Section, ...]  # what the provider is not shown
    needs: NeedsStep | None
    profile: ProfileStep | None
    resources: str | None
    risks: Mapping[str, RiskAnswer]  # only the kinds this reader may see
    safeguarding: SafeguardingShown | None
    contact: ContactStep  # always: how to reach the family
    consent: ConsentStep  # always: on what basis the form was shared
    referrer: ReferrerContact  # always

    def has(self, section: Section) -> bool:
        return self.reader is Reader.FULL or section in self.shared


def referral_view(
    referral: Referral, reader: Reader, session: Session | None = None
) -> ReferralView:
    """The parts of ``referral``'s form ``reader`` may read (see ``may_read``)."""
    answers = referral.request.form if referral.request else Answers()
    session = session or object_session(referral)

    def allowed(section: Section) -> bool:
        return may_read(referral, reader, section)

    child = referral.child
    typed = answers.child
    return ReferralView(
        reader=reader,
        shared=referral.sections,
        not_shared=tuple(s for s in Section if s not in referral.sections),
        needs=answers.needs if allowed(Section.NEEDS) else None,
        profile=answers.profile if allowed(Section.PROFILE) else None,
        resources=answers.needs.resources if allowed(Section.PROFILE) else None,
        risks={kind: answer for kind, answer in answers.risk.kinds.items()
               if allowed(risk_section(kind))},
        safeguarding=SafeguardingShown(
            typed.attendance_concern or bool(child and child.attendance_concern),
            typed.missing_education or bool(child and child.missing_education),
            answers.safeguarding.notes,
        ) if allowed(Section.SAFEGUARDING) else None,
        contact=answers.contact,
        consent=answers.consent,
        referrer=_referrer(session, referral),
    )


def _referrer(session: Session | None, referral: Referral) -> ReferrerContact:
    row = session.execute(select(User.name, User.email).where(
        User.id == referral.referrer_id)).first() if session is not None else None
    name, email = (row[0], row[1]) if row else ("", "")
    return ReferrerContact(name, email, referral.school.name if referral.school else "")


def flag_visible(referral: Referral, reader: Reader) -> bool:
    """Whether the referral's safeguarding flag may be shown to ``reader``: it comes from
    the safeguarding markers, so only where those are shared."""
    return referral.safeguarding_flag and may_read(referral, reader, Section.SAFEGUARDING)


def safeguarding_visible(referrals: list[Referral], reader: Reader) -> bool:
    """Whether a child's safeguarding markers (attendance, missing education) may be shown
    to a reader who sees these referrals of theirs: shared on at least one."""
    return any(may_read(r, reader, Section.SAFEGUARDING) for r in referrals)
