"""The search page and the ORUK API answer a need the same way (one need rule)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from hub.caches import snapshot_cache
from hub.search.operations import SearchCriteria, search_services
from services.oruk import ids
from tests.factories import Cast, login, make_service
from tests.services.oruk.directory import PREFIX


def test_it_finds_the_same_services_for_a_child_need_on_the_page_and_through_the_api(
        app: Flask, client: FlaskClient, db: Session, cast: Cast) -> None:
    parent = make_service(db, cast.provider, name="Declares the parent need", needs=("MHW",))
    child = make_service(db, cast.provider, name="Declares the child need", needs=("MHW.ANX",))
    sibling = make_service(db, cast.provider, name="Declares a sibling need",
                           needs=("MHW.PARENT",))
    db.commit()
    expected = {parent.name, child.name}

    outcome = search_services(db, snapshot_cache(app).get(db).index(),
                              SearchCriteria(need_codes=("MHW.ANX",), postcode="BL1 1SE"))
    searched = {match.service.name for match in outcome.result.needs[0].matches}

    api = set()
    for term in (ids.term_id("MHW.ANX"), "MHW.ANX"):
        body = client.get(f"{PREFIX}/services?taxonomy_term_id={term}").get_json()
        api.add(frozenset(item["name"] for item in body["contents"]))

    login(client, cast.staff)
    page = client.post("/search", data={"postcode": "BL1 1SE", "needs": ["MHW.ANX"]})
    html = page.get_data(as_text=True)
    on_page = {name for name in (parent.name, child.name, sibling.name) if name in html}

    assert searched == expected
    assert api == {frozenset(expected)}
    assert on_page == expected
