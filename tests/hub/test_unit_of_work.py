"""One unit of work per request: the hook commits, rolls back, then delivers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.form_errors import show_on_form
from hub.search.forms import SearchForm
from hub.unit_of_work import session
from services.errors import InvalidInput
from services.organisations import Organisation, OrganisationKind
from tests.factories import Cast, login

HUB = Path(__file__).resolve().parents[2] / "hub"


def _organisation(name: str) -> Organisation:
    return Organisation(name=name, kind=OrganisationKind.VOLUNTARY)


def _organisations(db: Session) -> int:
    return db.execute(select(func.count()).select_from(Organisation)).scalar_one()


def _add_district_route(app: Flask, fail_with: int | None = None) -> None:
    """A view that writes a row, then answers normally or fails."""

    def write() -> tuple[str, int]:
        session().add(_organisation("ZZ98"))
        session().flush()
        if fail_with == 500:
            raise RuntimeError("the view failed after writing")
        return "written", fail_with or 200

    app.add_url_rule(f"/_test/write/{fail_with}", f"write_{fail_with}", write)


def test_it_commits_a_views_writes_when_the_view_succeeds(app: Flask, db: Session) -> None:
    _add_district_route(app)
    before = _organisations(db)
    assert app.test_client().get("/_test/write/None").status_code == 200
    db.rollback()  # read what another connection would see
    assert _organisations(db) == before + 1


def test_it_rolls_back_a_views_writes_when_the_view_raises(app: Flask, db: Session) -> None:
    app.testing = False  # as in production: the error page, not the exception
    _add_district_route(app, fail_with=500)
    before = _organisations(db)
    response = app.test_client().get("/_test/write/500")
    assert response.status_code == 500
    assert "Sorry, there is a problem" in response.get_data(as_text=True)
    db.rollback()
    assert _organisations(db) == before


def test_it_shows_the_error_page_after_a_failed_flush(
    app: Flask, db: Session, cast: Cast
) -> None:
    """A flush that fails leaves the session needing a rollback; the 500 page (whose
    header reads the signed-in user) must still render."""
    app.testing = False

    def duplicate() -> str:
        session().add(_organisation("ZZ97"))
        session().add(_organisation("ZZ97"))
        session().flush()
        return "unreachable"

    app.add_url_rule("/_test/duplicate", "duplicate", duplicate)
    client = app.test_client()
    login(client, cast.staff)
    response = client.get("/_test/duplicate")
    assert response.status_code == 500
    assert cast.staff.name in response.get_data(as_text=True)


def test_it_commits_a_refused_pages_earlier_writes_but_not_the_refused_ones(
    app: Flask, db: Session
) -> None:
    """A 4xx page the view rendered after a refusal keeps what came before the
    operation (an audited read) and drops the operation's own writes."""

    def refused_after_write() -> tuple[str, int]:
        from hub.form_errors import refuse

        session().add(_organisation("ZZ95"))
        session().flush()
        refuse(InvalidInput({"name": "Enter a name"}))
        return "refused", 400

    app.add_url_rule("/_test/refused", "refused", refused_after_write)
    before = _organisations(db)
    assert app.test_client().get("/_test/refused").status_code == 400
    db.rollback()
    assert _organisations(db) == before


def test_it_puts_errors_beside_fields_and_keeps_unknown_ones_above_the_form(
    app: Flask,
) -> None:
    with app.test_request_context(method="POST", data={"postcode": "nonsense"}):
        form = SearchForm()
        show_on_form(form, InvalidInput({"postcode": "Enter a real postcode",
                                         "no_such_field": "Something else went wrong",
                                         "": "The whole form was refused"}))
        assert form.postcode.errors == ["Enter a real postcode"]
        assert form.form_errors == ["Something else went wrong", "The whole form was refused"]
        assert form.postcode.data == "nonsense"  # nothing typed is lost


@pytest.mark.parametrize("path", sorted(p for p in HUB.rglob("*.py")), ids=str)
def test_it_commits_only_in_the_request_hook_and_commands(path: Path) -> None:
    # Commands and background jobs are entry points of their own, with no request hook.
    allowed = ({HUB / "unit_of_work.py"} | set((HUB / "commands").rglob("*.py"))
               | set((HUB / "jobs").rglob("*.py")))
    if path in allowed:
        return
    text = path.read_text()
    assert not re.search(r"\.commit\(\)", text), f"{path} commits; leave it to the hook"
