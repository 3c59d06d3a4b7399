"""Needs triage: imported services whose needs are not yet assigned.

An import that maps none of a record's taxonomy terms to our needs (real council
feeds often carry none) keeps the service with ``needs_triage`` set: it is not
routable and not published (the directory snapshot leaves it out) until the hub
coordinator confirms its needs. The triage page suggests needs from the service's
name and description by keyword rules per need: the defaults shipped in
``services/oruk/need_keywords.json``, or the coordinator's own once edited.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path

from sqlalchemy import ForeignKey, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, selectinload

from routing.referrals.audit import audit
from routing.referrals.lifecycle import Actor
from services.audit_trail import actor_label
from services.db import Base, utcnow
from services.errors import InvalidInput
from services.listings import Service, ServiceNeed
from services.taxonomy import Need
from services.version import bump_version

DEFAULT_KEYWORDS = Path(__file__).parent / "oruk" / "need_keywords.json"
KEYWORDS_MAX = 2000
# The triage page lists this many services at a time, oldest first.
PAGE_SIZE = 50


class NeedKeywordRule(Base):
    """The coordinator's keywords for one need (comma-separated words or phrases);
    a need without a row uses the shipped defaults."""

    __tablename__ = "need_keyword_rule"

    need_code: Mapped[str] = mapped_column(
        ForeignKey("need.code", ondelete="CASCADE"), primary_key=True)
    keywords: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_name: Mapped[str] = mapped_column(String(200), default="")


@cache
def default_keywords() -> dict[str, tuple[str, ...]]:
    """The shipped keyword rules, by need code."""
    data = json.loads(DEFAULT_KEYWORDS.read_text(encoding="utf-8"))["keywords"]
    return {code: tuple(words) for code, words in data.items()}


def split_keywords(text: str) -> list[str]:
    """Keywords typed as a comma- or line-separated list, tidied, without repeats."""
    found: list[str] = []
    for part in re.split(r"[,\n]", text):
        word = " ".join(part.split()).casefold()
        if word and word not in found:
            found.append(word)
    return found


def keyword_rules(session: Session) -> dict[str, list[str]]:
    """Every active need's keywords: the coordinator's where edited, else the defaults."""
    stored = {rule.need_code: split_keywords(rule.keywords)
              for rule in session.execute(select(NeedKeywordRule)).scalars()}
    defaults = default_keywords()
    codes = session.execute(select(Need.code).where(Need.active.is_(True))).scalars()
    return {code: stored[code] if code in stored else list(defaults.get(code, ()))
            for code in codes}


def _pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in words) + r")(?![\w-])",
                      re.IGNORECASE)


class Suggester:
    """Suggests needs for a service from its name and description by keyword rules."""

    def __init__(self, rules: Mapping[str, Sequence[str]]) -> None:
        self.patterns = {code: pattern for code, words in rules.items()
                         if (pattern := _pattern(words)) is not None}

    def suggest(self, name: str, description: str) -> list[str]:
        """Need codes whose keywords appear, most matches first; a child need makes its
        parent redundant, so the parent is left out."""
        text = f"{name}\n{description}"
        hits = {code: len(pattern.findall(text)) for code, pattern in self.patterns.items()}
        found = {code for code, count in hits.items() if count}
        found -= {code.split(".")[0] for code in found if "." in code}
        return sorted(found, key=lambda code: (-hits[code], code))


def triage_count(session: Session) -> int:
    """How many active services wait for their needs."""
    return int(session.execute(select(func.count(Service.id)).where(
        Service.needs_triage.is_(True), Service.active.is_(True))).scalar_one())


def services_to_triage(session: Session, page: int = 1) -> list[Service]:
    """One page of active services waiting for their needs, oldest first."""
    return list(session.execute(
        select(Service).where(Service.needs_triage.is_(True), Service.active.is_(True))
        .options(selectinload(Service.organisation))
        .order_by(Service.created_at, Service.id)
        .offset((max(page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE)).scalars())


def assign_needs(session: Session, actor: Actor, now: datetime,
                 assignments: Mapping[int, Sequence[str]]) -> int:
    """Confirm the needs of services waiting in triage (``{service id: need codes}``):
    each becomes routable. Audited per service with the codes; returns how many.

    Raises InvalidInput (key ``""`` or ``needs-<id>``) when nothing is chosen, a
    service has no need ticked, a code is unknown, or a service is not waiting.
    """
    if not assignments:
        raise InvalidInput({"": "Choose at least one service to confirm"})
    known = set(session.execute(select(Need.code).where(Need.active.is_(True))).scalars())
    errors: dict[str, str] = {}
    for service_id, codes in assignments.items():
        if not codes:
            errors[f"needs-{service_id}"] = "Choose at least one need for this service"
        elif set(codes) - known:
            errors[f"needs-{service_id}"] = "Choose needs from the list"
    services = {s.id: s for s in session.execute(select(Service).where(
        Service.id.in_(list(assignments)), Service.needs_triage.is_(True))
        .options(selectinload(Service.need_links))).scalars()}
    if set(assignments) - set(services):
        errors[""] = "Some of these services are no longer waiting: reload the page"
    if errors:
        raise InvalidInput(errors)
    for service_id, codes in assignments.items():
        service = services[service_id]
        service.need_links = [ServiceNeed(need_code=code) for code in sorted(set(codes))]
        service.needs_triage = False
        audit(session, actor, "needs_assigned", now, subject_type="service",
              subject_id=service_id, detail=", ".join(sorted(set(codes))))
    bump_version(session)
    return len(assignments)


def save_keyword_rules(session: Session, actor: Actor, now: datetime,
                       typed: Mapping[str, str]) -> int:
    """Store the coordinator's keywords for the needs in ``typed`` (``{code: text}``)
    whose keywords changed; returns how many changed. Audited.

    Raises InvalidInput keyed ``keywords-<code>`` for an unknown need or text over
    KEYWORDS_MAX characters (never cut).
    """
    current = keyword_rules(session)
    errors = {f"keywords-{code}": f"Keywords must be {KEYWORDS_MAX:,} characters or fewer"
              for code, text in typed.items() if len(text) > KEYWORDS_MAX}
    errors.update({f"keywords-{code}": "Unknown need" for code in typed if code not in current})
    if errors:
        raise InvalidInput(errors)
    stored = {rule.need_code: rule for rule in session.execute(select(NeedKeywordRule)).scalars()}
    changed = 0
    for code, text in typed.items():
        words = split_keywords(text)
        if words == current[code]:
            continue
        rule = stored.get(code) or NeedKeywordRule(need_code=code)
        rule.keywords = ", ".join(words)
        rule.updated_at, rule.updated_by_name = now, actor_label(actor)
        session.add(rule)
        audit(session, actor, "need_keywords_changed", now, subject_type="need",
              subject_id=code)
        changed += 1
    return changed
