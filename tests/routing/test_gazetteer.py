"""Geocoding from the offline gazetteer, and importing the open datasets."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from routing.gazetteer import importers
from routing.gazetteer.lookup import KnownPlaces, geocode
from routing.gazetteer.models import GazetteerDistrict, GazetteerPostcode
from routing.geo import InvalidPostcode, OutsideGreatBritain, UnknownPostcode

SHARED_GEO = Path(__file__).resolve().parents[3] / "shared" / "geo"
needs_shared = pytest.mark.skipif(
    not SHARED_GEO.exists(), reason="../shared/geo is not present (only on the team's machines)"
)


def test_it_geocodes_a_real_demo_area_postcode_with_no_network(db: Session) -> None:
    place = geocode(db, "bl11se")
    assert place.postcode == "BL1 1SE"
    assert not place.approximate
    assert place.latitude == pytest.approx(53.5774, abs=1e-3)


def test_it_falls_back_to_the_district_and_says_so(db: Session) -> None:
    place = geocode(db, "BL1 1AA")  # a valid format, but not a real postcode
    assert place.approximate
    district = db.get(GazetteerDistrict, "BL1")
    assert district is not None
    assert (place.easting, place.northing) == (district.easting, district.northing)


def test_it_refuses_a_district_nobody_knows(db: Session) -> None:
    with pytest.raises(UnknownPostcode):
        geocode(db, "ZZ9 9ZZ")


def test_it_refuses_postcodes_outside_great_britain(db: Session) -> None:
    with pytest.raises(OutsideGreatBritain):
        geocode(db, "BT1 1AA")


def test_it_refuses_malformed_input(db: Session) -> None:
    with pytest.raises(InvalidPostcode):
        geocode(db, "not a postcode")


def test_it_caches_an_online_geocoder_answer_in_the_gazetteer(db: Session) -> None:
    calls: list[str] = []

    def online(postcode: str) -> tuple[float, float] | None:
        calls.append(postcode)
        return (53.58, -2.43)

    assert db.get(GazetteerPostcode, "BL1 9ZX") is None
    place = geocode(db, "BL1 9ZX", online)
    assert not place.approximate
    assert calls == ["BL1 9ZX"]
    assert db.get(GazetteerPostcode, "BL1 9ZX") is not None
    db.rollback()


class _Reads:
    """Counts the statements a session sends (each a round trip on PostgreSQL)."""

    def __init__(self, db: Session) -> None:
        self.count = 0
        self._engine = db.get_bind()
        event.listen(self._engine, "before_cursor_execute", self._seen)

    def _seen(self, *args: object) -> None:
        self.count += 1

    def stop(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._seen)


def test_it_places_a_postcode_it_knows_without_reading_the_gazetteer(db: Session) -> None:
    known = KnownPlaces()
    first = geocode(db, "BL1 1SE", known=known)
    db.expunge_all()  # as the next request's session would start
    reads = _Reads(db)
    try:
        assert geocode(db, "bl11se", known=known) == first
    finally:
        reads.stop()
    assert reads.count == 0


def test_it_reads_a_known_postcode_again_after_an_hour(db: Session) -> None:
    now = [0.0]
    known = KnownPlaces(clock=lambda: now[0])
    geocode(db, "BL1 1SE", known=known)
    row = db.get(GazetteerPostcode, "BL1 1SE")
    assert row is not None
    row.easting += 100  # an import moved the centroid
    db.flush()
    now[0] = 3599.0
    assert geocode(db, "BL1 1SE", known=known).easting == row.easting - 100
    now[0] = 3601.0
    assert geocode(db, "BL1 1SE", known=known).easting == row.easting
    db.rollback()


def test_it_keeps_neither_a_district_centroid_nor_an_online_answer(db: Session) -> None:
    known = KnownPlaces()
    assert geocode(db, "BL1 1AA", known=known).approximate
    geocode(db, "BL1 9ZX", lambda postcode: (53.58, -2.43), known=known)
    assert known.get("BL1 1AA") is None and known.get("BL1 9ZX") is None
    db.rollback()


def test_it_imports_onspd_matching_renamed_columns_and_skipping_terminated(
    db: Session, tmp_path: Path
) -> None:
    path = tmp_path / "nspl.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["PCD7", "PCDS", "DOINTR", "DOTERM", "OSEAST1M", "OSNRTH1M", "LAT", "LONG"])
        writer.writerow(["WA145RZ", "WA14 5RZ", "198001", "", "376500", "388800", "53.39", "-2.35"])
        writer.writerow(["WA145ZZ", "WA14 5ZZ", "198001", "200105", "376600", "388900", "", ""])
        writer.writerow(["JE23AB", "JE2 3AB", "198001", "", "", "", "99.999999", "0"])
    report = importers.import_file(db, path)
    db.commit()
    assert report.loaded == 1
    assert report.skipped == {"terminated": 1, "not a GB postcode": 1}
    row = db.get(GazetteerPostcode, "WA14 5RZ")
    assert row is not None and row.source == "onspd"
    assert db.get(GazetteerPostcode, "WA14 5ZZ") is None
    assert db.get(GazetteerDistrict, "WA14") is not None
    _forget(db, "WA14")


def test_it_imports_codepoint_open_and_skips_rows_without_coordinates(
    db: Session, tmp_path: Path
) -> None:
    path = tmp_path / "wa.csv"
    path.write_text(
        '"WA15 6AA",10,377000,387000,"E92000001","","","","E08000009",""\n'
        '"WA15 6AB",90,0,0,"E92000001","","","","E08000009",""\n'
    )
    report = importers.import_file(db, path)
    db.commit()
    assert (report.loaded, report.skipped) == (1, {"no coordinates": 1})
    row = db.get(GazetteerPostcode, "WA15 6AA")
    assert row is not None and row.latitude == pytest.approx(53.38, abs=0.02)
    _forget(db, "WA15")


def test_it_importing_twice_changes_nothing(db: Session, tmp_path: Path) -> None:
    path = tmp_path / "wa.csv"
    path.write_text('"WA16 6AA",10,377000,377000,"E92000001","","","","E08000009",""\n')
    importers.import_file(db, path)
    importers.import_file(db, path)
    db.commit()
    rows = db.execute(select(GazetteerPostcode).where(GazetteerPostcode.outcode == "WA16"))
    assert len(rows.all()) == 1
    _forget(db, "WA16")


def test_it_rejects_a_file_that_is_not_a_postcode_dataset(db: Session, tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("name,colour\napple,red\n")
    with pytest.raises(importers.ImportFormatError):
        importers.import_file(db, path)


@needs_shared
def test_it_imports_the_real_trafford_onspd_extract(db: Session) -> None:
    path = SHARED_GEO / "trafford_postcodes.csv"
    with path.open(newline="") as handle:
        first = next(csv.DictReader(handle))
    report = importers.import_file(db, path)
    db.commit()
    assert report.loaded > 10_000
    place = geocode(db, first["postcode"])
    assert not place.approximate
    assert place.latitude == pytest.approx(float(first["lat"]), abs=1e-5)
    outcodes = db.execute(
        select(GazetteerPostcode.outcode).where(GazetteerPostcode.source == "onspd").distinct()
    ).scalars()
    _forget(db, *outcodes)


@needs_shared
def test_it_imports_the_real_codepoint_file_for_bolton(db: Session) -> None:
    report = importers.import_file(db, SHARED_GEO / "codepoint_open" / "bl.csv")
    db.commit()
    assert report.loaded > 10_000
    place = geocode(db, "BL1 1SE")
    assert (place.easting, place.northing) == (371540, 409063)


def _forget(db: Session, *outcodes: str) -> None:
    """Gazetteer rows survive between tests; remove what a test added."""
    db.query(GazetteerPostcode).filter(GazetteerPostcode.outcode.in_(outcodes)).delete()
    db.query(GazetteerDistrict).filter(GazetteerDistrict.outcode.in_(outcodes)).delete()
    db.commit()
