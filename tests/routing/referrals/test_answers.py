"""The referral form's answers: one reader and one saver per step."""

from __future__ import annotations

from datetime import datetime

import pytest

from routing.referrals.answers import (
    URGENT,
    Answers,
    ConsentStep,
    ContactStep,
    NeedAnswer,
    NeedsStep,
    ProfileStep,
    ProvidersStep,
    RiskAnswer,
    RiskStep,
    SafeguardingStep,
    Step,
)

STEPS: list[Step] = [
    NeedsStep((NeedAnswer("MHW.ANX", URGENT), NeedAnswer("HOUSING")), "A calm home", "Interpreter"),
    ProfileStep("Drawing", "Short tasks", "Loud rooms"),
    RiskStep({"to_self": RiskAnswer("high", "Daily check-in"), "to_others": RiskAnswer("none")}),
    ConsentStep("consent", True, "Parent (mother)", 7, datetime(2026, 11, 30, 9, 15)),
    ContactStep(("phone", "school"), "After 3pm", "No voicemails"),
    SafeguardingStep(significant_harm=False),
    ProvidersStep({"MHW.ANX": 12, "HOUSING": 40}),
]


@pytest.mark.parametrize("step", STEPS, ids=lambda s: type(s).__name__)
def test_it_reads_back_each_step_as_saved(step: Step) -> None:
    saved = Answers.saved({"other": {"kept": True}}, step)
    answers = Answers.read(saved)
    assert step in [
        answers.needs, answers.profile, answers.risk, answers.consent, answers.contact,
        answers.safeguarding, answers.providers,
    ]
    assert saved["other"] == {"kept": True}  # other steps untouched


def test_it_reads_an_unanswered_form_as_empty_steps() -> None:
    answers = Answers.read(None)
    assert answers.needs.codes == []
    assert answers.risk.of("to_self") == RiskAnswer()
    assert answers.consent.recorded_at is None
    assert answers.answered == frozenset()


def test_it_knows_which_steps_are_answered_and_which_needs_are_urgent() -> None:
    raw = Answers.saved(None, STEPS[0])
    answers = Answers.read(raw)
    assert answers.answered == {"needs"}
    assert answers.needs.urgent_codes == ["MHW.ANX"]
    assert answers.needs.priorities == [("MHW.ANX", 1), ("HOUSING", 2)]


def test_it_ignores_malformed_parts_rather_than_failing() -> None:
    answers = Answers.read({"needs": "not an object", "risk": {"to_self": "high"},
                            "contact": {"ways": None}})
    assert answers.needs == NeedsStep()
    assert answers.risk.kinds == {}
    assert answers.contact.ways == ()
