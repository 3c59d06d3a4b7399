"""Stuck referrals and children: referrals and children that need someone to act.

Each list is selected, counted and paged in SQL, so a hub with tens of thousands
of referrals gets its counts and one page at the cost of a few queries, and each
states its rule (``StuckKind.rule``) with the thresholds in force:

- sent referrals not opened within a number of working days;
- opened referrals not decided (accepted, wait-listed or declined) within the service's
  stated response time, or a setting's when it states none, counted from the school's
  answer when the service asked a question;
- questions to the school not answered in time;
- accepted referrals with no first contact in time;
- declines with no onward referral;
- wait-lists longer than the service's typical wait;
- children whose every referral ended with no support in place;
- children for whom every provider (two or more) declined a need;
- missing-education cases not traced in time (``routing.safeguarding.cme``);
- safeguarding stops and concerns no lead has actioned in time (``routing.safeguarding``).
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from routing.engine.reasons import plural
from routing.referrals.models import Outcome, Referral, ReferralEvent, Status
from routing.referrals.reminders import CHASEABLE, last_reminders
from routing.referrals.workdays import is_working_day, working_days_between
from routing.safeguarding.cme import RegisterEntry, not_traced
from routing.safeguarding.queue import QueueEntry, overdue_entries
from services.listings import Capacity, Service
from services.taxonomy import Need

ENDED = (Status.DECLINED, Status.CLOSED, Status.WITHDRAWN)

# The page's name, in the menu, its title and heading, and wherever another page points
# to it: written once so they always agree. "Stuck" is the word the Stuck tags, the
# caseload and the providers' hints use; "and children" because whole children (no
# support, every provider declined, missing education) are listed as well as referrals.
STUCK_PAGE_TITLE = "Stuck referrals and children"


class StuckKind(enum.StrEnum):
    SAFEGUARDING_NOT_ACTIONED = "safeguarding_not_actioned"
    NOT_OPENED = "not_opened"
    NOT_DECIDED = "not_decided"
    QUESTION_UNANSWERED = "question_unanswered"
    NO_FIRST_CONTACT = "no_first_contact"
    DECLINED_NO_ONWARD = "declined_no_onward"
    LONG_WAIT = "long_wait"
    UNSUPPORTED_CHILD = "unsupported_child"
    EVERY_PROVIDER_DECLINED = "every_provider_declined"
    CME_NOT_TRACED = "cme_not_traced"

    def heading(self) -> str:
        """The list's heading."""
        return {
            StuckKind.SAFEGUARDING_NOT_ACTIONED: "Safeguarding items not actioned in time",
            StuckKind.NOT_OPENED: "Not opened",
            StuckKind.NOT_DECIDED: "Opened but not decided",
            StuckKind.QUESTION_UNANSWERED: "A service's question not answered",
            StuckKind.NO_FIRST_CONTACT: "Accepted with no first contact",
            StuckKind.DECLINED_NO_ONWARD: "Declined with no onward referral",
            StuckKind.LONG_WAIT: "Waiting longer than the service's typical wait",
            StuckKind.UNSUPPORTED_CHILD: "Children with no support in place",
            StuckKind.EVERY_PROVIDER_DECLINED: "Every provider declined",
            StuckKind.CME_NOT_TRACED: "Children missing education not traced",
        }[self]

    def rule(self, scope: StuckScope) -> str:
        """What puts a referral or child on the list, with the threshold in force."""
        days = plural
        return {
            StuckKind.SAFEGUARDING_NOT_ACTIONED: "A safeguarding stop or concern went to the "
                                                 "school's designated safeguarding lead "
                                                 f"{days(scope.safeguarding_days, 'working day')}"
                                                 " ago or more (to the same time of day), and "
                                                 "no decision is recorded.",
            StuckKind.NOT_OPENED: f"Sent {days(scope.working_days, 'working day')} ago or "
                                  "more, and the service has not opened it.",
            StuckKind.NOT_DECIDED: "Opened (or the service's question answered) at least "
                                   "the service's stated response time ago (in working "
                                   f"days; {days(scope.decide_days, 'working day')} when it "
                                   "states none), and not yet accepted, wait-listed or "
                                   "declined.",
            StuckKind.QUESTION_UNANSWERED: f"The service asked the school a question "
                                           f"{days(scope.answer_days, 'working day')} ago or "
                                           "more, and the school has not answered.",
            StuckKind.NO_FIRST_CONTACT: f"Accepted {days(scope.contact_days, 'working day')} "
                                        "ago or more, and the service has not recorded "
                                        "first contact with the family.",
            StuckKind.DECLINED_NO_ONWARD: "Declined, and nobody has sent the need to "
                                          "another service.",
            StuckKind.LONG_WAIT: "On a wait-list for longer than the service says it "
                                 "usually takes.",
            StuckKind.UNSUPPORTED_CHILD: "Every referral for the child has ended, and none "
                                         "ended with support given.",
            StuckKind.EVERY_PROVIDER_DECLINED: "Two or more providers were asked to meet "
                                               "one of the child's needs, and every one "
                                               "declined.",
            StuckKind.CME_NOT_TRACED: "A child missing education was put on the register "
                                      f"{days(scope.cme_days, 'working day')} ago or more "
                                      "(to the same time of day), and is still reported or "
                                      "being traced.",
        }[self]


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
    # For SAFEGUARDING_NOT_ACTIONED: the item, when it was due and working days waited.
    safeguarding: QueueEntry | None = None
    # For EVERY_PROVIDER_DECLINED: the need every provider declined (its name).
    need_code: str = ""
    # For CME_NOT_TRACED: the case, its days missing and working days open.
    cme: RegisterEntry | None = None


