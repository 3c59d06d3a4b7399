"""``flask oruk import SOURCE`` and ``flask oruk export``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from hub.unit_of_work import session

oruk_cli = AppGroup("oruk", help="Open Referral UK: import feeds, export the directory.")



@oruk_cli.command("import")
@click.argument("source")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON object mapping feed term ids, codes or names to our need codes.")
@click.option("--dry-run", is_flag=True, help="Report what would happen; save nothing.")
def import_command(source: str, mapping: Path | None, dry_run: bool) -> None:
    """Import an ORUK 3.0/1.0 feed URL, a saved JSON file or an HSDS CSV folder."""
    from services.oruk.importer import MappingError, import_records, load_mapping
    from services.oruk.sources import SourceError, read_source

    try:
        report = import_records(session(), read_source(source), load_mapping(mapping))
    except (SourceError, MappingError) as error:
        session().rollback()
        raise click.ClickException(str(error)) from error
    if dry_run:
        session().rollback()
    else:
        session().commit()
    click.echo(report.summary())
    for label, reason in report.skipped:
        click.echo(f"skipped {label}: {reason}")
    for term, count in sorted(report.unmapped_terms.items()):
        click.echo(f"unmapped term {term!r} ({count} records)")
    for warning in report.warnings:
        click.echo(f"warning: {warning}")


@oruk_cli.command("export")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("oruk-export.json"), show_default=True)
@click.option("--tabular", type=click.Path(file_okay=False, path_type=Path),
              help="Also write the HSDS tabular package (CSV files) to this folder.")
def export_command(output: Path, tabular: Path | None) -> None:
    """Write the whole public directory as ORUK 3.0 JSON (and CSV)."""
    from services.oruk.exporter import write_json, write_tabular

    count = write_json(session(), output)
    click.echo(f"{output}: {count} services")
    if tabular is not None:
        write_tabular(session(), tabular)
        click.echo(f"{tabular}: {count} services (CSV)")
