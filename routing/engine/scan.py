"""The reference router: checks every service with the plain rule functions.

Slow and simple on purpose; property tests hold the index to its answers.
"""

from __future__ import annotations

from routing.engine.areas import AreaCatalogue
from routing.engine.explain import (
    best_fitting,
    exclusion_order,
    make_exclusion,
    make_match,
    make_need_match,
    make_team,
    rank_matches,
)
from routing.engine.records import DirectorySnapshot, FamilyQuery, ServiceRecord
from routing.engine.results import Match, NeedResult, RoutingResult
from routing.engine.rules import NeedRule, QueryContext, distance_m, first_failure
from routing.engine.taxonomy import Taxonomy
from routing.engine.team import choose_team
from routing.engine.weights import Weights


def scan_route(
    snapshot: DirectorySnapshot, query: FamilyQuery, weights: Weights | None = None
) -> RoutingResult:
    """Route ``query`` by checking every service of ``snapshot``.

    Raises ValueError for a service area that is not a valid polygon WKT, or a
    home (or school point) that is not finite.
    """
    w = weights or Weights()
    services = sorted(snapshot.services, key=lambda s: s.id)
    by_id = {s.id: s for s in services}
    areas = AreaCatalogue(s.area_wkt for s in services if s.area_wkt is not None)
    taxonomy = Taxonomy(snapshot.need_parents, snapshot.need_names)
    ctx = QueryContext.build(query, areas)
    failures = {s.id: first_failure(s, ctx) for s in services}
    matches: dict[int, Match] = {}
    results = []
    masks: dict[int, int] = {}
    team_scores: dict[int, float] = {}
    for i, need in enumerate(query.needs):
        codes = taxonomy.matching_codes(need.code)
        meeting = [s for s in services if NeedRule.meets(s, codes)]
        eligible: list[ServiceRecord] = [s for s in meeting if failures[s.id] is None]
        failing = [s for s in meeting if failures[s.id] is not None]
        for s in eligible:
            if s.id not in matches:
                matches[s.id] = make_match(s, "", ctx, w)
        fits = [make_need_match(matches[s.id], need, taxonomy, w) for s in eligible]
        # The team gives each service only the needs it fits as well as the best.
        for m in best_fitting(fits):
            masks[m.service.id] = masks.get(m.service.id, 0) | 1 << i
            team_scores[m.service.id] = team_scores.get(m.service.id, 0.0) + m.score
        ranked = rank_matches(fits)[: max(query.limit_per_need, 0)]
        failing.sort(key=lambda s: exclusion_order(distance_m(s, ctx.point), s.id))
        results.append(
            NeedResult(
                need=need,
                matches=tuple(ranked),
                excluded=tuple(
                    make_exclusion(s, need.code, ctx)
                    for s in failing[: max(query.excluded_per_need, 0)]
                ),
                eligible_count=len(eligible),
            )
        )
    team = choose_team(
        [n.priority for n in query.needs],
        [(sid, mask, team_scores[sid]) for sid, mask in masks.items()],
        w,
    )
    return RoutingResult(
        needs=tuple(results),
        team=make_team(query.needs, results, team, by_id.__getitem__),
        snapshot_version=snapshot.version,
    )

