"""The family record's pages: the "Parents and carers" step, how the service reaches the
family, the family on the child's page, and what the family's own page leaves out."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from routing.referrals import operations as ops
from routing.referrals.audit import AuditEvent
from routing.referrals.family import family_of
from routing.referrals.family_models import Carer
from routing.referrals.models import Referral
from services.accounts.models import User
from services.db import utcnow
from tests.factories import Cast, login, make_service
from tests.routing.referrals.helpers import FAMILY, actor, complete_draft, issue_link

DAD = {"carer-1-name": "Darren Jones", "carer-1-relationship": "Father",
       "carer-1-parental_responsibility": "yes", "carer-1-phone": "07700 900111",
       "carer-1-do_not_contact": "yes",
       "carer-1-do_not_contact_reason": "Non-molestation order"}


def _client(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    login(client, user)
    return client


def _sent(db: Session, cast: Cast) -> Referral:
    service = make_service(db, cast.provider)
    draft = complete_draft(db, cast, {service.need_codes[0]: service})
    ops.save_step(db, draft, "family", FAMILY | DAD | {
        "carer-0-language": "Polish", "carer-0-interpreter": "yes",
        "carer-0-address": "1 Mill Street\nBolton"}, utcnow())
    ops.save_step(db, draft, "contact", {"person": "carer-0", "ways": ["phone", "letter"],
                                         "times": "Weekdays after 4pm",
                                         "referrer_phone": "01204 333444"}, utcnow())
    (referral,) = ops.refer_family(db, draft, draft.send_key, actor(cast.staff), utcnow(),
        declared=True)
    db.commit()
    return referral


def test_it_refuses_a_bad_number_beside_the_field_and_keeps_what_was_typed(
    app: Flask, db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider)
    draft = complete_draft(db, cast, {service.need_codes[0]: service})
    db.commit()
    staff = _client(app, cast.staff)
    url = f"/referrals/drafts/{draft.id}/family"
    page = staff.get(url).get_data(as_text=True)
    assert "Parent or carer 1" in page and "Brother or sister 1" in page
    response = staff.post(url, data=FAMILY | {"carer-0-phone": "ring me",
                                              "carer-0-email": "jo@",
                                              "carer-0-access_needs": "Step-free access"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r'id="carer-0-phone">.*Enter a phone number', page)
    assert re.search(r'id="carer-0-email">.*Enter an email address in the correct format', page)
    assert 'value="ring me"' in page and 'value="Jo Jones"' in page
    assert ">Step-free access</textarea>" in page
    # The draft still holds what was saved before, nothing half-typed.
    db.expire_all()
    assert draft.form.family.carers[0].phone == "07700900982"


def test_it_adds_another_persons_places_and_the_contact_step_lists_who_may_be_reached(
    app: Flask, db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider)
    draft = complete_draft(db, cast, {service.need_codes[0]: service})
    db.commit()
    staff = _client(app, cast.staff)
    url = f"/referrals/drafts/{draft.id}/family"
    more = staff.post(url, data=FAMILY | DAD | {"more": "yes"})
    assert more.status_code == 302 and more.location.endswith("/family")
    assert "Parent or carer 3" in staff.get(url).get_data(as_text=True)
    contact = staff.get(f"/referrals/drafts/{draft.id}/contact").get_data(as_text=True)
    assert "Jo Jones (Mother)" in contact and 'value="carer-1"' not in contact
    assert "Do not contact Darren Jones (Father): Non-molestation order" in contact
    refused = staff.post(f"/referrals/drafts/{draft.id}/contact",
                         data={"person": "carer-0", "ways": ["email"], "times": "Now"})
    assert refused.status_code == 400
    assert "There is no email address for Jo Jones" in refused.get_data(as_text=True)


def test_it_the_provider_sees_how_to_reach_the_family_and_the_referrer(
    app: Flask, db: Session, cast: Cast
) -> None:
    referral = _sent(db, cast)
    page = _client(app, cast.manager).get(f"/referrals/{referral.id}").get_data(as_text=True)
    section = page[page.index('id="reach-family"'):]
    assert "Jo Jones (Mother)" in section
    assert "Phone call: <span" in section and "07700 900982" in section
    assert "1 Mill Street\nBolton" in section  # the letter goes to the address, lines kept
    assert "needs a Polish interpreter" in section
    assert "Weekdays after 4pm" in section
    assert "Do not contact Darren Jones (Father): Non-molestation order" in section
    assert "900111" not in page  # nobody is told how to reach whom they must not
    assert cast.staff.name in section and cast.staff.email in section
    assert cast.school.name in section and "01204 333444" in section
    assert not re.search(r"Phone call\s*</li>", section)


def test_it_the_family_page_never_shows_carers(app: Flask, db: Session, cast: Cast) -> None:
    referral = _sent(db, cast)
    _, token = issue_link(db, referral.child_id, cast.staff)
    db.commit()
    page = app.test_client().post(f"/progress/{token}", data={
        "dob-day": "14", "dob-month": "3", "dob-year": "2015"}).get_data(as_text=True)
    assert referral.reference in page
    for private in ("Jo Jones", "Darren", "07700900982", "07700 900982", "Mill Street", "Polish",
                    "Non-molestation"):
        assert private not in page


def test_it_school_staff_correct_a_carer_on_the_childs_page(
    app: Flask, db: Session, cast: Cast
) -> None:
    referral = _sent(db, cast)
    carer = db.execute(select(Carer).where(Carer.name == "Jo Jones")).scalar_one()
    staff = _client(app, cast.staff)
    child_page = staff.get(f"/referrals/children/{referral.child_id}").get_data(as_text=True)
    assert "Do not contact Darren Jones: Non-molestation order" in child_page
    assert "Added by" in child_page
    url = f"/referrals/children/{referral.child_id}/carers/{carer.id}"
    typed = {f"carer-{k}": v for k, v in {
        "name": "Jo Jones", "relationship": "Mother", "parental_responsibility": "yes",
        "phone": "07700 900555", "language": "Polish", "interpreter": "yes"}.items()}
    refused = staff.post(url, data=typed | {"carer-email": "nope"})
    assert refused.status_code == 400 and 'value="nope"' in refused.get_data(as_text=True)
    assert staff.post(url, data=typed).status_code == 302
    page = staff.get(f"/referrals/children/{referral.child_id}").get_data(as_text=True)
    assert "07700 900555" in page and "Corrected (phone, address)" in page
    assert db.execute(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "carer_corrected", AuditEvent.child_id == referral.child_id)
    ).scalar_one() == 1
    # Another school, and the provider, may not change the family's record.
    assert _client(app, cast.other_staff).get(url).status_code == 403
    assert _client(app, cast.manager).get(url).status_code == 403
    provider_view = _client(app, cast.manager).get(
        f"/referrals/children/{referral.child_id}").get_data(as_text=True)
    assert "Correct" not in provider_view and 'id="family"' not in provider_view


def test_it_school_staff_add_a_carer_and_an_unknown_carer_is_404(
    app: Flask, db: Session, cast: Cast
) -> None:
    referral = _sent(db, cast)
    staff = _client(app, cast.staff)
    url = f"/referrals/children/{referral.child_id}/carers/new"
    added = staff.post(url, data={"carer-name": "Pat Jones", "carer-relationship": "Grandparent",
                                  "carer-parental_responsibility": "no"})
    assert added.status_code == 302
    assert db.execute(select(func.count(Carer.id)).where(Carer.name == "Pat Jones")
                      ).scalar_one() == 1
    assert staff.get(f"/referrals/children/{referral.child_id}/carers/99999999"
                     ).status_code == 404
    assert staff.get(f"/referrals/children/{referral.child_id}/carers/"
                     "999999999999999999999").status_code == 404


def test_it_links_only_a_sibling_the_school_may_see(
    app: Flask, db: Session, cast: Cast
) -> None:
    referral = _sent(db, cast)
    ours = _sent(db, cast)
    service = make_service(db, cast.provider, name="Elsewhere")
    theirs_draft = complete_draft(db, cast, {service.need_codes[0]: service})
    theirs_draft.school_id = cast.other_school.id
    (theirs,) = ops.refer_family(db, theirs_draft, theirs_draft.send_key,
                                 actor(cast.other_staff), utcnow(), declared=True)
    theirs.child.school_id = cast.other_school.id
    db.commit()
    staff = _client(app, cast.staff)
    page = staff.get(f"/referrals/children/{referral.child_id}").get_data(as_text=True)
    assert f'<option value="{ours.child_id}">' in page
    assert f'<option value="{theirs.child_id}">' not in page
    url = f"/referrals/children/{referral.child_id}/siblings"
    why = "Mum confirmed at parents' evening"
    assert staff.post(url, data={"sibling": str(theirs.child_id), "reason": why}
                      ).status_code == 302
    assert staff.post(url, data={"sibling": "9" * 30, "reason": why}).status_code == 302
    assert staff.get(f"{url}/confirm?sibling={theirs.child_id}").status_code == 302
    assert staff.post(url, data={"sibling": str(ours.child_id), "reason": why}
                      ).status_code == 302
    page = staff.get(f"/referrals/children/{referral.child_id}").get_data(as_text=True)
    assert f'href="/referrals/children/{ours.child_id}"' in page
    assert f'href="/referrals/children/{theirs.child_id}"' not in page


def test_it_links_no_sibling_until_one_is_chosen(app: Flask, db: Session, cast: Cast) -> None:
    referral = _sent(db, cast)
    other = _sent(db, cast)
    db.commit()
    staff = _client(app, cast.staff)
    page = staff.get(f"/referrals/children/{referral.child_id}").get_data(as_text=True)
    # The list starts on a prompt: one click on the button must not join two families.
    choices = page.split('id="f-sibling"')[1].split("</select>")[0]
    assert '<option value="" selected>Choose a child</option>' in choices
    assert f'<option value="{other.child_id}">' in choices
    url = f"/referrals/children/{referral.child_id}/siblings"
    refused = staff.post(url, data={"sibling": ""}, follow_redirects=True)
    assert "Choose a brother or sister from the list." in refused.get_data(as_text=True)
    page = staff.get(f"/referrals/children/{referral.child_id}").get_data(as_text=True)
    assert f'href="/referrals/children/{other.child_id}"' not in page


def test_it_check_your_answers_shows_the_agreed_contact_with_its_number(
    app: Flask, db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider)
    draft = complete_draft(db, cast, {service.need_codes[0]: service})
    ops.save_step(db, draft, "family", FAMILY | DAD, utcnow())
    ops.save_step(db, draft, "contact", {"person": "carer-0", "ways": ["phone", "text"],
                                         "times": "After 4pm"}, utcnow())
    db.commit()
    page = _client(app, cast.staff).get(f"/referrals/drafts/{draft.id}/check").get_data(
        as_text=True)
    assert "Jo Jones, Darren Jones" in page
    assert ("Jo Jones: Phone call (07700 900982), Text message (07700 900982); After 4pm. "
            "Do not contact Darren Jones") in page
    assert "Safe contact" not in page


def test_it_shows_both_children_before_linking_and_links_only_with_a_reason(
    app: Flask, db: Session, cast: Cast
) -> None:
    referral, other = _sent(db, cast), _sent(db, cast)
    staff = _client(app, cast.staff)
    base = f"/referrals/children/{referral.child_id}/siblings"
    confirm = staff.get(f"{base}/confirm?sibling={other.child_id}")
    assert confirm.status_code == 200
    page = confirm.get_data(as_text=True)
    for record in (referral.child, other.child):
        assert record.name in page and record.born_words in page
    assert "Jo Jones (Mother)" in page  # both families are this school's to see
    assert family_of(db, referral.child_id) != family_of(db, other.child_id)
    key = re.search(r'name="request_key" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    refused = staff.post(base, data={"sibling": str(other.child_id), "request_key": key})
    assert refused.status_code == 400
    assert 'id="reason-error"' in refused.get_data(as_text=True)
    assert family_of(db, referral.child_id) != family_of(db, other.child_id)
    form = {"sibling": str(other.child_id), "request_key": key, "reason": "Mum told us"}
    assert staff.post(base, data=form).status_code == 302
    assert staff.post(base, data=form).status_code == 302  # a double click: linked once
    db.expire_all()
    assert family_of(db, referral.child_id) == family_of(db, other.child_id)
    child_page = staff.get(f"/referrals/children/{referral.child_id}").get_data(as_text=True)
    history = child_page.split('id="sibling-history"', 1)[1].split("</ul>", 1)[0]
    assert history.count("<li>") == 1
    assert f"Linked to {other.child.name} by {cast.staff.name}" in history
    assert "Why: <span class=\"hub-pre-line\">Mum told us</span>" in history


def test_it_unlinks_after_showing_who_leaves_and_keeps_who_when_and_why(
    app: Flask, db: Session, cast: Cast
) -> None:
    referral, other = _sent(db, cast), _sent(db, cast)
    staff = _client(app, cast.staff)
    base = f"/referrals/children/{referral.child_id}/siblings"
    staff.post(base, data={"sibling": str(other.child_id), "reason": "Mum told us"})
    child_page = staff.get(f"/referrals/children/{referral.child_id}").get_data(as_text=True)
    url = f"{base}/{other.child_id}/unlink"
    assert f'href="{url}"' in child_page
    shown = staff.get(url).get_data(as_text=True)
    assert f"{other.child.name} gets a family record of their own again" in shown
    refused = staff.post(url, data={"reason": ""})
    assert refused.status_code == 400
    assert family_of(db, referral.child_id) == family_of(db, other.child_id)
    done = staff.post(url, data={"reason": "A different family"})
    assert done.status_code == 302
    db.expire_all()
    assert family_of(db, referral.child_id) != family_of(db, other.child_id)
    told = staff.get(done.location).get_data(as_text=True)
    assert "no longer linked as brothers or sisters" in told
    history = told.split('id="sibling-history"', 1)[1].split("</ul>", 1)[0]
    assert f"Unlinked from {other.child.name} by {cast.staff.name}" in history
    assert "A different family" in history
    # No longer in one family: nothing to unlink, and another school may not.
    assert staff.get(url).status_code == 404
    assert _client(app, cast.other_staff).post(url, data={"reason": "x"}).status_code in (
        403, 404)


def test_it_shows_another_schools_family_record_to_no_one_on_the_confirmation(
    app: Flask, db: Session, cast: Cast
) -> None:
    referral, moved = _sent(db, cast), _sent(db, cast)
    moved.child.school_id = cast.other_school.id  # referred by us; on another roll now
    db.commit()
    page = _client(app, cast.staff).get(
        f"/referrals/children/{referral.child_id}/siblings/confirm?sibling={moved.child_id}"
    ).get_data(as_text=True)
    assert moved.child.name in page and cast.other_school.name in page
    assert "Not shown: the family record is kept by the child" in page
    assert page.count("Jo Jones (Mother)") == 1  # only our own child's family
