"""Records due for deletion, for the data protection officer: what the retention purge
will delete in the next 30 days and what is overdue, read through the purge's own rules."""

from __future__ import annotations

from flask import render_template

from hub.audit.routes import bp, dpo_only
from hub.audit_trail import record
from hub.commands.retention import retention_policy
from hub.settings import current_settings, now
from hub.unit_of_work import session
from routing.referrals.retention_due import AHEAD_DAYS, due_for_deletion


@bp.route("/retention")
@dpo_only
def retention_due() -> str:
    settings = current_settings()
    report = due_for_deletion(session(), retention_policy(settings), now())
    # The page names children's records by number: each one shown is a read of it.
    for child_id in report.child_ids:
        record("retention_due_viewed", child_id=child_id)
    return render_template("audit/retention_due.html", report=report, ahead_days=AHEAD_DAYS,
                           purge_hour=settings.retention_purge_hour)
