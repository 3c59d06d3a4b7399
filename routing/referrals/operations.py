"""Referral use cases. Each takes a Session and ``now``, never commits, and
raises InvalidInput or TransitionRefused (both carry a message for the user)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, object_session

from routing.engine.help import SEVERITIES
from routing.gazetteer.lookup import OnlineGeocoder, place_postcode
from routing.referrals import capacity, declaration
from routing.referrals import family as family_record
from routing.referrals.answers import (
    CHOOSABLE_SECTIONS,
    DEFAULTED_STEPS,
    ROUTINE,
    STEP_TITLES,
    STEPS,
    URGENT,
    ChildStep,
    ConsentStep,
    ContactStep,
    NeedAnswer,
    NeedsStep,
    ProfileStep,
    ProvidersStep,
    RiskAnswer,
    RiskStep,
    SafeguardingStep,
    SharingStep,
    Step,
    UrgencyStep,
    sections_of,
)
from routing.referrals.audit import audit
from routing.referrals.children import (
    ChildDetails,
    MatchKind,
    clean_details,
    confirmed_child_id,
    find_child,
    new_child,
)
from routing.referrals.lifecycle import SYSTEM, Actor, TransitionRefused, move
from routing.referrals.merge import current_record
from routing.referrals.models import (
    Child,
    DeclineReason,
    Outcome,
    Referral,
    ReferralRequest,
    RequestStatus,
    RiskLevel,
    Status,
    flag_reasons,
)
from routing.referrals.outbox import queue_message
from routing.referrals.subjects import Subject
from routing.safeguarding import operations as safeguarding
from services.accounts.models import User
from services.errors import AlreadyDone, InvalidInput
from services.lengths import form_limit, form_limits
from services.listings import Service
from services.locking import lock_row
from services.taxonomy import Need

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I confusion
RISK_KINDS = ("to_self", "to_others", "from_others")
RISK_KIND_LABELS = {"to_self": "Risk to self", "to_others": "Risk to others",
                    "from_others": "Risk from others"}
LAWFUL_BASES = {
    "consent": "Consent of the family",
    "public_task": "Public task",
    "legitimate_interests": "Legitimate interests",
    "vital_interests": "Vital interests",
    "legal_obligation": "Legal obligation",
}
CONTACT_WAYS = {
    "phone": "Phone call",
    "text": "Text message",
    "email": "Email",
    "letter": "Letter",
    "school": "In person at school",
}


def new_reference() -> str:
    return "FH-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def provider_address(referral: Referral) -> str | None:
    return referral.service.contact_email or referral.organisation.email or None


def _referrer_address(session: Session, referral: Referral) -> str | None:
    email = session.execute(
        select(User.email).where(User.id == referral.referrer_id)
    ).scalar_one_or_none()
    return str(email) if email else None


# --- The referral form -------------------------------------------------------------


def start_request(
    session: Session, start_key: str, referrer_id: int, school_id: int, now: datetime
) -> ReferralRequest:
    """A new draft, or the one already started with ``start_key`` (a repeated submit).

    Safe when the same key arrives twice at once (a double click): the insert is
    skipped on a clash, so both requests get the one draft.
    """
    found = select(ReferralRequest).where(ReferralRequest.start_key == start_key)
    existing = session.execute(found).scalar_one_or_none()
    if existing is not None:
        return existing
    values = {
        "start_key": start_key, "send_key": secrets.token_urlsafe(24),
        "referrer_id": referrer_id, "school_id": school_id, "answers": {},
        "status": RequestStatus.DRAFT, "created_at": now, "updated_at": now,
    }
    insert = (sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert)
    session.execute(
        insert(ReferralRequest).values(values).on_conflict_do_nothing(
            index_elements=["start_key"]))
    return session.execute(found).scalar_one()


def _editable(draft: ReferralRequest) -> None:
    if draft.status is not RequestStatus.DRAFT:
        raise InvalidInput({"form": "This referral form has already been sent or stopped"})


def save_child(
    session: Session,
    draft: ReferralRequest,
    details: ChildDetails,
    same_child: bool | None,
    now: datetime,
    online: OnlineGeocoder | None = None,
) -> ChildStep:
    """Keep who the child is on the draft, linked to an existing record only when the
    user confirms it is the same child, so there is one timeline.

    Nothing is written to any child's record: a new record is made when the form is
    sent, and an existing one is never changed from a form (another school's pupil
    cannot be taken over by typing their NHS number). The home postcode is checked
    against the gazetteer as the search checks it (``online``: its fallback geocoder).
    Raises InvalidInput for invalid details, or for a "different child" that has
    another record's UPN or NHS number; ConfirmMatch when a record matches and
    ``same_child`` is None.
    """
    _editable(draft)
    errors: dict[str, str] = {}
    try:
        details = clean_details(details, now.date())
    except InvalidInput as error:
        errors = dict(error.errors)
    # A home address the school does not know has no postcode to check.
    if "home_postcode" not in errors and not details.postcode_not_known:
        try:
            place = place_postcode(session, details.home_postcode, "home_postcode", online)
        except InvalidInput as error:
            errors.update(error.errors)
        else:
            details = replace(details, home_postcode=place.postcode)
    if errors:
        raise InvalidInput(errors)
    existing_id = confirmed_child_id(find_child(session, details), same_child, details.upn)
    typed = ChildStep(
        details.first_name, details.last_name, details.date_of_birth, details.home_postcode,
        details.upn, details.nhs_number, details.attendance_concern,
        details.missing_education, existing_id, details.subject, details.expected_date,
        details.dob_not_known, details.birth_year, details.postcode_not_known,
    )
    draft.save_answers(typed, now)
    return typed


def _child_of(session: Session, draft: ReferralRequest, actor: Actor, now: datetime) -> Child:
    """The record the sent form is about: the one the user confirmed, or a new one.

    Raises InvalidInput when the confirmed record has gone, or when a record with the
    same UPN or NHS number was made after the child step was saved.
    """
    typed = draft.form.child
    if typed.existing_child_id is not None:
        # A record merged since the user confirmed it: the child is now the survivor.
        child = current_record(session, typed.existing_child_id)
        if child is None:
            raise InvalidInput({"form": "The record has changed. Check "
                                        f"'{Subject.of(typed.subject).step_title}' again."})
        return child
    clash = find_child(session, _details(typed))
    if clash is not None and clash.kind is MatchKind.SAME:
        raise InvalidInput({"form": "A record with this UPN or NHS number was added since "
                                    "you saved their details. Check "
                                    f"'{Subject.of(typed.subject).step_title}' again."})
    return new_child(session, typed, draft.school_id, actor, now,
                     f"Referral form {draft.id}")


def _details(typed: ChildStep) -> ChildDetails:
    return ChildDetails(typed.first_name, typed.last_name, typed.date_of_birth,
                        typed.home_postcode, typed.upn, typed.nhs_number,
                        subject=typed.subject, expected_date=typed.expected_date)


def _text(data: Mapping[str, Any], name: str) -> str:
    return str(data.get(name) or "").strip()


def _too_long(data: Mapping[str, Any]) -> dict[str, str]:
    """An error for each answer longer than its limit (services/lengths.py): refused,
    never cut short. A field with no limit of its own takes the longest any has."""
    errors = {}
    longest = max(form_limits().values())
    for name, value in data.items():
        limit = form_limit(name) or longest
        typed = len(value.strip()) if isinstance(value, str) else 0
        if typed > limit:
            errors[name] = f"Enter {limit:,} characters or fewer (you entered {typed:,})"
    return errors


def save_step(
    session: Session, draft: ReferralRequest, step: str, data: Mapping[str, Any], now: datetime
) -> None:
    """Validate one step of the form and save it into the draft.

    Raises InvalidInput keyed by field.
    """
    _editable(draft)
    errors: dict[str, str] = {}
    clean: Step
    if step == "family":
        draft.save_answers(family_record.clean_family(data), now)
        return
    if step == "needs":
        codes = list(dict.fromkeys(str(c) for c in data.get("needs") or []))
        # A need kept on "Change" keeps its urgency (asked on the next step).
        urgent = set(draft.form.urgency.urgent)
        known = set(session.execute(select(Need.code).where(Need.code.in_(codes))).scalars())
        if not codes:
            errors["needs"] = "Choose at least one need"
        elif set(codes) - known:
            errors["needs"] = "Choose needs from the list"
        if not _text(data, "family_wants"):
            errors["family_wants"] = "Enter what the family wants to happen"
        severity = _text(data, "severity")
        if severity and severity not in SEVERITIES:
            errors["severity"] = "Choose how serious it is from the list"
        clean = NeedsStep(
            tuple(NeedAnswer(c, URGENT if c in urgent else ROUTINE) for c in codes),
            _text(data, "family_wants"),
            _text(data, "resources"),
            severity if severity in SEVERITIES else "",
        )
    elif step == "urgency":
        clean = _urgency(session, draft, data)
    elif step == "profile":
        strengths = _text(data, "strengths")
        clean = ProfileStep(strengths, _text(data, "strategies"), _text(data, "avoid"),
                            not strengths and data.get("strengths_not_known") == "yes")
        if not clean.strengths and not clean.strengths_not_known:
            errors["strengths"] = ("Enter the child's strengths and talents, or tick that the "
                                   "school does not know them yet")
    elif step == "risk":
        risks = {}
        for kind in RISK_KINDS:
            level = str(data.get(f"{kind}_level") or "")
            if level not in RiskLevel._value2member_map_:
                errors[f"{kind}_level"] = "Choose a level of risk"
            mitigation = _text(data, f"{kind}_mitigation")
            if level in ("medium", "high") and not mitigation:
                errors[f"{kind}_mitigation"] = "Enter how this risk is managed"
            risks[kind] = RiskAnswer(level, mitigation)
        clean = RiskStep(risks)
    elif step == "consent":
        basis = str(data.get("lawful_basis") or "")
        if basis not in LAWFUL_BASES:
            errors["lawful_basis"] = "Choose the lawful basis for sharing"
        agreed = data.get("family_agreed")
        if agreed not in ("yes", "no"):
            errors["family_agreed"] = "Say whether the family agreed"
        if basis == "consent" and agreed != "yes":
            errors["family_agreed"] = "Sharing on consent needs the family to agree"
        if agreed == "yes" and not _text(data, "agreed_by"):
            errors["agreed_by"] = "Enter who agreed, like 'Parent (mother)'"
        clean = ConsentStep(
            basis, agreed == "yes", _text(data, "agreed_by"),
            recorded_by_id=draft.referrer_id, recorded_at=now,
        )
    elif step == "contact":
        ways = [str(w) for w in data.get("ways") or [] if str(w) in CONTACT_WAYS]
        person = _text(data, "person")
        try:
            person, chosen = family_record.clean_contact_person(
                draft.form.family, person, ways, _text(data, "times"))
        except InvalidInput as error:
            errors.update(error.errors)
            chosen = tuple(ways)
        phone = _text(data, "referrer_phone")
        if phone and len(phone) <= 40:
            number = family_record.uk_phone(phone)
            if number is None:
                errors["referrer_phone"] = "Enter a phone number, like 01204 332000"
            phone = number or phone
        clean = ContactStep(chosen, _text(data, "times"), _text(data, "avoid"), person, phone)
    else:
        raise InvalidInput({"form": "Unknown step"})
    errors.update(_too_long(data))
    if errors:
        raise InvalidInput(errors)
    draft.save_answers(clean, now)


def _urgency(session: Session, draft: ReferralRequest, data: Mapping[str, Any]) -> UrgencyStep:
    """The urgent needs, each one of the needs chosen. A tick for any other need is
    refused with its name, never dropped. Raises InvalidInput."""
    chosen = draft.form.needs.codes
    if not chosen:
        raise InvalidInput({"urgent": "Choose the family's needs first"})
    ticked = list(dict.fromkeys(str(c) for c in data.get("urgent") or []))
    others = [code for code in ticked if code not in chosen]
    if others:
        names = {str(code): str(name) for code, name in session.execute(
            select(Need.code, Need.name).where(Need.code.in_(others)))}
        listed = ", ".join(names.get(code, "an unknown need") for code in others)
        raise InvalidInput({"urgent": f"You can only mark as urgent a need you chose. Not "
                                      f"chosen: {listed}. Change the needs, or untick it"})
    return UrgencyStep(tuple(code for code in chosen if code in ticked))


def stop_for_safeguarding(
    session: Session, draft: ReferralRequest, actor: Actor, now: datetime
) -> None:
    """The child may be at risk of significant harm: stop, send nothing, record that we
    did, and put the stop in the school's safeguarding lead's queue (the lead is told)."""
    _editable(draft)
    draft.save_answers(SafeguardingStep(significant_harm=True, stopped_by=actor.name), now)
    draft.status = RequestStatus.SAFEGUARDING_STOP
    draft.safeguarding_stopped_at = now
    item = safeguarding.record_stop(session, draft, actor, now)
    audit(session, actor, "safeguarding_stop", now, child_id=item.child_id)


def clear_safeguarding(draft: ReferralRequest, now: datetime, actor: Actor = SYSTEM,
                       notes: str = "") -> None:
    """Record the answer 'no risk of significant harm' so the form may continue, with any
    safeguarding notes (shown to a service only where the referrer shares them). An open
    safeguarding item about the same child stays open, and records the answer.

    Raises InvalidInput for notes over the limit (refused, never cut).
    """
    _editable(draft)
    errors = _too_long({"notes": notes})
    if errors:
        raise InvalidInput(errors)
    draft.save_answers(SafeguardingStep(significant_harm=False, notes=notes.strip()), now)
    session = object_session(draft)
    if session is not None:
        safeguarding.note_cleared_after_stop(session, draft, actor, now)


def choose_providers(
    session: Session, draft: ReferralRequest, choices: Mapping[str, int | None], now: datetime
) -> None:
    """Record the chosen service for each need (``None``: not referring for that need yet).

    Raises InvalidInput when nothing is chosen or a service cannot take referrals.
    """
    _editable(draft)
    chosen = {code: sid for code, sid in choices.items() if sid}
    if not chosen:
        raise InvalidInput({"providers": "Choose a service for at least one need"})
    services = {
        s.id: s
        for s in session.execute(
            select(Service).where(Service.id.in_(set(chosen.values())))
        ).scalars()
    }
    for code, sid in chosen.items():
        service = services.get(int(sid))
        if service is None or not service.active or not service.need_codes:
            raise InvalidInput({f"need-{code}": "Choose a service from the list"})
        if not service.referral_route.takes_system_referrals:
            raise InvalidInput({f"need-{code}": "That service only takes self-referrals"})
    draft.save_answers(ProvidersStep({code: int(sid) for code, sid in chosen.items()}), now)


def choose_sharing(
    session: Session, draft: ReferralRequest, choices: Mapping[int, Sequence[str]],
    now: datetime,
) -> None:
    """Record what each chosen service sees (need-to-know): ``choices`` maps a chosen
    service's id to the sections shared with it (a service left out keeps what it had);
    how to contact the family is always shared. Raises InvalidInput for a section or
    service not on the form.
    """
    _editable(draft)
    chosen_services = set(draft.form.providers.chosen.values())
    known = {s.value for s in CHOOSABLE_SECTIONS}
    errors = {}
    for service_id, values in choices.items():
        if service_id not in chosen_services:
            errors["sharing"] = "Choose what each service sees from the list"
        elif set(values) - known:
            errors[f"share-{service_id}"] = "Choose what this service sees from the list"
    if errors:
        raise InvalidInput(errors)
    # A service not in ``choices`` keeps what it had (the defaults, if nothing yet).
    current = draft.form.sharing
    draft.save_answers(SharingStep({
        sid: sections_of(choices[sid]) if sid in choices else current.sections_for(sid)
        for sid in sorted(chosen_services)}), now)


def missing_steps(draft: ReferralRequest) -> list[str]:
    answered = draft.form.answered
    return [step for step in STEPS if step not in answered and step not in DEFAULTED_STEPS]


def _risk_rank(risk: RiskStep) -> int:
    return max((RiskLevel(level).rank for level in risk.levels if level), default=0)


DECLARATION = declaration.DECLARATIONS[declaration.CURRENT]


def refer_family(
    session: Session, draft: ReferralRequest, send_key: str, actor: Actor, now: datetime,
    *, declared: bool,
) -> list[Referral]:
    """Send the form: one referral per chosen service, each sent and its provider told.

    ``declared``: the referrer confirmed DECLARATION; who, when and its version are kept
    on the form (``routing.referrals.declaration``). Idempotent: a repeated submit
    with the same ``send_key`` returns the referrals already made. Raises InvalidInput
    if the declaration is not confirmed, a step is missing, the form was stopped at
    safeguarding, or the key is not this form's.
    """
    if send_key != draft.send_key:
        raise InvalidInput({"form": "This form is out of date. Start the referral again."})
    if draft.status is RequestStatus.SENT:
        return list(draft.referrals)
    if not declared:
        raise InvalidInput({"declaration": "Confirm the declaration to send the referral"})
    if draft.status is RequestStatus.SAFEGUARDING_STOP:
        raise InvalidInput({"form": "This referral was stopped for safeguarding"})
    missing = missing_steps(draft)
    if missing:
        titles = ", ".join(STEP_TITLES[step] for step in missing)
        raise InvalidInput({"form": f"Complete every step first ({titles})"})
    family_record.check_before_send(draft)
    # The conditional UPDATE's row count decides who sends: a double click, a
    # retry or a second tab finds the form already sent and makes nothing new.
    claimed = session.execute(
        update(ReferralRequest)
        .where(ReferralRequest.id == draft.id, ReferralRequest.status == RequestStatus.DRAFT)
        .values(status=RequestStatus.SENT, sent_at=now, updated_at=now,
                declared_by_id=actor.user_id, declared_by_name=actor.name,
                declared_by_organisation=actor.organisation_name, declared_at=now,
                declaration_version=declaration.CURRENT)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(draft)
    if claimed != 1:
        return list(draft.referrals)
    child = _child_of(session, draft, actor, now)
    draft.child_id = child.id
    family_record.record_family(session, draft, child, actor, now)
    answers = draft.form
    priorities = dict(answers.needs.priorities)
    by_service: dict[int, list[str]] = {}
    for code, service_id in answers.providers.chosen.items():
        by_service.setdefault(int(service_id), []).append(code)
    referrals = []
    for service_id, codes in sorted(by_service.items()):
        referral = _new_referral(session, draft, service_id, codes, priorities, now)
        send_referral(session, referral, actor, now)
        referrals.append(referral)
    return referrals


def _new_referral(
    session: Session,
    draft: ReferralRequest,
    service_id: int,
    codes: Sequence[str],
    priorities: Mapping[str, int],
    now: datetime,
    rerouted_from: Referral | None = None,
) -> Referral:
    service = session.get(Service, service_id)
    assert service is not None and draft.child_id is not None
    referral = Referral(
        reference=new_reference(),
        request_id=draft.id,
        child_id=draft.child_id,
        school_id=draft.school_id,
        referrer_id=draft.referrer_id,
        service_id=service.id,
        organisation_id=service.organisation_id,
        needs=[asdict(NeedAnswer(c, priorities.get(c, ROUTINE))) for c in codes],
        urgent=any(priorities.get(c, ROUTINE) == URGENT for c in codes),
        status=Status.DRAFT,
        risk_rank=_risk_rank(draft.form.risk),
        # Need-to-know: what the referrer chose for this service; a re-routed copy goes
        # with what the declined one was shown (the same needs, the same choice).
        shared_sections=[section.value for section in (
            rerouted_from.sections if rerouted_from
            else draft.form.sharing.sections_for(service.id))],
        rerouted_from_id=rerouted_from.id if rerouted_from else None,
        created_at=now,
        updated_at=now,
    )
    typed = draft.form.child
    child = session.get(Child, draft.child_id)
    referral.safeguarding_flag = bool(flag_reasons(
        typed.missing_education or bool(child and child.missing_education),
        typed.attendance_concern or bool(child and child.attendance_concern),
        referral.risk_rank,
    ))
    session.add(referral)
    session.flush()
    return referral


def send_referral(session: Session, referral: Referral, actor: Actor, now: datetime) -> None:
    """Draft to sent, and tell the provider. Raises TransitionRefused."""
    move(session, referral, Status.SENT, actor, now)
    referral.sent_at = now
    queue_message(session, provider_address(referral), "new_referral", referral, now)


def open_referral(session: Session, referral: Referral, actor: Actor, now: datetime) -> None:
    """The provider has read the referral. Raises TransitionRefused."""
    move(session, referral, Status.OPENED, actor, now)
    referral.opened_at = now


@dataclass(frozen=True)
class AcceptOutcome:
    accepted: bool
    position: int | None
    message: str


def accept_referral(
    session: Session, referral: Referral, actor: Actor, now: datetime
) -> AcceptOutcome:
    """Accept, taking one free place atomically; with no place, wait-list instead.

    The outcome says which happened, in words for the user. Raises
    TransitionRefused when the referral cannot be accepted from its status.
    """
    if referral.status not in (Status.OPENED, Status.WAITLISTED):
        raise TransitionRefused(referral, Status.ACCEPTED)
    if capacity.take_place(session, referral.service_id):
        was_waitlisted = referral.status is Status.WAITLISTED
        move(session, referral, Status.ACCEPTED, actor, now, "A free place was taken")
        referral.holds_place = True
        referral.decided_at = now
        if was_waitlisted:
            capacity.change_waitlist(session, referral.service_id, -1)
        queue_message(session, _referrer_address(session, referral), "accepted", referral, now)
        return AcceptOutcome(True, None, f"Referral {referral.reference} accepted.")
    if referral.status is Status.OPENED:
        _to_waitlist(session, referral, actor, now, "No free place when accepting")
    position = capacity.waitlist_position(session, referral)
    return AcceptOutcome(
        False,
        position,
        f"There are no free places, so referral {referral.reference} is on the wait-list "
        f"at position {position}. It will be offered the next free place in priority order.",
    )


def _to_waitlist(
    session: Session, referral: Referral, actor: Actor, now: datetime, reason: str
) -> None:
    move(session, referral, Status.WAITLISTED, actor, now, reason)
    referral.waitlisted_at = now
    referral.decided_at = now
    capacity.change_waitlist(session, referral.service_id, +1)
    queue_message(session, _referrer_address(session, referral), "waitlisted", referral, now)


def waitlist_referral(
    session: Session, referral: Referral, actor: Actor, now: datetime, reason: str = ""
) -> int:
    """Put an opened referral on the wait-list; returns its position. Raises TransitionRefused."""
    _to_waitlist(session, referral, actor, now, reason or "Wait-listed by the provider")
    session.flush()
    return capacity.waitlist_position(session, referral)


def decline_referral(
    session: Session,
    referral: Referral,
    actor: Actor,
    now: datetime,
    reason_code: str,
    text: str,
) -> None:
    """Decline with a reason code and words; the referrer is told and offered other services.

    Raises InvalidInput for a missing reason, TransitionRefused otherwise.
    """
    if reason_code not in DeclineReason._value2member_map_:
        raise InvalidInput({"reason_code": "Choose why the referral is declined"})
    if not text.strip():
        raise InvalidInput({"reason": "Explain why, so the school can find another service"})
    was_waitlisted = referral.status is Status.WAITLISTED
    move(session, referral, Status.DECLINED, actor, now, text.strip())
    referral.decline_reason = DeclineReason(reason_code)
    referral.decline_text = text.strip()
    referral.decided_at = now
    if was_waitlisted:
        capacity.change_waitlist(session, referral.service_id, -1)
    queue_message(session, _referrer_address(session, referral), "declined", referral, now)


def request_information(
    session: Session, referral: Referral, actor: Actor, now: datetime, question: str
) -> None:
    """Send the referral back to the referrer with a question. Raises InvalidInput,
    TransitionRefused."""
    if not question.strip():
        raise InvalidInput({"question": "Enter your question for the school"})
    move(session, referral, Status.NEEDS_INFORMATION, actor, now, question.strip())
    referral.information_request = question.strip()
    queue_message(
        session, _referrer_address(session, referral), "information_requested", referral, now
    )


def supply_information(
    session: Session, referral: Referral, actor: Actor, now: datetime, answer: str
) -> None:
    """The referrer answers the provider's question; the referral goes back to the
    service as it was before the question: opened (a question is asked only of an opened
    referral), so the school's list, the service's inbox and the family's page keep
    saying the service has read it. When it was sent and opened are kept as they were;
    the service's time to decide counts again from the answer
    (``routing.referrals.stuck.deciding_since``).

    Raises InvalidInput, TransitionRefused.
    """
    if not answer.strip():
        raise InvalidInput({"answer": "Enter the information the service asked for"})
    move(session, referral, Status.OPENED, actor, now, answer.strip())
    referral.information_request = ""
    queue_message(session, provider_address(referral), "information_supplied", referral, now)


def record_first_contact(
    session: Session, referral: Referral, actor: Actor, now: datetime, next_step: str
) -> None:
    """The provider has made first contact with the family. Raises TransitionRefused."""
    move(session, referral, Status.IN_PROGRESS, actor, now, "First contact made")
    referral.next_step = next_step.strip()


def _release(session: Session, referral: Referral, now: datetime) -> Referral | None:
    """Give back the place held by ``referral`` and offer it to the wait-list."""
    if not referral.holds_place:
        return None
    referral.holds_place = False
    capacity.free_place(session, referral.service_id)
    return offer_next_place(session, referral.service_id, now)


def offer_next_place(session: Session, service_id: int, now: datetime) -> Referral | None:
    """Give a free place to the first wait-listed referral (urgent first, then highest
    risk, then longest waiting); returns it, or None when nobody is waiting or no place
    is free."""
    waiting = session.execute(
        select(Referral)
        .where(Referral.service_id == service_id, Referral.status == Status.WAITLISTED)
        .order_by(*capacity.waitlist_order())
        .limit(1)
    ).scalar_one_or_none()
    if waiting is None or not capacity.take_place(session, service_id):
        return None
    move(session, waiting, Status.ACCEPTED, SYSTEM, now, "A place became free")
    waiting.holds_place = True
    waiting.decided_at = now
    capacity.change_waitlist(session, service_id, -1)
    queue_message(session, _referrer_address(session, waiting), "accepted", waiting, now)
    queue_message(session, provider_address(waiting), "place_offered", waiting, now)
    return waiting


def close_referral(
    session: Session, referral: Referral, actor: Actor, now: datetime, outcome: str, text: str = ""
) -> Referral | None:
    """Close with an outcome; a held place is freed and offered to the wait-list.

    Returns the wait-listed referral that got the place, if any. Raises
    InvalidInput for a missing outcome, TransitionRefused otherwise.
    """
    if outcome not in Outcome._value2member_map_:
        raise InvalidInput({"outcome": "Choose the outcome"})
    move(session, referral, Status.CLOSED, actor, now, text.strip() or Outcome(outcome).label)
    referral.outcome = Outcome(outcome)
    queue_message(session, _referrer_address(session, referral), "closed", referral, now)
    return _release(session, referral, now)


def withdraw_referral(
    session: Session, referral: Referral, actor: Actor, now: datetime, reason: str
) -> Referral | None:
    """The referrer stops the referral; a held place is freed and offered on.

    Raises InvalidInput without a reason, TransitionRefused otherwise.
    """
    if not reason.strip():
        raise InvalidInput({"reason": "Enter why the referral is withdrawn"})
    was_waitlisted = referral.status is Status.WAITLISTED
    move(session, referral, Status.WITHDRAWN, actor, now, reason.strip())
    if was_waitlisted:
        capacity.change_waitlist(session, referral.service_id, -1)
    queue_message(session, provider_address(referral), "withdrawn", referral, now)
    return _release(session, referral, now)


def reroute_need(
    session: Session, declined: Referral, service_id: int, actor: Actor, now: datetime
) -> Referral:
    """One step after a decline: send the same needs to another service.

    Raises AlreadyDone when it has already been re-routed (a double click, a second
    tab, a colleague); InvalidInput when the referral was not declined, or the service
    is the one that declined or takes no referrals.
    """
    # Concurrent re-routes of one referral take turns here, so only the first finds
    # no onward referral (the unique rerouted_from_id is the database's guarantee).
    lock_row(session, declined)
    if declined.status is not Status.DECLINED:
        raise InvalidInput({"service_id": "Only a declined referral can be sent elsewhere"})
    onward = session.execute(
        select(Referral.id).where(Referral.rerouted_from_id == declined.id)
    ).first()
    if onward is not None:
        raise AlreadyDone("This need has already been sent to another service.")
    if service_id == declined.service_id:
        raise InvalidInput({"service_id": "Choose a different service from the one that declined"})
    service = session.get(Service, service_id)
    if service is None or not service.active:
        raise InvalidInput({"service_id": "Choose a service from the list"})
    if not service.referral_route.takes_system_referrals:
        raise InvalidInput({"service_id": "That service only takes self-referrals"})
    draft = declined.request
    assert draft is not None
    priorities = dict(declined.asked.priorities)
    referral = _new_referral(
        session, draft, service_id, declined.need_codes, priorities, now, rerouted_from=declined
    )
    send_referral(session, referral, actor, now)
    return referral
