"""Imported services with no mapped need wait for the coordinator's triage."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.referrals.audit import AuditEvent
from routing.referrals.lifecycle import Actor
from routing.snapshot import read_directory
from services.errors import InvalidInput
from services.listings import Service
from services.oruk.importer import import_records
from services.triage import (
    NeedKeywordRule,
    Suggester,
    assign_needs,
    keyword_rules,
    save_keyword_rules,
    services_to_triage,
    split_keywords,
)
from tests.factories import Cast

NOW = datetime(2026, 12, 1, 9, 0)


def council(ref: str, name: str, description: str = "", **fields: Any) -> dict[str, Any]:
    """A council's ORUK 1.0 detail record with no taxonomy at all."""
    record: dict[str, Any] = {
        "id": ref, "name": name, "description": description, "status": "active",
        "organization": {"id": "council", "name": "Feed Council"},
        "service_at_locations": [{"id": f"sal-{ref}", "location": {"addresses": [
            {"address_1": "Victoria Square", "city": "Bolton", "postal_code": "BL1 1SE"}]}}],
    }
    record.update(fields)
    return record


def actor(cast: Cast) -> Actor:
    return Actor(cast.coordinator.id, cast.coordinator.name, None, "Hub")


def test_it_imports_a_council_feed_without_taxonomy_as_needs_not_assigned_and_unroutable(
        db: Session, cast: Cast) -> None:
    report = import_records(db, [council("1", "Autism parent support group",
                                         "<p>Monthly group for parents of autistic children."
                                         "</p>"),
                                 council("2", "Stay and play")], "council")
    db.commit()
    assert (report.created, report.needs_not_assigned, report.skipped) == (2, 2, [])
    assert report.as_json()["needs_not_assigned"] == 2
    waiting = services_to_triage(db)
    assert [s.name for s in waiting] == ["Autism parent support group", "Stay and play"]
    assert all(s.needs_triage and s.need_codes == [] for s in waiting)
    names = {s.name for s in read_directory(db).snapshot.services}
    assert not names & {"Autism parent support group", "Stay and play"}


def test_it_maps_the_dfe_and_lga_vocabularies_by_default(db: Session, cast: Cast) -> None:
    record = council("1", "Speech group", attributes=[{"taxonomy_term": {
        "id": "x", "name": "Speech, language and communication needs"}}])
    other = council("2", "Debt clinic", attributes=[{"taxonomy_term": {
        "id": "y", "name": "Debt advice", "taxonomy": "esd needs"}}])
    report = import_records(db, [record, other], "council")
    assert (report.created, report.needs_not_assigned) == (2, 0)
    codes = {s.name: s.need_codes for s in db.execute(select(Service)).scalars()}
    assert codes["Speech group"] == ["SEND.SPEECH"]
    assert codes["Debt clinic"] == ["MONEY.DEBT"]


def test_it_suggests_needs_by_whole_words_most_matches_first() -> None:
    suggester = Suggester({"SEND.AUTISM": ["autism", "autistic"], "SEND": ["send"],
                           "MONEY.DEBT": ["debt"], "HEALTH": ["health"]})
    assert suggester.suggest("Autism parent group",
                             "For parents of autistic children; SEND advice") == [
        "SEND.AUTISM"]
    # "healthy" is not "health"; "sending" is not "send".
    assert suggester.suggest("Healthy lunches", "sending letters") == []
    assert suggester.suggest("Debt and health", "debt advice") == ["MONEY.DEBT", "HEALTH"]


def test_it_confirms_needs_in_bulk_audited_and_then_routes_them(
        db: Session, cast: Cast) -> None:
    import_records(db, [council("1", "Autism group"), council("2", "Food bank")], "council")
    db.commit()
    first, second = services_to_triage(db)
    assert assign_needs(db, actor(cast), NOW, {first.id: ["SEND.AUTISM"],
                                               second.id: ["MONEY.FOOD", "MONEY"]}) == 2
    db.commit()
    assert (first.needs_triage, first.need_codes) == (False, ["SEND.AUTISM"])
    assert second.need_codes == ["MONEY", "MONEY.FOOD"]
    audited = db.execute(select(AuditEvent.subject_id, AuditEvent.detail, AuditEvent.actor_id)
                         .where(AuditEvent.action == "needs_assigned")
                         .order_by(AuditEvent.id)).all()
    assert audited == [(str(first.id), "SEND.AUTISM", cast.coordinator.id),
                       (str(second.id), "MONEY, MONEY.FOOD", cast.coordinator.id)]
    names = {s.name for s in read_directory(db).snapshot.services}
    assert {"Autism group", "Food bank"} <= names
    assert services_to_triage(db) == []
    # The feed still maps no need: the coordinator's needs are kept, nothing changes.
    again = import_records(db, [council("1", "Autism group"), council("2", "Food bank")],
                           "council")
    assert (again.unchanged, again.needs_not_assigned) == (2, 0)
    assert first.need_codes == ["SEND.AUTISM"] and not first.needs_triage


def test_it_refuses_a_confirmation_without_needs_or_for_a_service_not_waiting(
        db: Session, cast: Cast) -> None:
    import_records(db, [council("1", "Autism group")], "council")
    db.commit()
    (service,) = services_to_triage(db)
    with pytest.raises(InvalidInput) as empty:
        assign_needs(db, actor(cast), NOW, {service.id: []})
    assert empty.value.errors == {f"needs-{service.id}": "Choose at least one need for "
                                  "this service"}
    with pytest.raises(InvalidInput) as unknown:
        assign_needs(db, actor(cast), NOW, {service.id: ["NOPE"]})
    assert unknown.value.errors == {f"needs-{service.id}": "Choose needs from the list"}
    with pytest.raises(InvalidInput) as gone:
        assign_needs(db, actor(cast), NOW, {service.id + 1000: ["MHW"]})
    assert "no longer waiting" in gone.value.errors[""]
    with pytest.raises(InvalidInput):
        assign_needs(db, actor(cast), NOW, {})
    assert service.needs_triage


def test_it_keeps_the_coordinators_keyword_rules_in_the_database(
        db: Session, cast: Cast) -> None:
    assert "autism" in keyword_rules(db)["SEND.AUTISM"]
    assert save_keyword_rules(db, actor(cast), NOW, {
        "SEND.AUTISM": "Autism, ASC\n autism ,  neurodivergent", "MHW": ""}) == 2
    db.commit()
    rules = keyword_rules(db)
    assert rules["SEND.AUTISM"] == ["autism", "asc", "neurodivergent"]
    assert rules["MHW"] == []
    stored = db.get(NeedKeywordRule, "SEND.AUTISM")
    assert stored is not None and stored.updated_by_name == f"{cast.coordinator.name}, Hub"
    audited = db.execute(select(AuditEvent.subject_id).where(
        AuditEvent.action == "need_keywords_changed")).scalars().all()
    assert sorted(audited) == ["MHW", "SEND.AUTISM"]
    assert save_keyword_rules(db, actor(cast), NOW, {"SEND.AUTISM": "autism, asc, "
                                                      "neurodivergent"}) == 0
    with pytest.raises(InvalidInput) as long:
        save_keyword_rules(db, actor(cast), NOW, {"HEALTH": "x" * 2001})
    assert long.value.errors == {"keywords-HEALTH": "Keywords must be 2,000 characters or "
                                 "fewer"}


def test_it_splits_keywords_on_commas_and_lines() -> None:
    assert split_keywords(" Food  bank,\nfoodbank,, FOOD BANK ") == ["food bank", "foodbank"]
