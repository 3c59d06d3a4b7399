"""Every ``flask`` command, registered in this one place.

Commands are the other entry point beside requests: unlike views, each commits
its own work, as there is no request hook around it.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from hub.commands.directory import demo_cli, gazetteer_cli, taxonomy_cli
    from hub.commands.jobs import jobs_cli
    from hub.commands.notify import notify_cli
    from hub.commands.oruk import oruk_cli
    from hub.commands.referrals import referrals_cli
    from hub.commands.retention import retention_cli
    from hub.commands.safeguarding import safeguarding_cli

    for group in (gazetteer_cli, taxonomy_cli, demo_cli, oruk_cli, notify_cli, referrals_cli,
                  jobs_cli, safeguarding_cli, retention_cli):
        app.cli.add_command(group)
