"""Property-based tests: the index agrees with the reference scan on random data."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing.engine import (
    DirectoryIndex,
    DirectorySnapshot,
    FamilyQuery,
    NeedRequest,
    RoutingResult,
    ServiceRecord,
    exclusions,
    scan_route,
)
from routing.engine.rules import NeedRule, QueryContext, first_failure
from routing.engine.taxonomy import Taxonomy
from tests.routing.engine.routing_factories import (
    NEED_PARENTS,
    NOW,
    OTHER_SQUARE,
    SQUARE,
    hub,
    service,
)

CODES = sorted(NEED_PARENTS)
MODES = ["school_hub", "venue", "home_visit", "online", "phone"]
TRIANGLE = "POLYGON ((0 0, 40000 0, 0 40000, 0 0))"
AREAS = [None, SQUARE, OTHER_SQUARE, TRIANGLE]
coord = st.floats(min_value=-5000, max_value=35000, allow_nan=False).map(lambda v: round(v, 1))
point = st.tuples(coord, coord)
mostly = st.sampled_from([True, True, True, False])
SETTINGS = settings(max_examples=100, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def services(draw: st.DrawFn, service_id: int) -> ServiceRecord:
    min_age = draw(st.integers(0, 12))
    return service(
        service_id,
        organisation_id=draw(st.integers(1, 6)),
        need_codes=frozenset(draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=3))),
        min_age=min_age,
        max_age=min_age + draw(st.integers(0, 14)),
        delivery_modes=frozenset(draw(st.lists(st.sampled_from(MODES), max_size=3))),
        languages=frozenset(draw(st.lists(st.sampled_from(["English", "urdu", "Polish"]),
                                          min_size=1, max_size=2))),
        takes_system_referrals=draw(mostly),
        accepting=draw(mostly),
        free_places=draw(st.integers(0, 8)),
        waitlist_length=draw(st.integers(0, 30)),
        typical_wait_days=draw(st.none() | st.integers(0, 200)),
        measured_wait_days=draw(st.none() | st.floats(0, 200)),
        capacity_updated_at=draw(st.none() | st.integers(-2, 200).map(
            lambda d: NOW - timedelta(days=d, hours=3))),
        venue=draw(st.none() | point),
        hubs=tuple(hub(school_id=s, at=p) for s, p in draw(
            st.lists(st.tuples(st.integers(1, 4), point), max_size=2,
                     unique_by=lambda t: t[0]))),
        area_wkt=draw(st.sampled_from(AREAS)),
        area_name=draw(st.sampled_from(["", "Bolton"])),
    )


@st.composite
def snapshots(draw: st.DrawFn) -> DirectorySnapshot:
    ids = draw(st.lists(st.integers(1, 500), min_size=4, max_size=30, unique=True))
    return DirectorySnapshot(1, tuple(draw(services(i)) for i in ids), NEED_PARENTS, NOW)


@st.composite
def queries(draw: st.DrawFn) -> FamilyQuery:
    return FamilyQuery(
        needs=tuple(NeedRequest(c, draw(st.integers(1, 3))) for c in draw(
            st.lists(st.sampled_from([*CODES, "UNKNOWN"]), min_size=1, max_size=4))),
        now=NOW,
        home=draw(st.none() | point),
        school_id=draw(st.none() | st.integers(1, 4)),
        school_point=draw(st.none() | point),
        age=draw(st.none() | st.integers(0, 19)),
        delivery_modes=frozenset(draw(st.lists(st.sampled_from(MODES), max_size=2))
                                 if draw(st.booleans()) else []),
        language=draw(st.sampled_from([None, None, "English", "URDU", "Somali"])),
        max_distance_m=draw(st.none() | st.floats(0, 30000) | st.floats(5000, 20000)),
        require_system_referrals=draw(st.booleans()),
        require_accepting=draw(st.booleans()),
        current_provider_ids=frozenset(draw(st.lists(st.integers(1, 6), max_size=2))),
        limit_per_need=draw(st.integers(0, 6)),
        excluded_per_need=draw(st.integers(0, 4)),
    )


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
