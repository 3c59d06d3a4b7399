"""The subject access document reads a referral form's answers as lines, never a raw
dump, with the parents' and carers' details in them marked for redaction like the
family record's."""

from __future__ import annotations

from sqlalchemy.orm import Session

from routing.referrals.subject_access import OTHER_PERSON, Value, subject_access
from services.db import utcnow
from tests.factories import Cast, make_service
from tests.routing.referrals.helpers import sent_referral


def _lines(db: Session, child_id: int, title: str) -> list[tuple[str, Value]]:
    document = subject_access(db, child_id, utcnow())
    (section,) = [s for s in document.sections if s.title.startswith(title)]
    return [line for item in section.items for line in item]


def test_it_marks_the_carers_details_in_the_forms_answers(db: Session, cast: Cast) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    lines = _lines(db, referral.child_id, "Referral forms")
    assert not [(label, v.text) for label, v in lines if "{" in v.text or "[" in v.text]
    by_label = dict(lines)
    name = by_label["family: carers 1: name"]
    assert name.text == "Jo Jones" and name.redact == OTHER_PERSON
    assert by_label["family: carers 1: phone"].redact == OTHER_PERSON
    assert by_label["family: carers 1: relationship"].redact == ""  # the child's mother
    # Every carer detail the family record marks is marked here too.
    family = dict(_lines(db, referral.child_id, "Family:"))
    assert family["Parent or carer"].redact == name.redact
    assert family["Phone"].redact == OTHER_PERSON
    # The needs read as numbered lines, the child's own (not marked).
    assert by_label["needs: needs 1: code"].redact == ""


def test_it_marks_the_referrers_phone(db: Session, cast: Cast) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    answers = referral.request.answers
    referral.request.answers = answers | {
        "contact": answers.get("contact", {}) | {"referrer_phone": "01204 333444"}}
    db.flush()
    by_label = dict(_lines(db, referral.child_id, "Referral forms"))
    assert by_label["contact: referrer phone"].text == "01204 333444"
    assert by_label["contact: referrer phone"].redact == OTHER_PERSON
