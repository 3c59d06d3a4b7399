"""Who the help is for is a rule: a service only for parents or carers is left out of a
search for a child's help, with its reason, and listed for a parent's."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import Cast, login, make_service


def _search(client: FlaskClient, help_for: str) -> str:
    response = client.post("/search", data={
        "postcode": "BL1 1SE", "needs": ["MHW.ANX"], "age": "9", "radius": "5", "mode": "",
        "help_for": help_for})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_it_leaves_a_parents_only_service_out_of_a_childs_search_with_its_reason(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    make_service(db, cast.provider, name="Mothers wellbeing group", needs=("MHW.ANX",),
                 free_places=9, typical_wait_days=0, audiences=("parent",))
    make_service(db, cast.provider, name="Anxiety team for children", needs=("MHW.ANX",),
                 free_places=1, typical_wait_days=30, audiences=("child",))
    make_service(db, cast.provider, name="Whole family worker", needs=("MHW.ANX",),
                 free_places=1, typical_wait_days=30, audiences=("family",))
    db.commit()
    login(client, cast.staff)
    for_child = _search(client, "")  # the default: the child
    assert "Who is the help for?" in for_child
    assert "for parents or carers, not children" in for_child
    assert for_child.index("Anxiety team for children") < for_child.index(
        "Mothers wellbeing group")
    assert for_child.index("Whole family worker") < for_child.index("Mothers wellbeing group")
    assert for_child.index("for parents or carers, not children") > for_child.index(
        "Mothers wellbeing group")
    for_parent = _search(client, "parent")
    assert "for parents or carers, not children" not in for_parent
    assert "for children and young people, not parents or carers" in for_parent
    assert for_parent.index("Mothers wellbeing group") < for_parent.index(
        "Anxiety team for children")
    assert for_parent.index("Whole family worker") < for_parent.index(
        "Anxiety team for children")
