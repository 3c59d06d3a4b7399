"""Need-to-know sharing over HTTP: the referrer chooses on the form what each service
sees; each provider's page shows only that, and always how to reach the family."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals.models import Referral
from tests.factories import Cast, login, make_service

SELF_HARM = "Scratched his arms twice this term"
NOTES = "Child in need plan until July"
AVOID = "Do not leave voicemails"


def _client(app: Flask, user) -> FlaskClient:  # type: ignore[no-untyped-def]
    client = app.test_client()
    login(client, user)
    return client


def _refer(app: Flask, staff: FlaskClient, speech_id: int, camhs_id: int,
           sharing: dict[str, list[str]] | None) -> tuple[str, str]:
    """Fill the form through its pages and send it; the draft's base address and its
    check-your-answers page."""
    page = staff.get("/referrals/new").get_data(as_text=True)
    key = re.search(r'name="start_key" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    base = staff.post("/referrals/new", data={"start_key": key}).location.rsplit("/", 1)[0]
    steps = [
        ("child", {"first_name": "Leo", "last_name": "Ramsbottom", "dob-day": "22",
                   "dob-month": "10", "dob-year": "2015", "home_postcode": "BL2 3HL",
                   "attendance_concern": "yes", "missing_education": "no"}),
        ("needs", {"needs": ["SEND.SPEECH", "MHW"], "family_wants": "To be understood",
                   "resources": "Polish interpreter"}),
        ("urgency", {}),
        ("profile", {"strengths": "Train timetables", "avoid": "Loud rooms"}),
        ("risk", {"to_self_level": "medium", "to_self_mitigation": SELF_HARM,
                  "to_others_level": "none", "from_others_level": "none"}),
        ("safeguarding", {"significant_harm": "no", "notes": NOTES}),
        ("consent", {"lawful_basis": "consent", "family_agreed": "yes",
                     "agreed_by": "Parent"}),
        ("family", {"carer-0-name": "Jo Ramsbottom", "carer-0-relationship": "Mother",
                    "carer-0-parental_responsibility": "yes",
                    "carer-0-phone": "07700 900982"}),
        ("contact", {"person": "carer-0", "ways": ["phone", "text"], "times": "After 4pm",
                     "avoid": AVOID}),
        ("providers", {"need-SEND.SPEECH": str(speech_id), "need-MHW": str(camhs_id)}),
    ]
    for step, data in steps:
        response = staff.post(f"{base}/{step}", data=data)
        assert response.status_code == 302, (step, response.get_data(as_text=True)[-1500:])
    # Choosing services leads to "What each service sees", then to check your answers.
    assert response.location.endswith("/sharing")
    if sharing is not None:
        shown = staff.get(f"{base}/sharing").get_data(as_text=True)
        assert "What Speech therapy sees" in shown and "What CAMHS sees" in shown
        response = staff.post(f"{base}/sharing", data=sharing)
        assert response.status_code == 302 and response.location.endswith("/check")
    check = staff.get(f"{base}/check").get_data(as_text=True)
    assert "What Speech therapy sees" in check
    send_key = re.search(r'name="send_key" value="([^"]+)"', check).group(1)  # type: ignore[union-attr]
    assert staff.post(f"{base}/check", data={"send_key": send_key,
                                                    "declaration": "yes"}).status_code == 302
    return base, check


def test_it_shows_each_provider_only_what_was_shared_and_always_how_to_reach_the_family(
    app: Flask, db: Session, cast: Cast
) -> None:
    speech = make_service(db, cast.provider, name="Speech therapy", needs=("SEND.SPEECH",))
    camhs = make_service(db, cast.other_provider, name="CAMHS", needs=("MHW",))
    db.commit()
    staff = _client(app, cast.staff)
    _refer(app, staff, speech.id, camhs.id, {
        f"share-{speech.id}": ["needs", "profile", "work_risk"],
        f"share-{camhs.id}": ["needs", "profile", "work_risk", "safeguarding",
                              "self_others_risk"],
    })
    to_speech = db.execute(select(Referral).where(Referral.service_id == speech.id)).scalar_one()
    to_camhs = db.execute(select(Referral).where(Referral.service_id == camhs.id)).scalar_one()

    therapist = _client(app, cast.manager).get(f"/referrals/{to_speech.id}")
    page = therapist.get_data(as_text=True)
    assert therapist.status_code == 200
    assert "To be understood" in page and "Train timetables" in page
    assert SELF_HARM not in page and NOTES not in page
    assert 'id="reach-family"' in page and AVOID in page and "After 4pm" in page
    assert cast.staff.email in page and cast.school.name in page
    # Nor on the child's page: the attendance marker is a safeguarding note.
    child = _client(app, cast.manager).get(f"/referrals/children/{to_speech.child_id}")
    assert "Attendance concern" not in child.get_data(as_text=True)
    assert "Flagged" not in _client(app, cast.manager).get("/referrals/inbox").get_data(
        as_text=True)

    other = _client(app, cast.other_manager)
    shared = other.get(f"/referrals/{to_camhs.id}").get_data(as_text=True)
    assert SELF_HARM in shared and NOTES in shared and AVOID in shared
    assert "Attendance concern" in other.get(
        f"/referrals/children/{to_camhs.child_id}").get_data(as_text=True)

    # The referrer sees all of it, and what the therapists were not shown.
    mine = staff.get(f"/referrals/{to_speech.id}").get_data(as_text=True)
    assert SELF_HARM in mine and NOTES in mine
    assert "The service is not shown" in mine and "Safeguarding notes" in mine


def test_it_shares_the_defaults_when_the_referrer_keeps_them(
    app: Flask, db: Session, cast: Cast
) -> None:
    speech = make_service(db, cast.provider, name="Speech therapy", needs=("SEND.SPEECH",))
    camhs = make_service(db, cast.other_provider, name="CAMHS", needs=("MHW",))
    db.commit()
    staff = _client(app, cast.staff)
    _, check = _refer(app, staff, speech.id, camhs.id, None)
    assert "Not shared: Safeguarding notes, Risk to self or others." in check
    to_camhs = db.execute(select(Referral).where(Referral.service_id == camhs.id)).scalar_one()

    page = _client(app, cast.other_manager).get(f"/referrals/{to_camhs.id}").get_data(
        as_text=True)
    assert "Polish interpreter" in page and "Loud rooms" in page
    assert SELF_HARM not in page and NOTES not in page and AVOID in page


def test_it_keeps_the_choice_made_when_the_form_was_sent(
    app: Flask, db: Session, cast: Cast
) -> None:
    speech = make_service(db, cast.provider, name="Speech therapy", needs=("SEND.SPEECH",))
    camhs = make_service(db, cast.other_provider, name="CAMHS", needs=("MHW",))
    db.commit()
    staff = _client(app, cast.staff)
    base, _ = _refer(app, staff, speech.id, camhs.id, {f"share-{speech.id}": ["needs"]})
    # Sent: the form cannot be changed any more.
    assert staff.post(f"{base}/sharing", data={f"share-{speech.id}": ["everything"]}
                      ).status_code == 302
    to_speech = db.execute(select(Referral).where(Referral.service_id == speech.id)).scalar_one()
    assert to_speech.shared_sections == ["needs", "contact"]


def test_it_refuses_a_section_not_on_the_list_beside_the_service(
    app: Flask, db: Session, cast: Cast
) -> None:
    from tests.routing.referrals.helpers import complete_draft

    speech = make_service(db, cast.provider, name="Speech therapy", needs=("SEND.SPEECH",))
    draft = complete_draft(db, cast, {"SEND.SPEECH": speech})
    db.commit()
    staff = _client(app, cast.staff)
    refused = staff.post(f"/referrals/drafts/{draft.id}/sharing",
                         data={f"share-{speech.id}": ["needs", "everything"]})
    assert refused.status_code == 400
    assert "Choose what this service sees from the list" in refused.get_data(as_text=True)
    db.expire_all()
    assert "sharing" not in draft.form.answered
