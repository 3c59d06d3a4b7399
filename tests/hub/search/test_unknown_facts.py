"""Facts a provider has not stated: the search keeps a service whose ages are not
stated, ranks it below one that states them, says why, and shows "Not stated"."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import Cast, login, make_service


def _search(client: FlaskClient) -> str:
    response = client.post("/search", data={
        "postcode": "BL1 1SE", "needs": ["MHW.ANX"], "age": "9", "radius": "5", "mode": ""})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_it_ranks_a_service_with_ages_not_stated_below_a_stated_one_and_says_why(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    make_service(db, cast.provider, name="Ages unknown group", needs=("MHW.ANX",),
                 min_age=None, max_age=None, cost=None, languages=(), modes=())
    make_service(db, cast.provider, name="Ages stated group", needs=("MHW.ANX",),
                 min_age=5, max_age=11)
    db.commit()
    login(client, cast.staff)
    page = _search(client)
    stated, unknown = page.index(">Ages stated group<"), page.index(">Ages unknown group<")
    assert stated < unknown
    card = page[unknown:]
    assert "Ages: Not stated · Cost: Not stated · Delivered: Not stated · " \
           "Languages: Not stated" in card
    assert "Ages: 5 to 11 years · Cost: Free · Delivered: At a venue · " \
           "Languages: English" in page[stated:unknown]
    # "Why this rank" shows the part and its reason.
    assert re.search(r"Not stated</td><td[^>]*>-5\.0</td><td[^>]*>ages not stated by the "
                     r"provider</td>", card)
