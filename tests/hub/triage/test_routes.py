"""The coordinator's triage page: suggested needs, bulk confirmation, keyword rules."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals.audit import AuditEvent
from services.listings import Service
from services.oruk.importer import import_records
from tests.factories import Cast, login
from tests.services.test_triage import council


def _waiting(db: Session) -> tuple[Service, Service]:
    import_records(db, [council("1", "Autism parent group",
                                "Monthly group for parents of autistic children."),
                        council("2", "Wednesday lunch")], "council")
    db.commit()
    first, second = db.execute(select(Service).where(Service.needs_triage.is_(True))
                               .order_by(Service.id)).scalars()
    return first, second


def test_it_lists_waiting_services_with_suggested_needs_ticked(
        client: FlaskClient, db: Session, cast: Cast) -> None:
    first, second = _waiting(db)
    login(client, cast.coordinator)
    page = client.get("/triage").get_data(as_text=True)
    assert "2 services waiting." in page
    assert "Confirm Autism parent group" in page and "Confirm Wednesday lunch" in page
    assert (f'name="needs-{first.id}" type="checkbox" value="SEND.AUTISM" checked') in page
    assert f'name="needs-{second.id}"' not in page  # nothing suggested for it
    assert "No need suggested: choose one." in page


def test_it_confirms_the_ticked_services_and_keeps_typed_choices_on_an_error(
        client: FlaskClient, db: Session, cast: Cast) -> None:
    first, second = _waiting(db)
    login(client, cast.coordinator)
    refused = client.post("/triage", data={
        "shown": [first.id, second.id], "service": [first.id, second.id],
        f"needs-{first.id}": ["SEND.AUTISM"]})
    assert refused.status_code == 200
    body = refused.get_data(as_text=True)
    assert "Choose at least one need for this service" in body
    assert f'id="service-{second.id}" name="service" type="checkbox" value="{second.id}" checked' \
        in body
    db.expire_all()
    assert first.needs_triage and second.needs_triage
    done = client.post("/triage", data={
        "shown": [first.id, second.id], "service": [first.id, second.id],
        f"needs-{first.id}": ["SEND.AUTISM"], f"add-{second.id}": "ACTIVITY.HOLIDAY"},
        follow_redirects=True)
    assert "Needs confirmed for 2 services" in done.get_data(as_text=True)
    db.expire_all()
    assert (first.needs_triage, first.need_codes) == (False, ["SEND.AUTISM"])
    assert second.need_codes == ["ACTIVITY.HOLIDAY"]
    assert db.execute(select(AuditEvent.actor_id).where(
        AuditEvent.action == "needs_assigned")).scalars().all() == [cast.coordinator.id] * 2
    assert "No imported service is waiting" in client.get("/triage").get_data(as_text=True)


def test_it_refuses_others_and_bad_ids(client: FlaskClient, db: Session, cast: Cast) -> None:
    _waiting(db)
    login(client, cast.manager)
    assert client.get("/triage").status_code == 403
    assert client.get("/triage/rules").status_code == 403
    client.post("/logout")
    login(client, cast.coordinator)
    assert client.post("/triage", data={"service": "99999999999"}).status_code == 400
    assert client.post("/triage", data={"service": "x"}).status_code == 400
    assert client.get("/triage?page=0").status_code == 400


def test_it_edits_the_keyword_rules_and_suggests_by_them(
        client: FlaskClient, db: Session, cast: Cast) -> None:
    _first, second = _waiting(db)
    login(client, cast.coordinator)
    assert "autism, autistic" in client.get("/triage/rules").get_data(as_text=True)
    long = client.post("/triage/rules", data={"keywords-MONEY.FOOD": "x" * 2001})
    assert long.status_code == 400
    assert "Keywords must be 2,000 characters or fewer" in long.get_data(as_text=True)
    saved = client.post("/triage/rules", data={"keywords-MONEY.FOOD": "lunch, food bank"},
                        follow_redirects=True)
    assert "Keyword rules saved (1 changed)." in saved.get_data(as_text=True)
    page = client.get("/triage").get_data(as_text=True)
    assert f'name="needs-{second.id}" type="checkbox" value="MONEY.FOOD" checked' in page