@dataclass(frozen=True)
class StuckScope:
    """When the report is read (``now``), the schools it is limited to (None: every
    school), and after how many working days each wait counts as stuck: a sent referral
    not opened (``working_days``), an opened one not decided, a question to the school
    not answered, an accepted one with no first contact."""

    now: datetime
    working_days: int = 5
    school_ids: Collection[int] | None = None
    decide_days: int = 5
    answer_days: int = 3
    contact_days: int = 5
    safeguarding_days: int = 1
    cme_days: int = 10


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
        for kind in _REFERRAL_LISTS
    }
    counts[StuckKind.LONG_WAIT] = len(_long_wait_rows(session, scope))
    counts[StuckKind.SAFEGUARDING_NOT_ACTIONED] = len(_overdue(session, scope))
    counts[StuckKind.NOT_DECIDED] = session.execute(
        select(func.count()).select_from(_not_decided(session, scope).subquery())
    ).scalar_one()
    counts[StuckKind.EVERY_PROVIDER_DECLINED] = len(_all_declined(session, scope))
    counts[StuckKind.CME_NOT_TRACED] = len(_not_traced(session, scope))
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
    window = slice(offset, None if limit is None else offset + limit)
    if kind is StuckKind.CME_NOT_TRACED:
        return [StuckItem(kind, waited=entry.open_for, cme=entry)
                for entry in _not_traced(session, scope)[window]]
    if kind is StuckKind.EVERY_PROVIDER_DECLINED:
        chosen_needs = _all_declined(session, scope)[window]
        loaded = _load(session, [rid for _, _, ids in chosen_needs for rid in ids])
        names = {code: name for code, name in session.execute(select(Need.code, Need.name).where(
            Need.code.in_({code for _, code, _ in chosen_needs}))).all()}
        return [StuckItem(kind, child_id=child_id, need_code=names.get(code, code),
                          referrals=tuple(loaded[rid] for rid in ids))
                for child_id, code, ids in chosen_needs]
    if kind is StuckKind.NOT_DECIDED:
        undecided = session.execute(_page(
            _not_decided(session, scope).add_columns(Service.response_working_days)
            .options(*_OPTIONS), limit, offset)).all()
        return [StuckItem(kind, r, working_days_between(deciding_since(r).date(), today),
                          typical=stated if stated is not None else scope.decide_days)
                for r, stated in undecided]
    if kind is StuckKind.SAFEGUARDING_NOT_ACTIONED:
        entries = _overdue(session, scope)[offset:None if limit is None else offset + limit]
        return [StuckItem(kind, waited=entry.waited, safeguarding=entry) for entry in entries]
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
    waiting_since = _WAITING_SINCE.get(kind)
    if waiting_since is not None:
        return [StuckItem(kind, r, working_days_between(waiting_since(r), today))
                for r in referrals]
    return [StuckItem(kind, r) for r in referrals]


