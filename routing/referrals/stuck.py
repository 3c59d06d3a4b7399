"""Falling through the cracks: referrals and children that need someone to act.

Four lists, each selected, counted and paged in SQL, so a hub with tens of
thousands of referrals gets its counts and one page at the cost of a few queries:

- sent referrals not opened within a number of working days;
- declines with no onward referral;
- wait-lists longer than the service's typical wait;
- children whose every referral ended with no support in place.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from routing.referrals.models import Outcome, Referral, Status
from routing.referrals.reminders import CHASEABLE, last_reminders
from routing.referrals.workdays import is_working_day, working_days_between
from services.listings import Capacity

ENDED = (Status.DECLINED, Status.CLOSED, Status.WITHDRAWN)


class StuckKind(enum.StrEnum):
    NOT_OPENED = "not_opened"
    DECLINED_NO_ONWARD = "declined_no_onward"
    LONG_WAIT = "long_wait"
    UNSUPPORTED_CHILD = "unsupported_child"


@dataclass(frozen=True)
class StuckItem:
    """One entry: a referral (``waited`` working days for NOT_OPENED, days for
    LONG_WAIT, with the service's ``typical`` wait), or for UNSUPPORTED_CHILD a child
    and their referrals."""

    kind: StuckKind
    referral: Referral | None = None
    waited: int | None = None
    typical: int | None = None
    child_id: int | None = None
    referrals: tuple[Referral, ...] = ()


@dataclass(frozen=True)
class StuckScope:
    """When the report is read (``now``), after how many working days a sent referral
    counts as not opened, and the schools it is limited to (None: every school)."""

    now: datetime
    working_days: int = 5
    school_ids: Collection[int] | None = None


def not_opened_cutoff(today: date, working_days: int) -> date:
    """The last day a referral could be sent on and be ``working_days`` working days
    old ``today``: sent on or before it means not opened in time."""
    day, counted = today, 0
    while counted < working_days:
        if is_working_day(day):
            counted += 1
        day -= timedelta(days=1)
    return day


def stuck_counts(session: Session, scope: StuckScope) -> dict[StuckKind, int]:
    """How many entries each list holds."""
    counts = {
        kind: session.execute(
            select(func.count()).select_from(_REFERRAL_LISTS[kind](scope).subquery())
        ).scalar_one()
        for kind in (StuckKind.NOT_OPENED, StuckKind.DECLINED_NO_ONWARD)
    }
    counts[StuckKind.LONG_WAIT] = len(_long_wait_rows(session, scope))
    counts[StuckKind.UNSUPPORTED_CHILD] = session.execute(
        select(func.count()).select_from(_unsupported_children(scope).subquery())
    ).scalar_one()
    return counts


def stuck_items(
    session: Session, kind: StuckKind, scope: StuckScope,
    limit: int | None = None, offset: int = 0,
) -> list[StuckItem]:
    """One page of a list (all of it when ``limit`` is None), oldest problem first."""
    today = scope.now.date()
    if kind is StuckKind.LONG_WAIT:
        rows = _long_wait_rows(session, scope)
        chosen = rows[offset:None if limit is None else offset + limit]
        loaded = _load(session, [row[0] for row in chosen])
        return [StuckItem(kind, loaded[referral_id], waited, typical)
                for referral_id, waited, typical in chosen]
    if kind is StuckKind.UNSUPPORTED_CHILD:
        query = _unsupported_children(scope).order_by(Referral.child_id)
        child_ids = list(session.execute(_page(query, limit, offset)).scalars())
        by_child: dict[int, list[Referral]] = defaultdict(list)
        for referral in session.execute(
            select(Referral)
            .where(Referral.child_id.in_(child_ids), Referral.status != Status.DRAFT,
                   *_in_schools(scope))  # a school's lead sees only their own referrals
            .options(*_OPTIONS).order_by(Referral.id)
        ).scalars():
            by_child[referral.child_id].append(referral)
        return [StuckItem(kind, child_id=child_id, referrals=tuple(by_child[child_id]))
                for child_id in child_ids]
    query = _REFERRAL_LISTS[kind](scope).options(*_OPTIONS)
    referrals = session.execute(_page(query, limit, offset)).scalars()
    if kind is StuckKind.NOT_OPENED:
        return [StuckItem(kind, r, working_days_between(_sent_day(r), today))
                for r in referrals]
    return [StuckItem(kind, r) for r in referrals]


@dataclass
class StuckReport:
    """Every list in full (for the command line and small hubs)."""

    not_opened: list[tuple[Referral, int]] = field(default_factory=list)  # working days
    declined_no_onward: list[Referral] = field(default_factory=list)
    long_waits: list[tuple[Referral, int, int]] = field(default_factory=list)  # days, typical
    unsupported_children: list[tuple[int, list[Referral]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.count == 0

    @property
    def count(self) -> int:
        return (
            len(self.not_opened) + len(self.declined_no_onward) + len(self.long_waits)
            + len(self.unsupported_children)
        )


def stuck_report(session: Session, now: datetime, working_days: int = 5,
                 school_ids: Collection[int] | None = None) -> StuckReport:
    """Every list in full at ``now`` (see the module's docstring)."""
    scope = StuckScope(now, working_days, school_ids)

    def items(kind: StuckKind) -> list[StuckItem]:
        return stuck_items(session, kind, scope)

    return StuckReport(
        not_opened=[(i.referral, i.waited or 0) for i in items(StuckKind.NOT_OPENED)
                    if i.referral is not None],
        declined_no_onward=[i.referral for i in items(StuckKind.DECLINED_NO_ONWARD)
                            if i.referral is not None],
        long_waits=[(i.referral, i.waited or 0, i.typical or 0)
                    for i in items(StuckKind.LONG_WAIT) if i.referral is not None],
        unsupported_children=[(i.child_id or 0, list(i.referrals))
                              for i in items(StuckKind.UNSUPPORTED_CHILD)],
    )


# --- Queries -------------------------------------------------------------------------

_OPTIONS = (selectinload(Referral.service), selectinload(Referral.school),
            selectinload(Referral.organisation))


def _page(query: Select[Any], limit: int | None, offset: int) -> Select[Any]:
    return query if limit is None else query.limit(limit).offset(offset)


def _in_schools(scope: StuckScope) -> list[ColumnElement[bool]]:
    return [] if scope.school_ids is None else [Referral.school_id.in_(list(scope.school_ids))]


def _sent_day(referral: Referral) -> date:
    return (referral.sent_at or referral.created_at).date()


def _not_opened(scope: StuckScope) -> Select[Any]:
    cutoff = not_opened_cutoff(scope.now.date(), scope.working_days)
    sent = func.coalesce(Referral.sent_at, Referral.created_at)
    return (
        select(Referral)
        .where(Referral.status == Status.SENT,
               sent < datetime.combine(cutoff + timedelta(days=1), time()),
               *_in_schools(scope))
        .order_by(sent, Referral.id)
    )


def _declined_no_onward(scope: StuckScope) -> Select[Any]:
    onward = aliased(Referral)
    return (
        select(Referral)
        .where(
            Referral.status == Status.DECLINED,
            ~select(onward.id).where(onward.rerouted_from_id == Referral.id).exists(),
            *_in_schools(scope),
        )
        .order_by(Referral.decided_at, Referral.id)
    )


_REFERRAL_LISTS = {
    StuckKind.NOT_OPENED: _not_opened,
    StuckKind.DECLINED_NO_ONWARD: _declined_no_onward,
}


def _long_wait_rows(session: Session, scope: StuckScope) -> list[tuple[int, int, int]]:
    """(referral id, days waited, typical wait) of wait-listed referrals past their
    service's typical wait, longest wait first. Only three columns per wait-listed
    referral are read: day arithmetic differs between SQLite and PostgreSQL."""
    since = func.coalesce(Referral.waitlisted_at, Referral.created_at)
    rows = session.execute(
        select(Referral.id, since, Capacity.typical_wait_days)
        .join(Capacity, Capacity.service_id == Referral.service_id)
        .where(Referral.status == Status.WAITLISTED, Capacity.typical_wait_days.is_not(None),
               *_in_schools(scope))
        .order_by(since, Referral.id)
    ).all()
    return [(referral_id, waited, typical) for referral_id, at, typical in rows
            if typical is not None and (waited := (scope.now - at).days) > typical]


def _unsupported_children(scope: StuckScope) -> Select[Any]:
    """Children (ids) with referrals, every one ended and none with support given;
    limited to schools, a child with any referral from one of them."""
    still_open = func.sum(case((Referral.status.in_(ENDED), 0), else_=1))
    supported = func.sum(case((Referral.outcome == Outcome.SUPPORT_COMPLETED, 1), else_=0))
    having = [still_open == 0, supported == 0]
    if scope.school_ids is not None:
        from_schools = func.sum(case(
            (Referral.school_id.in_(list(scope.school_ids)), 1), else_=0))
        having.append(from_schools > 0)
    return (
        select(Referral.child_id)
        .where(Referral.status != Status.DRAFT)
        .group_by(Referral.child_id)
        .having(*having)
    )


def _load(session: Session, ids: list[int]) -> dict[int, Referral]:
    if not ids:
        return {}
    return {r.id: r for r in session.execute(
        select(Referral).where(Referral.id.in_(ids)).options(*_OPTIONS)).scalars()}



OVERVIEW_ITEMS = 10
PAGE_SIZE = 50


@dataclass(frozen=True)
class StuckPage:
    """What the page shows: every list's count, and either the first few entries of
    each (``kind`` None) or one page of one list."""

    counts: dict[StuckKind, int]
    sections: dict[StuckKind, list[StuckItem]]
    kind: StuckKind | None = None
    page: int = 1
    pages: int = 1
    # When the provider was last reminded, by referral id (those shown and reminded).
    reminded: dict[int, datetime] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not any(self.counts.values())

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1


def stuck_page(session: Session, scope: StuckScope, kind: str = "", page: int = 1) -> StuckPage:
    """The summary (``kind`` "" or unknown), or page ``page`` (clamped) of one list."""
    counts = stuck_counts(session, scope)
    try:
        chosen: StuckKind | None = StuckKind(kind)
    except ValueError:
        chosen = None
    if chosen is None:
        sections = {
            k: stuck_items(session, k, scope, OVERVIEW_ITEMS) for k in StuckKind if counts[k]
        }
        pages = 1
    else:
        pages = max(1, -(-counts[chosen] // PAGE_SIZE))
        page = min(max(page, 1), pages)
        sections = {
            chosen: stuck_items(session, chosen, scope, PAGE_SIZE, (page - 1) * PAGE_SIZE)}
    waiting = [item.referral.id for kind_items in sections.values() for item in kind_items
               if item.referral is not None and item.referral.status in CHASEABLE]
    return StuckPage(counts, sections, chosen, page if chosen else 1, pages,
                     last_reminders(session, waiting))
