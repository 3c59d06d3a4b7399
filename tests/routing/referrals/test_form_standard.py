"""The referral form's rules below HTTP: the step registry's positions, urgency only among
the needs chosen, the declaration, the postcode checked as search checks it, lengths
refused not cut, drafts (list, delete, start from search) and the Flagged reasons."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from routing.gazetteer.lookup import place_postcode
from routing.referrals import drafts as draft_ops
from routing.referrals import operations as ops
from routing.referrals.answers import (
    CHECK,
    DEFAULTED_STEPS,
    STEP_TITLES,
    STEPS,
    Answers,
    next_step,
    position_of,
    previous_step,
)
from routing.referrals.children import ChildDetails
from routing.referrals.models import ReferralRequest, RequestStatus, RiskLevel, flag_reasons
from routing.referrals.retention import RetentionPolicy, purge
from services.db import utcnow
from services.errors import InvalidInput
from services.lengths import TEXT_LIMITS
from tests.factories import Cast, make_service
from tests.routing.referrals.helpers import actor, complete_draft


def _draft(db: Session, cast: Cast) -> ReferralRequest:
    return ops.start_request(db, secrets.token_hex(8), cast.staff.id, cast.school.id, utcnow())


def _child(first: str = "Ava", postcode: str = "BL1 1SE") -> ChildDetails:
    return ChildDetails(first, "Khan", date(2015, 3, 14), postcode)


def test_it_counts_and_links_steps_from_the_registry_alone() -> None:
    assert [position_of(step).number for step in STEPS] == list(range(1, len(STEP_TITLES) + 1))
    assert {position_of(step).total for step in STEPS} == {len(STEP_TITLES)}
    assert position_of("child").caption == f"Step 1 of {len(STEP_TITLES)}"
    assert previous_step(STEPS[0]) is None
    assert previous_step(CHECK) == STEPS[-1]
    for before, after in pairwise(STEPS):
        assert next_step(before) == after and previous_step(after) == before
    assert STEPS.index("urgency") == STEPS.index("needs") + 1


def test_it_refuses_an_urgent_tick_for_a_need_not_chosen_and_names_it(
    db: Session, cast: Cast
) -> None:
    draft = _draft(db, cast)
    with pytest.raises(InvalidInput) as early:
        ops.save_step(db, draft, "urgency", {"urgent": ["MHW"]}, utcnow())
    assert early.value.errors == {"urgent": "Choose the family's needs first"}
    ops.save_step(db, draft, "needs", {"needs": ["MHW", "HOUSING"], "family_wants": "Help"},
                  utcnow())
    with pytest.raises(InvalidInput) as refused:
        ops.save_step(db, draft, "urgency", {"urgent": ["MHW", "SEND"]}, utcnow())
    message = refused.value.errors["urgent"]
    assert "Not chosen:" in message and "MHW" not in message.split("Not chosen:")[1]
    assert "urgency" not in draft.form.answered  # nothing dropped silently, nothing saved
    ops.save_step(db, draft, "urgency", {"urgent": ["HOUSING"]}, utcnow())
    assert draft.form.needs.urgent_codes == ["HOUSING"]
    # Changing the needs keeps the urgency of a need still chosen, and drops the rest.
    ops.save_step(db, draft, "needs", {"needs": ["HOUSING"], "family_wants": "Help"}, utcnow())
    assert draft.form.needs.priorities == [("HOUSING", 1)]
    ops.save_step(db, draft, "needs", {"needs": ["MHW"], "family_wants": "Help"}, utcnow())
    assert draft.form.needs.urgent_codes == [] and draft.form.urgency.urgent == ()


def test_it_a_need_taken_out_takes_its_chosen_service_with_it(db: Session, cast: Cast) -> None:
    mind = make_service(db, cast.provider, needs=("MHW",))
    home = make_service(db, cast.other_provider, needs=("HOUSING",))
    draft = complete_draft(db, cast, {"MHW": mind, "HOUSING": home})
    ops.save_step(db, draft, "needs", {"needs": ["HOUSING"], "family_wants": "Help"}, utcnow())
    assert dict(draft.form.providers.chosen) == {"HOUSING": home.id}
    sent = ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(),
                            declared=True)
    assert [r.service_id for r in sent] == [home.id]


def test_it_sends_nothing_until_the_declaration_is_confirmed(db: Session, cast: Cast) -> None:
    draft = complete_draft(db, cast, {"MHW": make_service(db, cast.provider, needs=("MHW",))})
    with pytest.raises(InvalidInput) as refused:
        ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(), declared=False)
    assert refused.value.errors == {"declaration": "Confirm the declaration to send the referral"}
    assert draft.status is RequestStatus.DRAFT and not draft.referrals


@pytest.mark.parametrize("typed", ["hello", "BT1 1AA", "ZZ99 9ZZ"])
def test_it_checks_the_home_postcode_with_the_search_messages(
    db: Session, cast: Cast, typed: str
) -> None:
    draft = _draft(db, cast)
    with pytest.raises(InvalidInput) as searched:
        place_postcode(db, typed, "postcode")
    with pytest.raises(InvalidInput) as referred:
        ops.save_child(db, draft, _child(postcode=typed), None, utcnow())
    assert referred.value.errors["home_postcode"] == searched.value.errors["postcode"]
    assert "child" not in draft.form.answered


def test_it_keeps_the_gazetteer_spelling_of_a_postcode(db: Session, cast: Cast) -> None:
    draft = _draft(db, cast)
    ops.save_child(db, draft, _child(postcode=" bl11se "), None, utcnow())
    assert draft.form.child.home_postcode == "BL1 1SE"


def test_it_refuses_over_long_answers_whole_and_never_cuts_them(
    db: Session, cast: Cast
) -> None:
    draft = _draft(db, cast)
    limit = TEXT_LIMITS["referral_form.strengths"]
    with pytest.raises(InvalidInput) as refused:
        ops.save_step(db, draft, "profile", {"strengths": "x" * 112_000}, utcnow())
    assert refused.value.errors["strengths"] == (
        f"Enter {limit:,} characters or fewer (you entered 112,000)")
    ops.save_step(db, draft, "profile", {"strengths": "x" * limit}, utcnow())
    assert len(draft.form.profile.strengths) == limit
    with pytest.raises(InvalidInput) as named:
        ops.save_child(db, draft, _child(first="A" * 101), None, utcnow())
    assert named.value.errors["first_name"] == "Enter 100 characters or fewer"
    db.flush()  # nothing over-long reached the database (a 500 on PostgreSQL before)


def test_it_lists_a_referrers_drafts_with_the_day_each_is_deleted(
    db: Session, cast: Cast
) -> None:
    now = utcnow()
    older = _draft(db, cast)
    ops.save_child(db, older, _child("Older"), None, now - timedelta(days=3))
    newer = _draft(db, cast)
    ops.save_child(db, newer, _child("Newer"), None, now)
    ops.save_step(db, newer, "needs", {"needs": ["MHW"], "family_wants": "Help"}, now)
    ops.start_request(db, secrets.token_hex(8), cast.dsl.id, cast.school.id, now)  # not mine
    listed = draft_ops.drafts_of(db, cast.staff.id, now, 30)
    assert [d.child_name for d in listed] == ["Newer Khan", "Older Khan"]
    # Each resumes at its first step not answered: parents and carers follow the child.
    assert listed[0].resume_step == "family" and listed[1].resume_step == "family"
    assert listed[1].deleted_after == older.updated_at + timedelta(days=30)
    # The child and the needs, and "What each service sees", complete at its defaults.
    assert listed[0].steps_done == 3


def test_it_deletes_a_draft_and_its_typed_details_but_never_a_sent_form(
    db: Session, cast: Cast
) -> None:
    draft = _draft(db, cast)
    ops.save_child(db, draft, _child(), None, utcnow())
    draft_ops.delete_draft(db, draft, actor(cast.staff), utcnow())
    assert db.get(ReferralRequest, draft.id) is None
    sent = complete_draft(db, cast, {"MHW": make_service(db, cast.provider, needs=("MHW",))})
    ops.refer_family(db, sent, sent.send_key, actor(cast.staff), utcnow(), declared=True)
    with pytest.raises(InvalidInput):
        draft_ops.delete_draft(db, sent, actor(cast.staff), utcnow())


def test_it_purges_a_draft_untouched_for_the_retention_period(db: Session, cast: Cast) -> None:
    now = utcnow()
    stale, fresh = _draft(db, cast), _draft(db, cast)
    ops.save_child(db, stale, _child("Stale"), None, now - timedelta(days=31))
    ops.save_child(db, fresh, _child("Fresh"), None, now - timedelta(days=29))
    db.flush()
    counts = purge(db, RetentionPolicy(draft_days=30), now)
    assert counts.drafts == 1
    assert db.get(ReferralRequest, stale.id) is None and db.get(ReferralRequest, fresh.id)


def test_it_starts_one_draft_from_search_with_what_the_search_knew(
    db: Session, cast: Cast
) -> None:
    mind = make_service(db, cast.provider, needs=("MHW",))
    choices = draft_ops.SearchChoices(
        postcode="BL1 1SE", age="9", school_id=str(cast.school.id),
        need_codes=["MHW", "HOUSING"], severity="moderate", urgent=True,
        chosen=[f"MHW:{mind.id}"])
    key = secrets.token_hex(12)
    first = draft_ops.start_from_search(db, key, cast.staff.id, cast.school.id, choices, utcnow())
    again = draft_ops.start_from_search(db, key, cast.staff.id, cast.school.id, choices, utcnow())
    assert first.id == again.id
    assert db.execute(select(func.count(ReferralRequest.id))).scalar_one() == 1
    carried = first.form.carried
    assert (carried.postcode, carried.age, carried.school_id) == ("BL1 1SE", 9, cast.school.id)
    assert carried.need_codes == ("MHW", "HOUSING") and carried.urgent
    assert dict(carried.services) == {"MHW": mind.id}
    # Offered, not answered (a step whose empty answer is its default is never missing).
    assert ops.missing_steps(first) == [s for s in STEPS if s not in DEFAULTED_STEPS]


@pytest.mark.parametrize("tampered", [
    {"need_codes": ["NOPE"]}, {"need_codes": []}, {"age": "99999999999999999999"},
    {"school_id": "99999999999999999999"}, {"chosen": ["MHW:99999999999999999999"]},
    {"chosen": ["MHW:not-a-number"]}, {"postcode": "B" * 21},
])
def test_it_refuses_a_tampered_search_post(
    db: Session, cast: Cast, tampered: dict[str, object]
) -> None:
    values: dict[str, object] = {"postcode": "BL1 1SE", "need_codes": ["MHW"]} | tampered
    with pytest.raises(InvalidInput):
        draft_ops.start_from_search(db, secrets.token_hex(12), cast.staff.id, cast.school.id,
                                    draft_ops.SearchChoices(**values), utcnow())  # type: ignore[arg-type]
    assert db.execute(select(func.count(ReferralRequest.id))).scalar_one() == 0


def test_it_explains_a_flag_in_words() -> None:
    assert flag_reasons(False, False, RiskLevel.MEDIUM.rank) == []
    assert flag_reasons(True, True, RiskLevel.HIGH.rank) == [
        "the child is missing education", "there are concerns about attendance",
        "a risk was assessed as high"]


def test_it_answers_read_drops_urgency_for_needs_no_longer_chosen() -> None:
    raw = {"needs": {"needs": [{"code": "MHW", "priority": 2}]},
           "urgency": {"urgent": ["MHW", "SEND"]},
           "providers": {"MHW": 3, "SEND": 4}}
    answers = Answers.read(raw)
    assert answers.needs.urgent_codes == ["MHW"]
    assert answers.urgency.urgent == ("MHW",)
    assert dict(answers.providers.chosen) == {"MHW": 3}


def test_it_takes_strengths_not_known_and_tells_the_provider_so(db: Session, cast: Cast) -> None:
    draft = _draft(db, cast)
    with pytest.raises(InvalidInput) as refused:
        ops.save_step(db, draft, "profile", {"strengths": "  "}, utcnow())
    assert "does not know them yet" in refused.value.errors["strengths"]
    ops.save_step(db, draft, "profile", {"strengths": "", "strengths_not_known": "yes"},
                  utcnow())
    profile = draft.form.profile
    assert profile.strengths_not_known and profile.strengths_words == "Not known"
    # Typed strengths win over the tick: the provider sees what the school wrote.
    ops.save_step(db, draft, "profile", {"strengths": "Drawing", "strengths_not_known": "yes"},
                  utcnow())
    assert not draft.form.profile.strengths_not_known
    assert draft.form.profile.strengths_words == "Drawing"
