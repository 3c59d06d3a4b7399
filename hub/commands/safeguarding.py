"""``flask safeguarding escalate``: what the ``escalate_safeguarding`` job does every
15 minutes, run now by hand."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from hub.jobs.work import escalate_safeguarding

safeguarding_cli = AppGroup("safeguarding", help="The safeguarding leads' queues.")


@safeguarding_cli.command("escalate")
def escalate_command() -> None:
    """Tell the hub coordinators (once per item, by reference and link) about items not
    actioned within SAFEGUARDING_ACTION_WORKING_DAYS."""
    late = escalate_safeguarding()
    click.echo(f"{len(late)} safeguarding item{'s' if len(late) != 1 else ''} not actioned "
               "in time sent to the coordinator" + (f": {', '.join(late)}" if late else ""))
