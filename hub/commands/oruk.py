"""``flask oruk import SOURCE`` and ``flask oruk export``."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click
from flask.cli import AppGroup

from hub.unit_of_work import session

oruk_cli = AppGroup("oruk", help="Open Referral UK: import feeds, export the directory.")



@oruk_cli.command("import")
@click.argument("source")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON object mapping feed term ids, codes or names to our need codes.")
@click.option("--source-name", help="Name the source is known by (default: SOURCE as given). "
              "Records are matched only to earlier imports of the same source name.")
@click.option("--modified-after", type=click.DateTime(["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]),
              help="Ask the feed only for services changed since (UTC). Nothing is "
              "withdrawn: the feed is not read in full.")
@click.option("--agree-hubs", is_flag=True,
              help="The schools agreed to host what the feed says runs at them (else "
              "each is a request the school agrees to on its hub requests page).")
@click.option("--dry-run", is_flag=True, help="Report what would happen; save nothing.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the whole report (every skip reason and warning) as JSON here.")
def import_command(source: str, mapping: Path | None, source_name: str | None,
                   modified_after: datetime | None, agree_hubs: bool, dry_run: bool,
                   report_path: Path | None) -> None:
    """Import an ORUK 3.0/1.0 feed URL, a saved JSON file or an HSDS CSV folder.

    The whole import is one transaction: it is kept only if it reads the source
    to the end without error, and never with --dry-run. Exits 1 on an error or
    when no record was imported.
    """
    from hub.jobs.feeds import import_source, source_name_of
    from services.oruk.importer import FIRST_REASONS, MappingError
    from services.oruk.sources import SourceError

    since = f"{modified_after.isoformat()}Z" if modified_after else None
    try:
        report = import_source(source, source_name_of(source, source_name), mapping, since,
                               dry_run, agree_hubs)
    except (SourceError, MappingError) as error:
        raise click.ClickException(f"{error}. Nothing was imported.") from error
    click.echo(("dry run, nothing saved: " if dry_run else "") + report.summary())
    if report.needs_not_assigned:
        click.echo(f"{report.needs_not_assigned} services have needs not yet assigned: not "
                   "routable until the coordinator confirms them on the triage page (/triage)")
    for label, reason in report.skipped[:FIRST_REASONS]:
        click.echo(f"skipped {label}: {reason}")
    for term, count in sorted(report.unmapped_terms.items())[:FIRST_REASONS]:
        click.echo(f"unmapped term {term!r} ({count} records)")
    for warning in report.warnings[:FIRST_REASONS]:
        click.echo(f"warning: {warning}")
    if report_path is not None:
        report_path.write_text(json.dumps(report.as_json(), indent=2, ensure_ascii=False),
                               encoding="utf-8")
        click.echo(f"full report: {report_path}")
    elif len(report.skipped) > FIRST_REASONS or len(report.warnings) > FIRST_REASONS:
        click.echo("more skips or warnings than shown: use --report FILE for all of them")
    if not report.imported + report.withdrawn:
        raise click.ClickException("No record was imported.")


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
