"""``flask referrals stuck``: what is falling through the cracks, by reference only."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from hub.settings import current_settings
from hub.unit_of_work import session
from routing.referrals.stuck import stuck_report

referrals_cli = AppGroup("referrals", help="Referrals.")


@referrals_cli.command("stuck")
@click.option("--days", type=int, default=None, help="Working days before 'not opened'.")
def stuck_command(days: int | None) -> None:
    """List referrals and children falling through the cracks (references only)."""
    settings = current_settings()
    report = stuck_report(
        session(), settings.clock(), days or settings.referral_stuck_working_days)
    for referral, waited in report.not_opened:
        click.echo(
            f"not-opened {referral.reference} {referral.service.name} ({waited} working days)"
        )
    for referral in report.declined_no_onward:
        click.echo(f"declined-no-onward {referral.reference} {referral.service.name}")
    for referral, waited, typical in report.long_waits:
        click.echo(
            f"long-wait {referral.reference} {referral.service.name} ({waited} > {typical} days)"
        )
    for child_id, referrals in report.unsupported_children:
        refs = ", ".join(r.reference for r in referrals)
        click.echo(f"no-support child {child_id}: {refs}")
    click.echo(f"{report.count} item{'s' if report.count != 1 else ''} need attention")
