"""Error pages: a concurrent change is "already done" (409); the 500 page is styled and
is shown even when rendering it fails."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.orm.exc import StaleDataError


def test_it_shows_a_conflict_as_already_done_not_a_server_error(app: Flask) -> None:
    app.testing = False

    def raced() -> str:
        raise StaleDataError("UPDATE statement on table 'referral' expected to update 1 row")

    app.add_url_rule("/_test/raced", "raced", raced)
    response = app.test_client().get("/_test/raced")
    assert response.status_code == 409
    assert "This was already done" in response.get_data(as_text=True)


def test_it_shows_a_styled_500_page_even_when_the_page_itself_fails(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.testing = False

    def broken() -> str:
        raise RuntimeError("a bug")

    app.add_url_rule("/_test/broken", "broken", broken)
    import hub.error_pages

    def failing_render(*args: object, **kwargs: object) -> str:
        raise RuntimeError("the template failed too")

    monkeypatch.setattr(hub.error_pages, "render_template", failing_render)
    response = app.test_client().get("/_test/broken")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page
    assert "/static/govuk/govuk-frontend.min.css" in page
