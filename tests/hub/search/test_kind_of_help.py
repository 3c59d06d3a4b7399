"""The search page asks how serious and urgent, what kind of help and for whom, and
shows every part of the score with its reason."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import Cast, login, make_service


def _search(client: FlaskClient, **fields: object) -> str:
    data = {"postcode": "BL1 1SE", "needs": ["MHW.EATING"], "age": "15", "radius": "5",
            "mode": ""}
    data.update(fields)
    response = client.post("/search", data=data)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_it_ranks_by_seriousness_urgency_and_kind_asked_with_each_reason(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    make_service(db, cast.provider, name="Drop-in nurses", needs=("MHW",), free_places=9,
                 typical_wait_days=0, kinds=("advice",), audiences=("child",),
                 level="universal")
    make_service(db, cast.provider, name="Eating disorder team", needs=("MHW.EATING",),
                 free_places=1, waitlist=3, typical_wait_days=40, postcode="BL3 5HH",
                 kinds=("treatment",), audiences=("child", "family"), level="specialist")
    make_service(db, cast.provider, name="Closed clinic", needs=("MHW.EATING",),
                 accepting=False, free_places=0, kinds=("treatment",), level="specialist")
    db.commit()
    login(client, cast.staff)
    page = _search(client, severity="high", urgency="urgent", kind="", help_for="")
    for question in ("How serious is it?", "How urgent is it?", "Kind of help",
                     "Who is the help for?"):
        assert question in page
    order = [page.index(name) for name in ("Eating disorder team", "Drop-in nurses",
                                             "Closed clinic")]
    assert order == sorted(order)
    for reason in ("specialist: eating difficulties", "general: mental health and wellbeing",
                   "gives treatment or therapy", "specialist service; serious or at risk",
                   "needs help now: places and waits count 2 times", "Not accepting referrals"):
        assert reason in page
    asked = _search(client, kind="advice")
    assert "gives advice and information, as asked" in asked
    refused = client.post("/search", data={"postcode": "BL1 1SE", "needs": ["MHW"],
                                            "severity": "terrible"})
    assert refused.status_code == 200
    assert "Not a valid choice" in refused.get_data(as_text=True) or "govuk-error" in (
        refused.get_data(as_text=True))
