"""Any JSON at all in a feed's records: the import reports, never crashes."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from services.oruk.importer import import_records
from tests.factories import Cast

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=12)
KEYS = st.sampled_from(["id", "name", "status", "organization", "attributes", "minimum_age",
                        "maximum_age", "url", "email", "service_at_locations", "schedules",
                        "languages", "phones", "service_areas", "cost_options", "family_hub",
                        "funding", "assured_date", "description", "fees"])
RECORD = st.builds(
    lambda extra: {"id": "x", "name": "Fuzzed", "organization": {"name": "Fuzz org"},
                   "attributes": [{"taxonomy_term": {"code": "MHW"}}], **extra},
    st.dictionaries(KEYS, JSON, max_size=5))


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(records=st.lists(RECORD, max_size=3))
def check(db: Session, records: list[dict[str, Any]]) -> None:
    report = import_records(db, records, "fuzz")
    assert report.imported + len(report.skipped) == len(records)
    db.rollback()


def test_it_never_crashes_on_any_json_in_a_record(db: Session, cast: Cast) -> None:
    check(db)
