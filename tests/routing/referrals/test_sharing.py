"""Need-to-know sharing below HTTP: what each provider of one child may read."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals.answers import DEFAULT_SECTIONS, Section
from routing.referrals.sharing import Reader, flag_visible, may_read, referral_view
from services.db import utcnow
from services.errors import InvalidInput
from tests.factories import Cast, make_service
from tests.routing.referrals.helpers import actor, complete_draft

SELF_HARM = "Scratched his arms twice this term; safety plan with the school nurse"
NOTES = "Child in need plan until July; social worker still in touch"


def _two_providers(db: Session, cast: Cast):  # type: ignore[no-untyped-def]
    speech = make_service(db, cast.provider, name="Speech therapy", needs=("SEND.SPEECH",))
    camhs = make_service(db, cast.other_provider, name="CAMHS", needs=("MHW",))
    draft = complete_draft(db, cast, {"SEND.SPEECH": speech, "MHW": camhs}, risk="medium")
    now = utcnow()
    ops.save_step(db, draft, "risk", {
        "to_self_level": "medium", "to_self_mitigation": SELF_HARM,
        "to_others_level": "none", "from_others_level": "low",
        "from_others_mitigation": "Meet at school, not at home"}, now)
    ops.clear_safeguarding(draft, now, notes=NOTES)
    ops.save_step(db, draft, "needs", {"needs": ["SEND.SPEECH", "MHW"],
                                       "family_wants": "To be understood",
                                       "resources": "Polish interpreter"}, now)
    return draft, speech, camhs


def test_it_shows_a_provider_the_defaults_when_the_referrer_chose_nothing(
    db: Session, cast: Cast
) -> None:
    draft, speech, _camhs = _two_providers(db, cast)
    referrals = ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(),
        declared=True)
    to_speech = next(r for r in referrals if r.service_id == speech.id)

    assert to_speech.sections == DEFAULT_SECTIONS
    view = referral_view(to_speech, Reader.PROVIDER)
    assert view.safeguarding is None
    assert set(view.risks) == {"from_others"}
    assert view.needs is not None and view.needs.family_wants == "To be understood"
    assert view.profile is not None and view.resources == "Polish interpreter"
    assert view.contact.ways == ("phone",) and view.contact.times == "After 4pm"
    assert view.referrer.email == cast.staff.email
    assert view.referrer.school == cast.school.name


def test_it_shows_each_provider_of_one_child_only_what_was_shared_with_it(
    db: Session, cast: Cast
) -> None:
    draft, speech, camhs = _two_providers(db, cast)
    ops.choose_sharing(db, draft, {
        speech.id: ["needs"],
        camhs.id: ["needs", "profile", "work_risk", "safeguarding", "self_others_risk"],
    }, utcnow())
    referrals = ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(),
        declared=True)
    to_speech = next(r for r in referrals if r.service_id == speech.id)
    to_camhs = next(r for r in referrals if r.service_id == camhs.id)

    speech_view = referral_view(to_speech, Reader.PROVIDER)
    assert speech_view.profile is None and speech_view.resources is None
    assert speech_view.safeguarding is None and speech_view.risks == {}
    # How to reach the family, and the referrer, whatever was chosen.
    assert speech_view.contact.times == "After 4pm"
    assert speech_view.referrer.email == cast.staff.email
    assert to_speech.sections == (Section.NEEDS, Section.CONTACT)

    camhs_view = referral_view(to_camhs, Reader.PROVIDER)
    assert camhs_view.safeguarding is not None and camhs_view.safeguarding.notes == NOTES
    assert camhs_view.risks["to_self"].mitigation == SELF_HARM
    # The referring school reads everything, and what each service was not shown.
    full = referral_view(to_speech, Reader.FULL)
    assert full.safeguarding is not None and full.risks["to_self"].mitigation == SELF_HARM
    assert Section.SAFEGUARDING in full.not_shared


def test_it_refuses_a_section_or_service_not_on_the_form(db: Session, cast: Cast) -> None:
    draft, speech, _ = _two_providers(db, cast)
    with pytest.raises(InvalidInput) as unknown_section:
        ops.choose_sharing(db, draft, {speech.id: ["everything"]}, utcnow())
    assert f"share-{speech.id}" in unknown_section.value.errors
    elsewhere = make_service(db, cast.council, name="Not chosen", needs=("MHW",))
    with pytest.raises(InvalidInput):
        ops.choose_sharing(db, draft, {elsewhere.id: ["needs"]}, utcnow())


def test_it_refuses_safeguarding_notes_over_the_limit_without_cutting_them(
    db: Session, cast: Cast
) -> None:
    draft, _, _ = _two_providers(db, cast)
    with pytest.raises(InvalidInput) as error:
        ops.clear_safeguarding(draft, utcnow(), notes="x" * 5001)
    assert "notes" in error.value.errors
    assert draft.form.safeguarding.notes == NOTES


def test_it_sends_a_rerouted_referral_with_what_the_declined_one_was_shown(
    db: Session, cast: Cast
) -> None:
    draft, speech, _camhs = _two_providers(db, cast)
    ops.choose_sharing(db, draft, {speech.id: ["needs", "safeguarding"]}, utcnow())
    referrals = ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(),
        declared=True)
    to_speech = next(r for r in referrals if r.service_id == speech.id)
    ops.open_referral(db, to_speech, actor(cast.manager), utcnow())
    ops.decline_referral(db, to_speech, actor(cast.manager), utcnow(), "no_capacity", "Full")
    backup = make_service(db, cast.council, name="Council speech", needs=("SEND.SPEECH",))
    onward = ops.reroute_need(db, to_speech, backup.id, actor(cast.staff), utcnow())

    assert onward.sections == (Section.NEEDS, Section.SAFEGUARDING, Section.CONTACT)
    assert not may_read(onward, Reader.PROVIDER, Section.SELF_OTHERS_RISK)


def test_it_reads_a_referral_sent_before_the_choice_existed_as_the_defaults(
    db: Session, cast: Cast
) -> None:
    draft, _speech, _ = _two_providers(db, cast)
    referral = ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(),
        declared=True)[0]
    referral.shared_sections = None
    referral.safeguarding_flag = True

    assert referral.sections == DEFAULT_SECTIONS
    assert not may_read(referral, Reader.PROVIDER, Section.SAFEGUARDING)
    assert not flag_visible(referral, Reader.PROVIDER)
    assert flag_visible(referral, Reader.FULL)
