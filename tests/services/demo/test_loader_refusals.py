"""The demo loader on an empty database: the first load, and records it refuses."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from sqlalchemy.orm import Session

from services.demo.dataset import SchoolSpec, read_dataset
from services.demo.loader import DemoDataError, load_demo
from services.version import current_version

NOW = datetime(2025, 3, 3, 9, 30)
DATASET = read_dataset()
SERVICES = DATASET.services


def test_it_bumps_the_directory_version_on_the_first_load(db: Session) -> None:
    before = current_version(db)
    load_demo(db, now=NOW)
    assert current_version(db) > before


def test_it_names_a_postcode_missing_from_the_gazetteer_in_the_error(db: Session) -> None:
    # BL1 1AA is not a real postcode, so the gazetteer only knows its district.
    missing = SchoolSpec("nowhere", "199999", "Nowhere School", "primary", "Nowhere", "BL1 1AA")
    with pytest.raises(DemoDataError, match="BL1 1AA"):
        load_demo(db, now=NOW, dataset=replace(DATASET, schools=(missing,)))
    db.rollback()


def test_it_names_the_record_an_operation_refuses(db: Session) -> None:
    broken = replace(SERVICES[0], min_age=12, max_age=5)
    with pytest.raises(DemoDataError, match="Early Help family support: max_age"):
        load_demo(db, now=NOW, dataset=replace(DATASET, services=(broken,)))
    db.rollback()
