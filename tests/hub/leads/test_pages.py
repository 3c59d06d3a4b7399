"""Lead practitioner pages: the caseload, appointing, handing over and ending through the
forms, a link worker's scope, and the lead named to providers and to the family."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.leads import operations as ops
from routing.leads.models import LeadPractitioner
from routing.referrals.audit import AuditEvent
from routing.referrals.models import Referral
from routing.referrals.outbox import OutboxMessage
from services.accounts.models import Role, User
from services.db import utcnow
from tests.factories import Cast, login, make_service, make_user
from tests.routing.referrals.helpers import actor, issue_link, sent_referral

BORN = {"dob-day": "14", "dob-month": "3", "dob-year": "2015"}


def _client(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    login(client, user)
    return client


def _link_worker(db: Session, cast: Cast) -> User:
    # Employed by an organisation that also provides services and receives referrals.
    return make_user(db, Role.LINK_WORKER, cast.provider, "link@example.test", "Lina Worker")


def _lead(db: Session, cast: Cast, referral: Referral, user: User,
          phone: str = "01204 333 444") -> LeadPractitioner:
    data = ops.AppointInput(user_id=user.id, family_agreed=True,
                            family_agreement="Dad, by phone", phone=phone)
    return ops.appoint_lead(db, referral.child, data, actor(cast.staff),
                            f"key-{referral.child_id}-{user.id}", utcnow())


def test_school_staff_appoint_a_lead_through_the_form_and_the_lead_is_told(
    app: Flask, db: Session, cast: Cast
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    worker = _link_worker(db, cast)
    db.commit()
    client = _client(app, cast.staff)
    page = client.get(f"/caseload/children/{referral.child_id}").get_data(as_text=True)
    assert "Appoint a lead practitioner" in page and "Lina Worker (Link worker" in page
    key = re.search(r'name="start_key" value="([^"]+)"', page)
    assert key is not None
    form = {"start_key": key.group(1), "user_id": str(worker.id),
            "family_agreement": "Mum, at parents' evening", "phone": "07700 900 123"}
    refused = client.post(f"/caseload/children/{referral.child_id}/appoint", data=form)
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "only if the family agrees" in text
    assert "Mum, at parents&#39; evening" in text  # what was typed is kept
    done = client.post(f"/caseload/children/{referral.child_id}/appoint",
                       data={**form, "family_agreed": "yes"})
    assert done.status_code == 302
    again = client.post(f"/caseload/children/{referral.child_id}/appoint",
                        data={**form, "family_agreed": "yes"})
    assert again.status_code == 302  # a double click appoints once
    leads = db.execute(select(LeadPractitioner)).scalars().all()
    assert [lead.user_id for lead in leads] == [worker.id]
    assert db.execute(select(OutboxMessage).where(
        OutboxMessage.recipient == worker.email)).scalars().one()
    child_page = client.get(f"/referrals/children/{referral.child_id}").get_data(as_text=True)
    assert "Lina Worker (Link worker" in child_page
    assert "Lead practitioner appointed" in child_page  # on the child's timeline


def test_another_schools_staff_cannot_appoint_or_see_the_lead_page(
    app: Flask, db: Session, cast: Cast
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    db.commit()
    client = _client(app, cast.other_staff)
    assert client.get(f"/caseload/children/{referral.child_id}").status_code == 403
    response = client.post(f"/caseload/children/{referral.child_id}/appoint",
                           data={"start_key": "k" * 24, "user_id": str(cast.other_staff.id),
                                 "family_agreed": "yes", "family_agreement": "Mum"})
    assert response.status_code == 403
    assert db.execute(select(LeadPractitioner)).first() is None


def test_a_link_worker_sees_only_the_children_they_lead_for(
    app: Flask, db: Session, cast: Cast
) -> None:
    led = sent_referral(db, cast, make_service(db, cast.provider))
    led.child.subject = "parent"  # the caseload says whom each record is about
    other = sent_referral(db, cast, make_service(db, cast.provider))
    worker = _link_worker(db, cast)
    _lead(db, cast, led, worker)
    db.commit()
    client = _client(app, worker)
    caseload = client.get("/caseload").get_data(as_text=True)
    assert led.child.name in caseload and other.child.name not in caseload
    assert f"{led.child.about_words}. {cast.school.name};" in caseload
    assert led.service.name in caseload
    page = client.get(f"/caseload/children/{led.child_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert led.reference in text and "Hand over to another person" in text
    assert "Appoint a lead practitioner" not in text
    assert "full record" not in text
    # Nothing else: no other child, no child record, no referral page or list, no admin,
    # even though the link worker's organisation received both referrals.
    assert client.get(f"/caseload/children/{other.child_id}").status_code == 403
    for path in (f"/referrals/children/{led.child_id}", f"/referrals/{led.id}",
                 f"/referrals/{other.id}", "/referrals/inbox", "/referrals/stuck",
                 "/admin", "/admin/users", "/provider/services", "/safeguarding",
                 "/notifications/outbox",
                 "/hub-requests"):
        assert client.get(path).status_code == 403, path
    assert client.get("/referrals").location.endswith("/caseload")
    nav = client.get("/caseload").get_data(as_text=True)
    assert ">My caseload<" in nav and ">Manage<" not in nav
    assert db.execute(select(AuditEvent).where(
        AuditEvent.action == "lead_page_viewed", AuditEvent.actor_id == worker.id,
        AuditEvent.child_id == led.child_id)).first() is not None


def test_a_link_worker_hands_over_and_loses_access(app: Flask, db: Session, cast: Cast) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    worker = _link_worker(db, cast)
    _lead(db, cast, referral, worker)
    db.commit()
    client = _client(app, worker)
    path = f"/caseload/children/{referral.child_id}"
    refused = client.post(f"{path}/handover", data={"user_id": str(cast.dsl.id), "note": ""})
    assert refused.status_code == 400
    assert "Write a handover note" in refused.get_data(as_text=True)
    done = client.post(f"{path}/handover",
                       data={"user_id": str(cast.dsl.id), "note": "Line one\nLine two"})
    assert done.status_code == 302 and done.location.endswith("/caseload")
    assert client.get(path).status_code == 403
    lead = ops.current_lead(db, referral.child_id)
    assert lead is not None and lead.user_id == cast.dsl.id
    message = db.execute(select(OutboxMessage).where(
        OutboxMessage.recipient == cast.dsl.email)).scalars().one()
    assert message.link_path == path and referral.child.last_name not in message.service_name
    dsl_page = _client(app, cast.dsl).get(path).get_data(as_text=True)
    assert "Line one\nLine two" in dsl_page and "hub-preserve-lines" in dsl_page


def test_school_staff_end_the_role_with_a_reason(app: Flask, db: Session, cast: Cast) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    _lead(db, cast, referral, cast.dsl)
    db.commit()
    client = _client(app, cast.staff)
    path = f"/caseload/children/{referral.child_id}"
    assert client.post(f"{path}/end", data={"reason": ""}).status_code == 400
    assert client.post(f"{path}/end", data={"reason": "Family moved away"}).status_code == 302
    assert ops.current_lead(db, referral.child_id) is None
    page = client.get(path).get_data(as_text=True)
    assert "Family moved away" in page and "Appoint a lead practitioner" in page


def test_the_caseload_page_shows_whats_stuck(app: Flask, db: Session, cast: Cast) -> None:
    from datetime import timedelta

    referral = sent_referral(db, cast, make_service(db, cast.provider),
                             now=utcnow() - timedelta(days=30))
    _lead(db, cast, referral, cast.staff)
    db.commit()
    page = _client(app, cast.staff).get("/caseload").get_data(as_text=True)
    assert referral.child.name in page and "Not opened" in page


@pytest.mark.parametrize("phone, tel", [("01204 333 444", "tel:01204333444"), ("", None)])
def test_the_provider_page_names_the_lead_with_tel_and_mailto_links(
    app: Flask, db: Session, cast: Cast, phone: str, tel: str | None
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    worker = make_user(db, Role.LINK_WORKER, cast.other_provider, "link@example.test",
                       "Lina Worker")
    cast.other_provider.phone = "01204 555 666"
    _lead(db, cast, referral, worker, phone=phone)
    db.commit()
    page = _client(app, cast.manager).get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "Lead practitioner" in page and "Lina Worker" in page
    assert "Link worker, Bolton Families Charity" in page
    assert f'href="{tel or "tel:01204555666"}"' in page
    assert 'href="mailto:link@example.test"' in page


def test_the_provider_page_says_when_there_is_no_lead(
    app: Flask, db: Session, cast: Cast
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    db.commit()
    page = _client(app, cast.manager).get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "The family has no lead practitioner" in page


def test_the_family_page_names_the_lead_and_the_school_with_tel_and_mailto_links(
    app: Flask, db: Session, cast: Cast
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    cast.school.organisation.phone = "01204 000 111"
    cast.school.organisation.email = "office@castlehill.example.test"
    _lead(db, cast, referral, cast.dsl, phone="+44 7700 900 123")
    _, token = issue_link(db, referral.child_id, cast.staff)
    db.commit()
    page = app.test_client().post(f"/progress/{token}", data=BORN).get_data(as_text=True)
    assert "Your lead practitioner" in page and cast.dsl.name in page
    assert 'href="tel:+447700900123"' in page and f'href="mailto:{cast.dsl.email}"' in page
    assert 'href="tel:01204000111"' in page
    assert 'href="mailto:office@castlehill.example.test"' in page


def test_the_family_page_has_no_lead_section_without_a_lead_or_before_the_check(
    app: Flask, db: Session, cast: Cast
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    _, token = issue_link(db, referral.child_id, cast.staff)
    db.commit()
    client = app.test_client()
    assert "lead practitioner" not in client.post(
        f"/progress/{token}", data=BORN).get_data(as_text=True).lower()
    _lead(db, cast, referral, cast.dsl)
    db.commit()
    wrong = client.post(f"/progress/{token}", data={**BORN, "dob-year": "2014"})
    assert cast.dsl.name not in wrong.get_data(as_text=True)


def test_a_coordinator_creates_a_link_worker_for_an_organisation(
    app: Flask, db: Session, cast: Cast
) -> None:
    client = _client(app, cast.coordinator)
    user = {"name": "Lee Link", "email": "lee@example.test", "role": "link_worker",
            "password": "a long enough password"}
    refused = client.post("/admin/users/new",
                          data={**user, "organisation_id": cast.school.organisation.id})
    assert refused.status_code == 200 or refused.status_code == 400
    assert "Link worker accounts must belong" in refused.get_data(as_text=True)
    done = client.post("/admin/users/new", data={**user, "organisation_id": cast.other_provider.id})
    assert done.status_code == 302
    created = db.execute(select(User).where(User.email == "lee@example.test")).scalar_one()
    assert created.role is Role.LINK_WORKER


def test_a_deactivated_lead_is_not_named_and_staff_are_asked_to_hand_over(
    app: Flask, db: Session, cast: Cast
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    worker = _link_worker(db, cast)
    _lead(db, cast, referral, worker)
    _, token = issue_link(db, referral.child_id, cast.staff)
    worker.active = False
    db.commit()
    provider_page = _client(app, cast.manager).get(f"/referrals/{referral.id}")
    assert "Lina Worker" not in provider_page.get_data(as_text=True)
    family = app.test_client().post(f"/progress/{token}", data=BORN).get_data(as_text=True)
    assert "Lina Worker" not in family
    staff_page = _client(app, cast.staff).get(f"/caseload/children/{referral.child_id}")
    assert "Hand over to someone else" in staff_page.get_data(as_text=True)


def test_a_provider_sees_who_leads_on_the_childs_page_but_not_the_notes(
    app: Flask, db: Session, cast: Cast
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    lead = _lead(db, cast, referral, cast.dsl)
    ops.hand_over(db, lead, cast.staff.id, "Dad works nights: call after 2pm", "",
                  actor(cast.dsl), utcnow())
    db.commit()
    page = _client(app, cast.manager).get(f"/referrals/children/{referral.child_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert cast.staff.name in text and "Dad works nights" not in text
    assert f"/caseload/children/{referral.child_id}" not in text
    staff = _client(app, cast.staff).get(f"/referrals/children/{referral.child_id}")
    assert "Dad works nights" in staff.get_data(as_text=True)


def test_a_link_worker_can_use_the_directory_and_their_account(
    app: Flask, db: Session, cast: Cast
) -> None:
    client = _client(app, _link_worker(db, cast))
    assert client.get("/search").status_code == 200
    assert client.get("/account").status_code == 200


def test_deactivating_a_lead_asks_the_childs_school_to_hand_over(
    app: Flask, db: Session, cast: Cast
) -> None:
    referral = sent_referral(db, cast, make_service(db, cast.provider))
    worker = _link_worker(db, cast)
    lead = _lead(db, cast, referral, worker)
    db.commit()
    client = _client(app, cast.coordinator)
    response = client.post(f"/admin/users/{worker.id}/deactivate", follow_redirects=True)
    assert "lead practitioner for 1 child" in response.get_data(as_text=True)
    (message,) = db.execute(select(OutboxMessage).where(
        OutboxMessage.template == ops.UNAVAILABLE_TEMPLATE)).scalars()
    assert message.recipient == cast.dsl.email and message.reference == lead.reference
    assert message.link_path == f"/caseload/children/{referral.child_id}"
