"""The referral form's first step is titled and explained for whom the referral is about,
each title written once (routing/referrals/subjects.py)."""

from __future__ import annotations

from routing.referrals.answers import STEP_TITLES, step_titles
from routing.referrals.subjects import Subject


def test_it_titles_the_first_step_for_a_child_an_unborn_baby_or_a_parent() -> None:
    titles = {subject: step_titles(subject)["child"] for subject in Subject}
    assert titles == {Subject.CHILD: "About the child",
                      Subject.UNBORN: "About the unborn baby",
                      Subject.PARENT: "About the parent or carer"}
    assert STEP_TITLES["child"] == Subject.CHILD.step_title  # a child until told otherwise


def test_it_changes_only_the_first_steps_title() -> None:
    for subject in Subject:
        titles = step_titles(subject)
        assert list(titles) == list(STEP_TITLES)
        assert {k: v for k, v in titles.items() if k != "child"} == {
            k: v for k, v in STEP_TITLES.items() if k != "child"}


def test_it_gives_each_subject_its_own_hint() -> None:
    hints = {subject.step_hint for subject in Subject}
    assert len(hints) == len(Subject) and all(hints)
    assert "expected date of delivery" in Subject.UNBORN.step_hint
    assert "child" not in Subject.PARENT.step_hint
