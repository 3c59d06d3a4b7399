"""A search learns the directory's position from the signed-in user's statement (one
round trip): it reads the changes only when there are some, and shows every change
committed elsewhere on the next search page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from hub import create_app
from hub.settings import settings_of
from routing.referrals import capacity as places
from services.capacity_ops import update_capacity
from services.listings import Service
from services.version import bump_version
from tests.factories import Cast, login, make_service

SEARCH = {"postcode": "BL1 1SE", "needs": ["MHW"], "radius": "5"}


@contextmanager
def _statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements ``app`` sends meanwhile."""
    from hub.extensions import db as handle

    with app.app_context():
        engine = handle.engine
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


@contextmanager
def _other_worker(app: Flask) -> Iterator[tuple[Flask, FlaskClient]]:
    """A second instance of the app on the same database (another gunicorn worker)."""
    other = create_app(settings_of(app))
    yield other, other.test_client()
    with other.app_context():
        from hub.extensions import db as handle

        handle.engine.dispose()


def _search(client: FlaskClient) -> str:
    response = client.post("/search", data=SEARCH)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="results-map"' in page, page[:2000]
    return page


def test_it_shows_changes_committed_through_another_worker_in_the_next_search(
    app: Flask, db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, name="Harbour Counselling", free_places=3)
    db.commit()
    with _other_worker(app) as (_other, client):
        login(client, cast.staff)
        assert "3 places free" in _search(client)
        update_capacity(db, service, accepting=True, free_places=7, waitlist_length=0,
                        typical_wait_days=None, user_id=cast.worker.id, user_name="Sam")
        db.commit()
        assert "7 places free" in _search(client)
        assert places.take_place(db, service.id)
        db.commit()
        assert "6 places free" in _search(client)
        # A structural change: the renamed service on the very next page.
        renamed = db.get(Service, service.id)
        assert renamed is not None
        renamed.name = "Harbour Talking Therapies"
        bump_version(db)
        db.commit()
        page = _search(client)
        assert "Harbour Talking Therapies" in page
        assert "Harbour Counselling" not in page


def test_it_reads_the_position_only_with_the_user_while_nothing_changes(
    app: Flask, db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, free_places=3)
    db.commit()
    with _other_worker(app) as (other, client):
        login(client, cast.staff)
        _search(client)  # the postcode placed, the directory read
        with _statements(other) as sent:
            _search(client)
        assert len(sent) == 1, sent
        assert "directory_version" in sent[0] and "user" in sent[0]
        update_capacity(db, service, accepting=True, free_places=4, waitlist_length=0,
                        typical_wait_days=None, user_id=cast.worker.id, user_name="Sam")
        db.commit()
        with _statements(other) as sent:
            page = _search(client)
        # The user's statement saw a new position: the changes are read after it.
        assert "capacity_change" in sent[1] and len(sent) <= 3, sent  # 3: measured waits
        assert "4 places free" in page
