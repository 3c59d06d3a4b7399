"""Hub requests: the school's staff or the coordinator agree or decline."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals.audit import AuditEvent
from services.listings import ServiceSchool
from tests.factories import Cast, login, make_service


def _request(db: Session, cast: Cast) -> ServiceSchool:
    service = make_service(db, cast.provider, name="Sleep clinic", hubs=(cast.school,),
                           hubs_requested=True)
    db.commit()
    return service.hubs[0]


def test_it_the_schools_staff_agree_and_the_service_then_runs_there(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    link = _request(db, cast)
    login(client, cast.staff)
    page = client.get("/hub-requests").get_data(as_text=True)
    assert "Sleep clinic" in page and "Agree" in page
    response = client.post(f"/hub-requests/{link.id}/agree", follow_redirects=True)
    assert f"Agreed: Sleep clinic runs at {cast.school.name}." in response.get_data(
        as_text=True)
    db.expire_all()
    assert link.agreed and link.agreed_by_name == f"{cast.staff.name}, {cast.school.name}"
    audited = db.execute(select(AuditEvent.action, AuditEvent.actor_id)
                         .where(AuditEvent.action.startswith("hub_"))).all()
    assert audited == [(f"hub_agreed: service {link.service_id} school {cast.school.id}",
                        cast.staff.id)]
    assert "No requests are waiting." in client.get("/hub-requests").get_data(as_text=True)


def test_it_another_schools_staff_and_providers_cannot_decide(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    link = _request(db, cast)
    login(client, cast.other_staff)
    assert "Sleep clinic" not in client.get("/hub-requests").get_data(as_text=True)
    assert client.post(f"/hub-requests/{link.id}/agree").status_code == 404
    assert client.post(f"/hub-requests/{link.id}/decline").status_code == 404
    provider = client.application.test_client()
    login(provider, cast.manager)
    assert provider.get("/hub-requests").status_code == 403
    assert provider.post(f"/hub-requests/{link.id}/agree").status_code == 403
    db.expire_all()
    assert not link.agreed


def test_it_the_coordinator_declines_a_request_and_it_is_gone(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    link = _request(db, cast)
    login(client, cast.coordinator)
    assert cast.school.name in client.get("/hub-requests").get_data(as_text=True)
    response = client.post(f"/hub-requests/{link.id}/decline", follow_redirects=True)
    assert "Declined: Sleep clinic is not listed at" in response.get_data(as_text=True)
    db.expire_all()
    assert db.execute(select(ServiceSchool)).scalars().all() == []
    assert client.post(f"/hub-requests/{link.id}/agree").status_code == 404
    assert client.post("/hub-requests/99999999999999999999/agree").status_code == 404
