"""Turning chosen services into Match, Exclusion and TeamProposal records.

Both the index and the reference scan build their results here, so the reasons
and the points shown are produced by one piece of code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from routing.engine.parts import (
    Capacity,
    Continuity,
    Freshness,
    Unstated,
    Wait,
    epoch_seconds,
    need_parts,
    score_parts,
)
from routing.engine.records import NeedRequest, ServiceRecord
from routing.engine.results import Exclusion, Match, NeedResult, TeamMember, TeamProposal
from routing.engine.rules import (
    Placement,
    QueryContext,
    distance_m,
    first_failure,
    hub_at_school,
    is_distance_free,
)
from routing.engine.taxonomy import Taxonomy
from routing.engine.team import Assignment
from routing.engine.weights import Weights


def make_match(service: ServiceRecord, need_code: str, ctx: QueryContext, w: Weights) -> Match:
    """The match record of an eligible service, with its score parts and reasons."""
    distance = distance_m(service, ctx.point)
    hub = hub_at_school(service, ctx.query.school_id)
    age = Freshness.age(Freshness.updated_seconds(service), epoch_seconds(ctx.query.now))
    score, parts, phrases = score_parts(
        service,
        w=w,
        capacity=Capacity.part(service, w),
        wait=Wait.part(service, w),
        fresh=Freshness.part(age, w),
        distance=distance,
        has_point=ctx.point is not None,
        distance_free=is_distance_free(service),
        hub=hub,
        continuing=Continuity.applies(service, ctx.query.current_provider_ids),
        unstated=Unstated.part(service, Unstated.asked(ctx.query), w),
    )
    return Match(service, need_code, score, parts, phrases, distance, hub)


class NeedMatch(NamedTuple):
    """A match for one need, with what ranks it besides its score."""

    match: Match
    fit: float  # ``parts.fit_total``
    tier: int  # ``parts.rank_tier``


def make_need_match(base: Match, need: NeedRequest, names: Taxonomy, w: Weights) -> NeedMatch:
    """The match for one need, from the need-independent ``base`` (``make_match``),
    with the need's parts added."""
    score, fit, tier, parts, phrases = need_parts(base.service, need, base.score, base.parts,
                                                  base.reasons, names, w)
    return NeedMatch(Match(base.service, need.code, score, parts, phrases, base.distance_m,
                           base.at_school), fit, tier)


def rank_key(m: NeedMatch) -> tuple[int, float, int]:
    """Highest tier first (``parts.rank_tier``: accepting referrals, then declaring the
    need itself, then a level fitting how serious it is), then highest score, ties
    by service id."""
    return (-m.tier, -m.match.score, m.match.service.id)


def rank_matches(matches: list[NeedMatch]) -> list[Match]:
    """The matches in ``rank_key`` order."""
    return [m.match for m in sorted(matches, key=rank_key)]


def best_fitting(fits: list[NeedMatch]) -> list[Match]:
    """The matches fitting the need as well as the best (``need_rank.best_fitting``):
    of the highest tier, the highest fit."""
    if not fits:
        return []
    tier = max(m.tier for m in fits)
    pool = [m for m in fits if m.tier == tier]
    top = max(m.fit for m in pool)
    return [m.match for m in pool if m.fit == top]


def make_exclusion(service: ServiceRecord, need_code: str, ctx: QueryContext) -> Exclusion:
    """The exclusion record of a service that meets the need but fails a rule.

    Raises ValueError if the service in fact passes every rule.
    """
    placement = Placement.of(service, ctx)
    failure = first_failure(service, ctx, placement)
    if failure is None:
        raise ValueError(f"service {service.id} is eligible, not excluded")
    rule, reason = failure
    return Exclusion(service, need_code, rule, reason, placement.distance)


def exclusion_order(distance: float | None, service_id: int) -> tuple[bool, float, int]:
    """Nearest first, services with no distance last, ties by id."""
    return (distance is None, 0.0 if distance is None else distance, service_id)


def make_team(
    needs: Sequence[NeedRequest],
    results: Sequence[NeedResult],
    assignments: Sequence[Assignment],
    lookup: Callable[[int], ServiceRecord],
) -> TeamProposal:
    """The team record: members with their need codes, and needs nobody can meet."""
    members = []
    for service_id, mask in assignments:
        codes: list[str] = []
        for i, need in enumerate(needs):
            if mask >> i & 1 and need.code not in codes:
                codes.append(need.code)
        members.append(TeamMember(lookup(service_id), tuple(codes)))
    unmet: list[str] = []
    for result in results:
        if result.eligible_count == 0 and result.need.code not in unmet:
            unmet.append(result.need.code)
    return TeamProposal(tuple(members), tuple(unmet))
