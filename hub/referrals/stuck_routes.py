"""Falling through the cracks: the page and the `flask referrals stuck` command."""

from __future__ import annotations

import click
from flask import render_template, request

from hub.access import me, roles_required
from hub.referrals.access import (
    actor_for,
    school_ids_for,
)
from hub.referrals.clock import now
from hub.referrals.common import (
    bp,
    session,
    stuck_days,
)
from routing.referrals import operations as ops
from routing.referrals.stuck import StuckKind, StuckScope, stuck_page, stuck_report
from services.accounts.models import Role

# --- Falling through the cracks ----------------------------------------------------


@bp.route("/stuck")
@roles_required(Role.COORDINATOR, Role.SAFEGUARDING_LEAD)
def stuck() -> str:
    user = me()
    # A safeguarding lead sees their own schools' referrals; a coordinator the hub's.
    schools = school_ids_for(user) if user.role is Role.SAFEGUARDING_LEAD else None
    scope = StuckScope(now(), stuck_days(), schools)
    shown = stuck_page(session, scope, request.args.get("kind", ""),
                       request.args.get("page", 1, type=int) or 1)
    ops.audit(session, actor_for(user), "stuck_report_viewed", now())
    session.commit()
    return render_template("referrals/stuck.html", report=shown, days=stuck_days(),
                           kinds=StuckKind)


@bp.cli.command("stuck")
@click.option("--days", type=int, default=None, help="Working days before 'not opened'.")
def stuck_command(days: int | None) -> None:
    """List referrals and children falling through the cracks (references only)."""
    report = stuck_report(session, now(), days or stuck_days())
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
