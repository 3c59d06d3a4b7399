"""Waits measured from our own referral history, for the routing engine's ranking."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from routing.referrals.models import Referral, ReferralEvent, Status
from services.db import utcnow

# Fewer accepted referrals than this say more about luck than about the service.
MIN_SAMPLES = 3
LOOKBACK_DAYS = 365


def measured_waits(session: Session, service_ids: Collection[int] | None = None,
                   now: datetime | None = None) -> dict[int, float]:
    """Median days from sending to acceptance per service, over the last year, for
    ``service_ids`` (None: every service).

    Services with fewer than MIN_SAMPLES accepted referrals are left out, so
    the engine falls back to the provider's own figure for them.
    """
    since = (now or utcnow()) - timedelta(days=LOOKBACK_DAYS)
    accepted = (
        select(ReferralEvent.referral_id, func.min(ReferralEvent.at).label("accepted_at"))
        .where(ReferralEvent.to_status == Status.ACCEPTED)
        .where(ReferralEvent.at >= since)
    )
    if service_ids is not None:
        # Only these services' referrals' events, not every acceptance of the year.
        accepted = accepted.where(ReferralEvent.referral_id.in_(
            select(Referral.id).where(Referral.service_id.in_(service_ids))))
    first_accepted = accepted.group_by(ReferralEvent.referral_id).subquery()
    query = (
        select(Referral.service_id, Referral.sent_at, first_accepted.c.accepted_at)
        .join(first_accepted, first_accepted.c.referral_id == Referral.id)
        .where(Referral.sent_at.is_not(None))
    )
    if service_ids is not None:
        query = query.where(Referral.service_id.in_(service_ids))
    rows = session.execute(query).all()
    days: dict[int, list[float]] = defaultdict(list)
    for service_id, sent_at, accepted_at in rows:
        days[service_id].append(max(0.0, (accepted_at - sent_at).total_seconds() / 86400))
    return {
        service_id: round(statistics.median(values), 1)
        for service_id, values in days.items()
        if len(values) >= MIN_SAMPLES
    }
