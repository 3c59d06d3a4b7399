"""One ORUK import run, as the ``flask oruk import`` command and the nightly feed
sync job both do it: read the source and import it in one transaction."""

from __future__ import annotations

from pathlib import Path

from hub.database import one_transaction, start_writing
from hub.extensions import db
from hub.settings import now
from services.oruk.importer import ImportReport, import_records, load_mapping


def source_name_of(source: str, given: str | None = None) -> str:
    """The name an import's records are keyed by: ``given``, else the URL, else the
    file's absolute path."""
    if given:
        return given
    return source if source.startswith(("http://", "https://")) else str(Path(source).resolve())


def import_source(source: str, name: str, mapping: Path | None = None,
                  modified_after: str | None = None, dry_run: bool = False,
                  agree_hubs: bool = False) -> ImportReport:
    """Import ``source`` (a feed URL, JSON file or CSV folder) as ``name``; kept only
    when it was read to the end, something was imported or withdrawn, and not
    ``dry_run``. ``agree_hubs``: the schools agreed to the co-location the source
    states (else each is a request for the school to agree).

    Raises services.oruk.sources.SourceError when the source cannot be read to the
    end and services.oruk.importer.MappingError for a bad mapping: nothing is kept.
    """
    from services.oruk.sources import read_source

    # Read, clean, compare and stage every record before taking a write lock (on
    # SQLite the database's one): providers' capacity saves wait only for the
    # publishing (services.oruk.importer.Importer.run).
    with one_transaction(db.engine, read_first=True) as work:
        feed = read_source(source, modified_after=modified_after)
        report = import_records(work, feed, name, load_mapping(mapping), agree_hubs, now(),
                                before_writing=lambda: start_writing(work))
        if not dry_run and report.imported + report.withdrawn:
            work.commit()
    return report
