"""Text that providers type reaches school staff's pages escaped, even inside scripts."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import Cast, login, make_service

BREAKOUT = "Parenting</script><form id=injected action=/logout method=post>"


def test_it_a_service_name_cannot_break_out_of_the_search_map_data(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    make_service(db, cast.provider, name=BREAKOUT, needs=("MHW",), postcode="BL1 1SE")
    db.commit()
    login(client, cast.staff)
    response = client.post("/search", data={
        "postcode": "BL1 1SE", "needs": "MHW", "radius": "5",
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "results-map-data" in html, "the search found nothing, so the map was not drawn"
    assert "<form id=injected" not in html
