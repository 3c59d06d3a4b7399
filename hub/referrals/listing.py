"""Referral lists (referrer dashboard, provider inbox): counts per status and one page.

Counting and paging happen in SQL, so a provider with thousands of referrals gets the
same small page as one with ten.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, selectinload

from hub.referrals.access import visible_referrals
from routing.referrals.models import Referral, Status
from services.accounts.models import User

PAGE_SIZE = 50


@dataclass(frozen=True)
class ReferralPage:
    referrals: list[Referral]
    counts: Counter[Status]
    status: Status | None
    page: int
    pages: int

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
    session: Session, user: User, scope: ColumnElement[bool], status: str, page: int
) -> ReferralPage:
    """One page of the referrals ``user`` may see within ``scope``, newest change first.

    ``status`` is a status value to filter by ("" or an unknown value: all); ``page``
    is clamped to the pages there are.
    """
    where = [visible_referrals(user), scope]
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
        .options(selectinload(Referral.service), selectinload(Referral.organisation))
        .order_by(Referral.updated_at.desc(), Referral.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).scalars())
    return ReferralPage(referrals, counts, chosen, page, pages)
