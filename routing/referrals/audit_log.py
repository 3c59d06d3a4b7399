"""Reading the audit: filtered, newest first, a page at a time or all of it (CSV)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from routing.referrals.audit import AuditEvent

PER_PAGE = 50
CSV_COLUMNS = ("when_utc", "user_id", "user", "organisation_id", "organisation", "action",
               "refused", "child_id", "referral_id", "subject", "subject_id", "detail", "from")


@dataclass(frozen=True)
class AuditFilter:
    """What to show; None means any."""

    child_id: int | None = None
    user_id: int | None = None
    organisation_id: int | None = None
    action: str | None = None
    refused_only: bool = False
    since: date | None = None
    until: date | None = None  # inclusive


def _filtered(query: Select, chosen: AuditFilter) -> Select:
    if chosen.child_id is not None:
        query = query.where(AuditEvent.child_id == chosen.child_id)
    if chosen.user_id is not None:
        query = query.where(AuditEvent.actor_id == chosen.user_id)
    if chosen.organisation_id is not None:
        query = query.where(AuditEvent.organisation_id == chosen.organisation_id)
    if chosen.action:
        # A directory event names its subject after a colon ("capacity_changed: service
        # 12"): choosing the action finds it for every service and school.
        query = query.where((AuditEvent.action == chosen.action) | AuditEvent.action.startswith(
            f"{chosen.action}:", autoescape=True))
    if chosen.refused_only:
        query = query.where(AuditEvent.refused.is_(True))
    if chosen.since is not None:
        query = query.where(AuditEvent.at >= datetime.combine(chosen.since, time.min))
    if chosen.until is not None:
        query = query.where(
            AuditEvent.at < datetime.combine(chosen.until + timedelta(days=1), time.min))
    return query


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditEvent]
    total: int
    page: int
    pages: int


def audit_page(session: Session, chosen: AuditFilter, page: int = 1,
               per_page: int = PER_PAGE) -> AuditPage:
    """One page of matching rows, newest first, with the total (counted in SQL)."""
    total = int(session.execute(
        _filtered(select(func.count()).select_from(AuditEvent), chosen)).scalar_one())
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = list(session.execute(
        _filtered(select(AuditEvent), chosen)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).scalars())
    return AuditPage(rows, total, page, pages)


def audit_csv_rows(session: Session, chosen: AuditFilter) -> Iterator[tuple[object, ...]]:
    """Every matching row as CSV values, newest first, read in batches."""
    yield CSV_COLUMNS
    query = (_filtered(select(AuditEvent), chosen)
             .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
             .execution_options(yield_per=1000))
    for row in session.execute(query).scalars():
        yield (row.at.isoformat(sep=" ", timespec="seconds"), row.actor_id or "",
               row.actor_name, row.organisation_id or "", row.organisation_name, row.action,
               "yes" if row.refused else "", row.child_id or "", row.referral_id or "",
               row.subject_type, row.subject_id, row.detail, row.remote_addr)