def stuck_report(session: Session, scope: StuckScope) -> dict[StuckKind, list[StuckItem]]:
    """Every list in full (for the command line and small hubs)."""
    return {kind: stuck_items(session, kind, scope) for kind in StuckKind}


# --- Queries -------------------------------------------------------------------------

# The page says whom each referral is about (Child.about_words), so the child comes too.
_OPTIONS = (selectinload(Referral.service), selectinload(Referral.school),
            selectinload(Referral.organisation), selectinload(Referral.child))


def _page(query: Select[Any], limit: int | None, offset: int) -> Select[Any]:
    return query if limit is None else query.limit(limit).offset(offset)


def _in_schools(scope: StuckScope) -> list[ColumnElement[bool]]:
    return [] if scope.school_ids is None else [Referral.school_id.in_(list(scope.school_ids))]


def _sent_day(referral: Referral) -> date:
    return (referral.sent_at or referral.created_at).date()


def _waiting_at(
    status: Status, since: Any, days: Callable[[StuckScope], int]
) -> Callable[[StuckScope], Select[Any]]:
    """The referrals at ``status`` since ``since`` (a column expression) for at least
    ``days(scope)`` working days, longest waiting first."""

    def query(scope: StuckScope) -> Select[Any]:
        cutoff = not_opened_cutoff(scope.now.date(), days(scope))
        return (
            select(Referral)
            .where(Referral.status == status,
                   since < datetime.combine(cutoff + timedelta(days=1), time()),
                   *_in_schools(scope))
            .order_by(since, Referral.id)
        )

    return query


# The status changes only by an event, so a referral waiting for the school's answer
# has been waiting since its latest move to "needs information".
_ASKED_AT = (
    select(func.max(ReferralEvent.at))
    .where(ReferralEvent.referral_id == Referral.id,
           ReferralEvent.to_status == Status.NEEDS_INFORMATION)
    .scalar_subquery()
)


# An opened referral waits for the service's decision since it was opened or, when the
# service asked the school a question, since the school's latest answer (the answer
# moves it from "needs information" back to opened): the school's time to answer is
# not the service's. The SQL form and the one-referral form below say the same.
_ANSWERED_AT = (
    select(func.max(ReferralEvent.at))
    .where(ReferralEvent.referral_id == Referral.id,
           ReferralEvent.from_status == Status.NEEDS_INFORMATION,
           ReferralEvent.to_status == Status.OPENED)
    .scalar_subquery()
)
_DECIDING_SINCE = func.coalesce(_ANSWERED_AT, Referral.opened_at, Referral.created_at)


def deciding_since(referral: Referral) -> datetime:
    """When an opened ``referral`` began waiting for its service's decision: the school's
    latest answer to a question, else when the service opened it."""
    answered = [e.at for e in referral.events
                if e.from_status is Status.NEEDS_INFORMATION and e.to_status is Status.OPENED]
    return max(answered, default=referral.opened_at or referral.created_at)


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


