"""``flask referrals stuck``: the stuck referrals and children, by reference only."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from hub.referrals.stuck_routes import stuck_scope
from hub.unit_of_work import session
from routing.referrals.stuck import StuckItem, StuckKind, stuck_report

referrals_cli = AppGroup("referrals", help="Referrals.")


@referrals_cli.command("stuck")
def stuck_command() -> None:
    """List the stuck referrals and children (references only), each
    list with its rule; the thresholds are the REFERRAL_*_WORKING_DAYS,
    SAFEGUARDING_ACTION_WORKING_DAYS and CME_TRACE_WORKING_DAYS settings (and each
    service's stated response time)."""
    scope = stuck_scope(None)
    report = stuck_report(session(), scope)
    for kind, items in report.items():
        click.echo(f"{kind.heading()} ({len(items)}): {kind.rule(scope)}")
        for item in items:
            click.echo(f"  {_line(kind, item)}")
    total = sum(len(items) for items in report.values())
    click.echo(f"{total} item{'s' if total != 1 else ''} need attention")


def _line(kind: StuckKind, item: StuckItem) -> str:
    if item.safeguarding is not None:
        entry = item.safeguarding
        return (f"{entry.item.reference} {entry.item.kind.label} ({entry.waited} working "
                f"days; due {entry.due:%Y-%m-%d %H:%M})")
    if item.cme is not None:
        case = item.cme
        return (f"{case.case.reference} {case.case.status.label} ({case.open_for} working "
                f"days on the register; {case.days_missing} days missing)")
    if item.referral is None:
        refs = ", ".join(r.reference for r in item.referrals)
        need = f" ({item.need_code})" if item.need_code else ""
        return f"child {item.child_id}{need}: {refs}"
    line = f"{item.referral.reference} {item.referral.service.name}"
    if kind is StuckKind.LONG_WAIT:
        return f"{line} ({item.waited} > {item.typical} days)"
    if item.waited is not None:
        return f"{line} ({item.waited} working days)"
    return line
