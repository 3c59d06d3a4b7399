"""``flask safeguarding escalate``: a timer runs it to tell the coordinator about
safeguarding items no lead has actioned in time."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from hub.settings import current_settings
from hub.unit_of_work import session
from routing.referrals.lifecycle import SYSTEM
from routing.safeguarding.operations import escalate_overdue

safeguarding_cli = AppGroup("safeguarding", help="The safeguarding leads' queues.")


@safeguarding_cli.command("escalate")
def escalate_command() -> None:
    """Tell the hub coordinators (once per item, by reference and link) about items not
    actioned within SAFEGUARDING_ACTION_WORKING_DAYS; `flask notify send` delivers."""
    settings = current_settings()
    late = escalate_overdue(session(), settings.clock(),
                            settings.safeguarding_action_working_days, SYSTEM)
    session().commit()
    click.echo(f"{len(late)} safeguarding item{'s' if len(late) != 1 else ''} not actioned "
               "in time sent to the coordinator"
               + (f": {', '.join(item.reference for item in late)}" if late else ""))