_REFERRAL_LISTS: dict[StuckKind, Callable[[StuckScope], Select[Any]]] = {
    StuckKind.NOT_OPENED: _waiting_at(
        Status.SENT, func.coalesce(Referral.sent_at, Referral.created_at),
        lambda scope: scope.working_days),
    StuckKind.QUESTION_UNANSWERED: _waiting_at(
        Status.NEEDS_INFORMATION, _ASKED_AT, lambda scope: scope.answer_days),
    StuckKind.NO_FIRST_CONTACT: _waiting_at(
        Status.ACCEPTED, func.coalesce(Referral.decided_at, Referral.created_at),
        lambda scope: scope.contact_days),
    StuckKind.DECLINED_NO_ONWARD: _declined_no_onward,
}


def _question_day(referral: Referral) -> date:
    asked = [e.at for e in referral.events if e.to_status is Status.NEEDS_INFORMATION]
    return max(asked, default=referral.updated_at).date()


# When each referral list's wait began, for the working days shown beside it.
_WAITING_SINCE = {
    StuckKind.NOT_OPENED: lambda r: _sent_day(r),
    StuckKind.NOT_DECIDED: lambda r: deciding_since(r).date(),
    StuckKind.QUESTION_UNANSWERED: _question_day,
    StuckKind.NO_FIRST_CONTACT: lambda r: (r.decided_at or r.created_at).date(),
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


def _not_decided(session: Session, scope: StuckScope) -> Select[Any]:
    """Opened referrals past their service's stated response time in working days (the
    scope's ``decide_days`` when it states none), longest waiting first. The cut-off
    date of each distinct stated time is worked out here and handed to SQL in a CASE."""
    since = _DECIDING_SINCE
    today = scope.now.date()
    stated = [days for days in session.execute(
        select(Service.response_working_days).distinct()
        .join(Referral, Referral.service_id == Service.id)
        .where(Referral.status == Status.OPENED, Service.response_working_days.is_not(None))
    ).scalars() if days is not None]

    def before(days: int) -> datetime:
        return datetime.combine(not_opened_cutoff(today, days) + timedelta(days=1), time())

    cutoff: Any = before(scope.decide_days)
    if stated:
        cutoff = case(*[(Service.response_working_days == days, before(days))
                        for days in stated], else_=before(scope.decide_days))
    return (
        select(Referral)
        .join(Service, Service.id == Referral.service_id)
        .where(Referral.status == Status.OPENED, since < cutoff, *_in_schools(scope))
        .order_by(since, Referral.id)
    )


def _all_declined(session: Session, scope: StuckScope) -> list[tuple[int, str, list[int]]]:
    """(child id, need code, referral ids) where two or more referrals (from the scope's
    schools) for the need were sent and every one was declined; oldest child first.
    Declines are few next to all referrals, so only children with one are read."""
    declined_children = (
        select(Referral.child_id)
        .where(Referral.status == Status.DECLINED, *_in_schools(scope)).distinct())
    by_need: dict[tuple[int, str], list[tuple[int, Status]]] = defaultdict(list)
    for referral_id, child_id, needs, status in session.execute(
        select(Referral.id, Referral.child_id, Referral.needs, Referral.status)
        .where(Referral.child_id.in_(declined_children), Referral.status != Status.DRAFT,
               *_in_schools(scope))
        .order_by(Referral.child_id, Referral.id)
    ).all():
        for need in needs or []:
            by_need[(child_id, str(need.get("code", "")))].append((referral_id, status))
    return [(child_id, code, [rid for rid, _ in made])
            for (child_id, code), made in by_need.items()
            if len(made) >= 2 and all(status is Status.DECLINED for _, status in made)]


def _not_traced(session: Session, scope: StuckScope) -> list[RegisterEntry]:
    return not_traced(session, scope.now, scope.cme_days, scope.school_ids)


def _overdue(session: Session, scope: StuckScope) -> list[QueueEntry]:
    return overdue_entries(session, scope.now, scope.safeguarding_days, scope.school_ids)


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
