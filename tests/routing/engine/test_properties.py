"""Property-based tests: the index agrees with the reference scan on random data."""

from __future__ import annotations

import dataclasses
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing.engine import (
    DirectoryIndex,
    DirectorySnapshot,
    FamilyQuery,
    NeedRequest,
    RoutingResult,
    exclusions,
    scan_route,
)
from routing.engine.rules import NeedRule, QueryContext, first_failure
from routing.engine.taxonomy import Taxonomy
from tests.routing.engine.strategies import queries, snapshots

SETTINGS = settings(max_examples=100, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _ids(result: RoutingResult) -> list[list[int]]:
    return [[m.service.id for m in need.matches] for need in result.needs]


@SETTINGS
@given(snapshots(), queries())
def test_it_ranks_like_the_scan_when_most_services_qualify(
    snapshot: DirectorySnapshot, query: FamilyQuery
) -> None:
    relaxed = dataclasses.replace(
        query, age=None, language=None, delivery_modes=frozenset(), limit_per_need=10,
        require_system_referrals=False, require_accepting=False,
        needs=(NeedRequest("MHW"), NeedRequest("SEND.ASD", 1), NeedRequest("PAR")),
    )
    result = DirectoryIndex.build(snapshot).route(relaxed)
    assert result == scan_route(snapshot, relaxed)
    assert _ids(result) == _ids(scan_route(snapshot, relaxed))


@SETTINGS
@given(snapshots(), queries())
def test_it_returns_exactly_what_the_scan_returns(
    snapshot: DirectorySnapshot, query: FamilyQuery
) -> None:
    assert DirectoryIndex.build(snapshot).route(query) == scan_route(snapshot, query)


@SETTINGS
@given(snapshots(), queries())
def test_it_never_returns_an_ineligible_service(
    snapshot: DirectorySnapshot, query: FamilyQuery
) -> None:
    index = DirectoryIndex.build(snapshot)
    result = index.route(query)
    ctx = QueryContext.build(query, index._areas)
    taxonomy = Taxonomy(snapshot.need_parents)
    for need in result.needs:
        for match in need.matches:
            assert NeedRule.meets(match.service, taxonomy.matching_codes(need.need.code))
            assert first_failure(match.service, ctx) is None
        for exclusion in need.excluded:
            assert NeedRule.meets(exclusion.service, taxonomy.matching_codes(need.need.code))
            assert first_failure(exclusion.service, ctx) == (exclusion.rule, exclusion.reason)


@SETTINGS
@given(snapshots(), queries())
def test_it_proposes_a_team_covering_every_need_that_any_eligible_service_covers(
    snapshot: DirectorySnapshot, query: FamilyQuery
) -> None:
    result = DirectoryIndex.build(snapshot).route(query)
    coverable = {n.need.code for n in result.needs if n.eligible_count}
    covered = {code for member in result.team.members for code in member.need_codes}
    assert covered == coverable
    assert set(result.team.unmet) == {n.need.code for n in result.needs} - coverable
    ids = [m.service.id for m in result.team.members]
    assert len(ids) == len(set(ids))


@SETTINGS
@given(snapshots(), queries(), st.randoms(use_true_random=False))
def test_it_gives_results_that_do_not_depend_on_the_order_of_the_snapshot(
    snapshot: DirectorySnapshot, query: FamilyQuery, random: object
) -> None:
    shuffled = list(snapshot.services)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    again = dataclasses.replace(snapshot, services=tuple(shuffled))
    assert DirectoryIndex.build(again).route(query) == DirectoryIndex.build(snapshot).route(query)


@settings(max_examples=100, deadline=None)
@given(snapshots(), queries(), st.permutations(range(4)))
def test_it_gives_each_need_matches_that_do_not_depend_on_the_order_of_the_needs(
    snapshot: DirectorySnapshot, query: FamilyQuery, order: list[int]
) -> None:
    needs = [query.needs[i] for i in order if i < len(query.needs)]
    reordered = dataclasses.replace(query, needs=tuple(needs))
    index = DirectoryIndex.build(snapshot)
    by_need = {n.need: (n.matches, n.excluded) for n in index.route(query).needs}
    for n in index.route(reordered).needs:
        assert by_need[n.need] == (n.matches, n.excluded)


@SETTINGS
@given(snapshots(), queries())
def test_it_matches_the_scan_when_it_widens_exclusion_searches_in_steps(
    snapshot: DirectorySnapshot, query: FamilyQuery
) -> None:
    # Small directories normally skip straight to a full pass; force the doublings.
    with patch.object(exclusions, "FULL_PASS_ROWS", 0):
        assert DirectoryIndex.build(snapshot).route(query) == scan_route(snapshot, query)


@SETTINGS
@given(snapshots(), st.lists(queries(), min_size=2, max_size=4))
def test_it_gives_what_the_scan_gives_after_other_queries_filled_its_caches(
    snapshot: DirectorySnapshot, asked: list[FamilyQuery]
) -> None:
    # The index keeps explanations per row, need and facts asked for one ``now``;
    # queries sharing the home and ``now`` but not the needs or facts must not see
    # each other's.
    home = asked[0].home
    variants = [dataclasses.replace(q, home=home) for q in asked]
    index = DirectoryIndex.build(snapshot)
    for query in [*variants, *reversed(variants)]:
        assert index.route(query) == scan_route(snapshot, query)
