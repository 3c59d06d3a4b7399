"""Every worker sees a directory change on its next request, without restarting."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from hub import create_app
from hub.caches import snapshot_cache
from hub.settings import settings_of
from routing.engine import FamilyQuery, NeedRequest
from services.capacity_ops import update_capacity
from services.db import utcnow
from tests.factories import Cast, login, make_service


def _free_places(app: Flask, session: Session, service_id: int) -> int:
    index = snapshot_cache(app).get(session).index()
    record = index.service(service_id)
    assert record is not None
    return record.free_places


def test_it_a_second_worker_sees_a_capacity_change_made_by_the_first(
    app: Flask, db: Session, cast: Cast
) -> None:
    service = make_service(db, cast.provider, free_places=2)
    db.commit()
    other_worker = create_app(settings_of(app))
    assert _free_places(other_worker, db, service.id) == 2
    update_capacity(db, service, accepting=True, free_places=6, waitlist_length=0,
                    typical_wait_days=None, user_id=cast.worker.id, user_name="Sam")
    db.commit()
    assert _free_places(other_worker, db, service.id) == 6


def test_it_the_index_is_reused_while_nothing_changes(app: Flask, db: Session, cast: Cast) -> None:
    make_service(db, cast.provider)
    db.commit()
    first = snapshot_cache(app).get(db).index()
    assert snapshot_cache(app).get(db).index() is first


def test_it_search_and_referral_matching_use_the_same_engine_rules(
    app: Flask, db: Session, cast: Cast
) -> None:
    full = make_service(db, cast.provider, name="Closed", accepting=False)
    db.commit()
    index = snapshot_cache(app).get(db).index()
    home = (full.location.easting, full.location.northing)  # type: ignore[union-attr]
    browse = FamilyQuery(needs=(NeedRequest("MHW"),), now=utcnow(), home=home,
                         require_accepting=False, require_system_referrals=False)
    refer = FamilyQuery(needs=(NeedRequest("MHW"),), now=utcnow(), home=home)
    assert [m.service.id for m in index.route(browse).needs[0].matches] == [full.id]
    assert index.route(refer).needs[0].matches == ()


def test_it_the_search_page_lists_are_kept_per_version_and_follow_a_change(
    app: Flask, db: Session, cast: Cast
) -> None:
    from hub.caches import directory_snapshot
    from services.taxonomy import Need
    from services.taxonomy_ops import update_need

    other_worker = create_app(settings_of(app))
    with other_worker.test_request_context():
        first = directory_snapshot(db).lookups
        assert ("MHW", first.need_names["MHW"]) in first.need_choices
    with other_worker.test_request_context():
        assert directory_snapshot(db).lookups is first  # reused while the version stands
    need = db.get(Need, "MHW")
    assert need is not None
    update_need(db, need, name="Emotional wellbeing", description="", active=True)
    db.commit()
    with other_worker.test_request_context():
        after = directory_snapshot(db).lookups
        assert after.version > first.version
        assert after.need_names["MHW"] == "Emotional wellbeing"
        assert ("MHW", "Emotional wellbeing") in after.need_choices
        assert [n.name for n in after.needs if n.code == "MHW"] == ["Emotional wellbeing"]


def test_it_the_needs_checkboxes_are_rendered_once_and_follow_a_renamed_need(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    from services.taxonomy import Need
    from services.taxonomy_ops import update_need

    login(client, cast.staff)
    first = client.get("/search").get_data(as_text=True)
    again = client.get("/search").get_data(as_text=True)
    assert "Mental health and wellbeing" in first
    assert _needs_fieldset(first) == _needs_fieldset(again)
    need = db.get(Need, "MHW")
    assert need is not None
    update_need(db, need, name="Emotional wellbeing", description="", active=True)
    db.commit()
    after = client.get("/search").get_data(as_text=True)
    assert "Emotional wellbeing" in _needs_fieldset(after)
    assert "Mental health and wellbeing" not in _needs_fieldset(after)
    ticked = client.post("/search", data={"postcode": "BL1 1SE", "needs": ["MHW"]})
    assert 'value="MHW" checked' in _needs_fieldset(ticked.get_data(as_text=True))


def _needs_fieldset(page: str) -> str:
    start = page.index("What does the family need help with?")
    return page[start:page.index("</fieldset>", start)]
