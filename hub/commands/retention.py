"""`flask retention purge [--dry-run]`: delete or anonymise what is past its period."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from hub.settings import Settings, current_settings, now
from hub.unit_of_work import session
from routing.referrals.retention import PurgeCounts, RetentionPolicy, purge

retention_cli = AppGroup("retention", help="Retention of personal data (see README).")


def retention_policy(settings: Settings) -> RetentionPolicy:
    """The policy the settings describe."""
    return RetentionPolicy(
        closed_referral_years=settings.retention_closed_referral_years,
        draft_days=settings.retention_draft_days,
        attempt_days=settings.retention_attempt_days,
        message_days=settings.retention_message_days,
        audit_years=settings.retention_audit_years,
    )


def run_purge(dry_run: bool = False) -> PurgeCounts:
    """Purge in one transaction, committed, or rolled back for a dry run; the counts.
    Needs an app context (a job worker's, or the command's)."""
    current = session()
    try:
        counts = purge(current, retention_policy(current_settings()), now())
    except Exception:
        current.rollback()
        raise
    if dry_run:
        current.rollback()
    else:
        current.commit()
    return counts


@retention_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would go; change nothing.")
def purge_command(dry_run: bool) -> None:
    """Delete or anonymise everything past its retention period, and print the counts."""
    counts = run_purge(dry_run)
    click.echo(("Would purge: " if dry_run else "Purged: ") + counts.describe())
