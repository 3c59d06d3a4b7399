"""What each background job does. Each runs inside an app context of its own (so
with its own database session), commits its own work, and logs counts only: never
a name, an address or a token.
"""

from __future__ import annotations

import logging
from pathlib import Path

from hub.notifications.delivery import deliver_all, notify_settings
from hub.settings import FeedSync, current_settings, now
from hub.unit_of_work import session
from routing.referrals.chasing import chase_stuck_referrals
from routing.referrals.outbox import deliver_pending
from routing.referrals.workdays import is_working_day

log = logging.getLogger(__name__)


def deliver_new_messages() -> int:
    """Send every message never tried yet (a request queued it); returns how many
    went. Nothing is tried when Notify is not configured; failures wait for
    ``retry_messages``, so an outage does not use every try in a few busy minutes."""
    notify = notify_settings(current_settings())
    if notify is None:
        return 0
    sent = deliver_pending(session(), notify, now(), retry=False)
    session().commit()  # the tries and any errors, kept even when nothing was sent
    return sent


def retry_messages() -> int:
    """Send or retry every message still due, one try each; returns how many went.
    Does nothing when Notify is not configured (messages stay in the outbox)."""
    settings = current_settings()
    if not settings.notify_api_key:
        return 0
    sent = deliver_all(session(), settings, now())
    session().commit()
    log.info("Outbox retry: %s sent", sent)
    return sent


def chase_referrals() -> tuple[int, int, int]:
    """On working days, remind providers of referrals waiting on them, escalate those
    waiting twice as long to the coordinators and remind schools of unanswered
    questions; returns (providers reminded, escalated, schools reminded)."""
    from hub.referrals.stuck_routes import stuck_scope

    scope = stuck_scope(None)
    if not is_working_day(scope.now.date()):
        return (0, 0, 0)
    report = chase_stuck_referrals(session(), scope)
    session().commit()
    log.info("Chasing: %s provider reminders, %s escalations, %s school reminders",
             report.reminded, report.escalated, report.schools_reminded)
    if report.reminded or report.escalated or report.schools_reminded:
        deliver_new_messages()
    return (report.reminded, report.escalated, report.schools_reminded)


def escalate_safeguarding() -> list[str]:
    """Tell the coordinators (once per item, by reference and link) about safeguarding
    items no lead has actioned within SAFEGUARDING_ACTION_WORKING_DAYS; returns the
    items' references."""
    from routing.referrals.lifecycle import SYSTEM
    from routing.safeguarding.operations import escalate_overdue

    settings = current_settings()
    late = escalate_overdue(session(), settings.clock(),
                            settings.safeguarding_action_working_days, SYSTEM)
    session().commit()
    log.info("Safeguarding: %s items not actioned in time sent to the coordinator", len(late))
    if late:
        deliver_new_messages()
    return [item.reference for item in late]


def retention_purge() -> str:
    """Delete or anonymise everything past its retention period (README "Retention"),
    committed; returns the counts in words (also logged: counts only)."""
    from hub.commands.retention import run_purge

    counts = run_purge()
    log.info("Retention purge: %s", counts.describe())
    return counts.describe()


def sync_feed(feed: FeedSync) -> str:
    """Import one ORUK feed in full (withdrawing what it no longer lists); returns the
    report's summary. Raises SourceError or MappingError (nothing kept) so the queue
    retries it."""
    from hub.jobs.feeds import import_source, source_name_of

    report = import_source(feed.url, source_name_of(feed.url, feed.source_name),
                           Path(feed.mapping) if feed.mapping else None,
                           agree_hubs=feed.agree_hubs)
    log.info("Feed sync %s: %s", feed.source_name or feed.url, report.summary())
    return report.summary()
