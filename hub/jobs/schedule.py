"""What runs when: the one list of scheduled jobs (``flask jobs schedule`` prints it).

Times are UTC, as the queue keeps them. Each entry names the job in ``work.py`` it
runs, so the README, the command and the queue read the same table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from huey import crontab

from hub.settings import Settings


@dataclass(frozen=True)
class ScheduledJob:
    """A job on a schedule: its name, when in words, and when as a test of a time."""

    name: str
    when: Callable[[Settings], str]
    crontab: Callable[[Settings], Callable[[datetime], bool]]


SCHEDULE = (
    ScheduledJob(
        "retry_messages",
        lambda s: f"every {s.notify_retry_minutes} minutes: send or retry due messages",
        lambda s: crontab(minute=f"*/{s.notify_retry_minutes}")),
    ScheduledJob(
        "chase_referrals",
        lambda s: f"{s.referral_chase_hour:02d}:00 on working days: remind providers, "
                  "escalate to coordinators",
        lambda s: crontab(minute="0", hour=str(s.referral_chase_hour))),
    ScheduledJob(
        "escalate_safeguarding",
        lambda s: "every 15 minutes: tell the coordinators of safeguarding items not "
                  f"actioned within {s.safeguarding_action_working_days} working day(s)",
        lambda s: crontab(minute="*/15")),
    ScheduledJob(
        "retention_purge",
        lambda s: f"{s.retention_purge_hour:02d}:30 daily: flask retention purge",
        lambda s: crontab(minute="30", hour=str(s.retention_purge_hour))),
    ScheduledJob(
        "sync_feeds",
        lambda s: f"{s.oruk_sync_hour:02d}:00 daily: import each ORUK_SYNC_FEEDS feed "
                  f"({len(s.oruk_sync_feeds)} set)",
        lambda s: crontab(minute="0", hour=str(s.oruk_sync_hour))),
)
