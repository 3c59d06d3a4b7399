"""A referrer's saved drafts: the list to resume from, deleting one, and starting one
from search results with what the search already knows. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.engine.help import SEVERITIES
from routing.referrals.answers import CHECK, STEPS, Carried
from routing.referrals.audit import audit
from routing.referrals.lifecycle import Actor
from routing.referrals.models import ReferralRequest, RequestStatus
from routing.referrals.operations import missing_steps, start_request
from services.errors import InvalidInput
from services.listings import Service
from services.schools import School
from services.taxonomy import Need

# The longest postcode a search takes (hub/search/forms.py), and the oldest child.
POSTCODE_MAX = 20
AGE_MAX = 25


@dataclass(frozen=True)
class DraftSummary:
    """One line of "Your drafts"."""

    draft: ReferralRequest
    child_name: str
    resume_step: str  # the first unanswered step, or "check"
    deleted_after: datetime

    @property
    def steps_done(self) -> int:
        return len(STEPS) - len(missing_steps(self.draft))


def drafts_of(
    session: Session, referrer_id: int, now: datetime, keep_days: int
) -> list[DraftSummary]:
    """The unsent drafts ``referrer_id`` started, most recently saved first, each with the
    day it will be deleted (``keep_days`` after it was last saved, by the nightly purge)."""
    found = session.execute(
        select(ReferralRequest)
        .where(ReferralRequest.referrer_id == referrer_id,
               ReferralRequest.status == RequestStatus.DRAFT)
        .order_by(ReferralRequest.updated_at.desc(), ReferralRequest.id.desc())
    ).scalars()
    summaries = []
    for draft in found:
        missing = missing_steps(draft)
        summaries.append(DraftSummary(
            draft, draft.form.child.name, missing[0] if missing else CHECK,
            draft.updated_at + timedelta(days=keep_days)))
    return summaries


def delete_draft(session: Session, draft: ReferralRequest, actor: Actor, now: datetime) -> None:
    """Delete an unsent draft and everything typed on it. Raises InvalidInput when the
    form was sent or stopped for safeguarding (those are records, kept)."""
    if draft.status is not RequestStatus.DRAFT:
        raise InvalidInput({"form": "Only an unsent draft can be deleted"})
    audit(session, actor, "draft_deleted", now, subject_type="referral_request",
          subject_id=draft.id)
    session.delete(draft)
    session.flush()


@dataclass(frozen=True)
class SearchChoices:
    """What a search results page posts with "Refer": as typed, checked here."""

    postcode: str = ""
    age: str = ""
    school_id: str = ""
    need_codes: Sequence[str] = ()
    severity: str = ""
    urgent: bool = False
    # "need code:service id" for each service ticked on the results.
    chosen: Sequence[str] = ()


def _carried(session: Session, choices: SearchChoices) -> Carried:
    """The checked part of ``choices``. Raises InvalidInput (a tampered post: the results
    page only offers what it found)."""
    codes = list(dict.fromkeys(str(c) for c in choices.need_codes))
    known = set(session.execute(select(Need.code).where(Need.code.in_(codes))).scalars())
    if not codes or set(codes) - known:
        raise InvalidInput({"needs": "Search again and choose needs from the list"})
    age: int | None = None
    if choices.age.strip():
        if not choices.age.strip().isdecimal() or int(choices.age) > AGE_MAX:
            raise InvalidInput({"age": f"Enter an age between 0 and {AGE_MAX}"})
        age = int(choices.age)
    school_id: int | None = None
    if choices.school_id.strip():
        text = choices.school_id.strip()
        if not text.isdecimal() or len(text) > 12 or session.get(School, int(text)) is None:
            raise InvalidInput({"school_id": "Choose a school from the list"})
        school_id = int(text)
    postcode = choices.postcode.strip()
    if len(postcode) > POSTCODE_MAX:
        raise InvalidInput({"postcode": "Enter a postcode, like BL1 1SE"})
    services: dict[str, int] = {}
    for pair in choices.chosen:
        code, _, sid = str(pair).partition(":")
        if code not in known or not sid.isdecimal() or len(sid) > 12:
            raise InvalidInput({"chosen": "Choose services from the results"})
        if code in services and services[code] != int(sid):
            raise InvalidInput({"chosen": "Choose one service for each need. You can add "
                                          "others later in the form."})
        services[code] = int(sid)
    if services:
        active = set(session.execute(select(Service.id).where(
            Service.id.in_(services.values()), Service.active.is_(True))).scalars())
        if set(services.values()) - active:
            raise InvalidInput({"chosen": "Choose services from the results"})
    severity = choices.severity if choices.severity in SEVERITIES else ""
    return Carried(postcode, age, school_id, tuple(codes), severity, choices.urgent, services)


def start_from_search(
    session: Session, start_key: str, referrer_id: int, school_id: int,
    choices: SearchChoices, now: datetime,
) -> ReferralRequest:
    """A draft carrying what the search knew (postcode, age, school, needs, severity,
    urgency and the services ticked), or the draft already started with ``start_key``
    (a double click makes one draft). Raises InvalidInput for a tampered post."""
    carried = _carried(session, choices)
    draft = start_request(session, start_key, referrer_id, school_id, now)
    if not draft.answers:
        draft.save_answers(carried, now)
    return draft
