"""The results say why a lower score can rank higher: fit comes before score."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import Cast, login, make_service


def test_it_explains_that_a_service_offering_the_need_itself_ranks_above_a_higher_score(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    make_service(db, cast.provider, name="Whole need service", needs=("MHW",),
                 free_places=0, waitlist=20, typical_wait_days=90, updated_days_ago=40)
    make_service(db, cast.provider, name="Anxiety specialist", needs=("MHW.ANX",),
                 free_places=9, typical_wait_days=1, updated_days_ago=0)
    db.commit()
    login(client, cast.staff)
    page = client.post("/search", data={"postcode": "BL1 1SE", "needs": ["MHW"], "age": "9",
                                        "radius": "5", "mode": ""}).get_data(as_text=True)
    whole, specialist = page.index(">Whole need service<"), page.index(">Anxiety specialist<")
    scores = [float(s) for s in re.findall(r"Why this rank \(score (-?[\d.]+)\)", page)]
    assert whole < specialist and scores[0] < scores[1]  # the order the rule explains
    rule = page.split('id="rank-rule">')[1].split("</p>")[0]
    assert "offering the need itself before a specialist in part of it" in rule
    assert page.index('id="rank-rule"') < whole
