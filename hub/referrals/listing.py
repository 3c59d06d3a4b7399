"""Referral lists (referrer dashboard, provider inbox): counts per status and one page.

Counting and paging happen in SQL, so a provider with thousands of referrals gets the
same small page as one with ten.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from hub.referrals.access import visible_referrals
from routing.referrals.models import Child, Referral, Status
from services.accounts.models import User

PAGE_SIZE = 50
# The longest search a list takes: a full name, a reference or a UPN fit well within it.
QUERY_MAX = 100


def _like(word: str) -> str:
    escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def matching(query: str) -> ColumnElement[bool] | None:
    """Referrals whose reference or child's UPN is ``query``, or whose child's first or last
    name starts with each of its words (case ignored); None for an empty query.

    Raises ValueError for a query longer than QUERY_MAX.
    """
    query = " ".join(query.split())
    if not query:
        return None
    if len(query) > QUERY_MAX:
        raise ValueError(f"Enter {QUERY_MAX} characters or fewer")
    exact = query.upper()
    words = [or_(func.lower(Child.first_name).like(_like(word), escape="\\"),
                 func.lower(Child.last_name).like(_like(word), escape="\\"))
             for word in query.split()]
    child_matches = select(Child.id).where(or_(Child.upn == exact, and_(*words)))
    return or_(Referral.reference == exact, Referral.child_id.in_(child_matches))


@dataclass(frozen=True)
class ReferralPage:
    referrals: list[Referral]
    counts: Counter[Status]
    status: Status | None
    page: int
    pages: int
    query: str = ""

    @property
    def total(self) -> int:
        """Referrals in the list as filtered (all pages)."""
        return self.counts[self.status] if self.status else sum(self.counts.values())

    @property
    def first(self) -> int:
        """The position of this page's first referral in the whole list (from 1)."""
        return (self.page - 1) * PAGE_SIZE + 1

    @property
    def last(self) -> int:
        return self.first + len(self.referrals) - 1


def referral_page(
    session: Session, user: User, scope: ColumnElement[bool], status: str, page: int,
    query: str = "",
) -> ReferralPage:
    """One page of the referrals ``user`` may see within ``scope``, newest change first.

    ``status`` is a status value to filter by ("" or an unknown value: all); ``page``
    is clamped to the pages there are; ``query`` finds by child's name, reference or UPN
    (see ``matching``, which raises ValueError for one too long).
    """
    where = [visible_referrals(user), scope]
    found = matching(query)
    if found is not None:
        where.append(found)
    counts: Counter[Status] = Counter({
        Status(value): n
        for value, n in session.execute(
            select(Referral.status, func.count(Referral.id)).where(*where)
            .group_by(Referral.status)
        )
    })
    try:
        chosen: Status | None = Status(status)
    except ValueError:
        chosen = None
    if chosen is not None:
        where.append(Referral.status == chosen)
    total = counts[chosen] if chosen else sum(counts.values())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    referrals = list(session.execute(
        select(Referral).where(*where)
        .options(selectinload(Referral.service), selectinload(Referral.organisation),
                 selectinload(Referral.child), selectinload(Referral.request))
        .order_by(Referral.updated_at.desc(), Referral.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).scalars())
    return ReferralPage(referrals, counts, chosen, page, pages, " ".join(query.split()))
