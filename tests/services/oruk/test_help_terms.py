"""Kinds of help and audiences in Open Referral terms: published, and read back from
our feed and from ORUK 1.0 and service-type terms of other feeds."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.listings import Service
from services.oruk import help_terms
from services.oruk.importer import import_records
from tests.factories import Cast
from tests.services.oruk.directory import make_directory


def _record(**fields: Any) -> dict[str, Any]:
    return {"id": "feed-1", "name": "Feed counselling", "status": "active",
            "organization": {"id": "org-1", "name": "Feed charity"},
            "attributes": [{"taxonomy_term": {"id": "t1", "name": "Anxiety and low mood",
                                              "term": "MHW.ANX"}}], **fields}


def test_it_publishes_kinds_audiences_and_level_as_terms_and_in_our_extension(
    client: FlaskClient, db: Session, cast: Cast
) -> None:
    directory = make_directory(db, cast)
    body = client.get(f"/api/oruk/v3/services/{directory.counselling.uuid}").get_json()
    terms = [a["taxonomy_term"] for a in body["attributes"]]
    kinds = [t for t in terms if t["taxonomy"] == help_terms.KIND_TAXONOMY]
    assert [(t["term"], t["name"], t["code"]) for t in kinds] == [
        ("assessment", "Assessment", "Assessment"),
        ("treatment", "Treatment or therapy", "Counselling")]
    assert [t["term"] for t in terms if t["taxonomy"] == help_terms.AUDIENCE_TAXONOMY] == [
        "child"]
    assert body["family_hub"]["kinds_of_help"] == ["assessment", "treatment"]
    assert body["family_hub"]["help_for"] == ["child"]
    assert body["family_hub"]["level_of_need"] == "specialist"


def test_it_reads_oruk_1_deliverable_types_and_service_type_terms_without_calling_them_unmapped(
    db: Session, cast: Cast
) -> None:
    records = [
        _record(deliverable_type="Counselling"),
        _record(id="feed-2", name="Feed advice", attributes=[
            *_record()["attributes"],
            {"taxonomy_term": {"id": "t2", "name": "Information", "taxonomy": "Service Type"}},
            {"taxonomy_term": {"id": "t3", "name": "Parent or carer", "term": "parent",
                               "taxonomy": help_terms.AUDIENCE_TAXONOMY}},
        ]),
        _record(id="feed-3", name="Feed unknown kind", deliverable_type="Permission"),
    ]
    report = import_records(db, records, "feed")
    db.commit()
    assert report.created == 3
    assert report.unmapped_terms == {}
    saved = {s.name: s for s in db.execute(select(Service)).scalars()}
    assert saved["Feed counselling"].help_kinds == ["treatment"]
    assert (saved["Feed advice"].help_kinds, saved["Feed advice"].audiences) == (
        ["advice"], ["parent"])
    assert saved["Feed unknown kind"].help_kinds == []
