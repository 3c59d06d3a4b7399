"""Each score part and its plain-language reason."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.engine import DirectoryIndex, Match, Weights, scan_route
from routing.engine.parts import (
    AtSchool,
    Capacity,
    Continuity,
    Distance,
    Freshness,
    Unstated,
    Wait,
    epoch_seconds,
    total,
)
from tests.routing.engine.routing_factories import NOW, hub, query, service, snapshot

W = Weights()


def only_match(**query_overrides: object) -> Match:
    snap = snapshot(service(1, **query_overrides.pop("service", {})))
    result = DirectoryIndex.build(snap).route(query(**query_overrides))
    assert result == scan_route(snap, query(**query_overrides))
    (match,) = result.needs[0].matches
    return match


def part(match: Match, name: str) -> float:
    return next(p.points for p in match.parts if p.name == name)


def test_it_gives_points_for_delivery_at_the_childs_school_naming_the_school_and_days() -> None:
    h = hub(school_id=4, name="Castle Hill Primary", days=("Tuesday", "Thursday"))
    match = only_match(school_id=4, service={"hubs": (h,)})
    assert match.at_school == h
    assert part(match, "at_school") == W.at_school
    assert "runs at Castle Hill Primary on Tuesdays and Thursdays" in match.reasons
    assert AtSchool.reason(hub(days=())) == "runs at Castle Hill Primary"


def test_it_gives_no_school_part_when_the_service_is_not_at_the_childs_school() -> None:
    match = only_match(school_id=99, service={"hubs": (hub(school_id=4),)})
    assert match.at_school is None
    assert all(p.name != "at_school" for p in match.parts)


def test_it_gives_distance_points_that_decay_and_halve_at_the_scale() -> None:
    assert Distance.points(0.0, False, W) == W.distance
    assert Distance.points(W.distance_scale_m, False, W) == pytest.approx(W.distance / 2)
    assert Distance.points(1000.0, False, W) > Distance.points(5000.0, False, W)


def test_it_gives_the_distance_in_miles_with_one_decimal() -> None:
    assert Distance.reason(service(), 1931.2, False) == "1.2 miles away"
    match = only_match(home=(5000.0, 5000.0 + 1931.2))
    assert match.distance_m == pytest.approx(1931.2)
    assert "1.2 miles away" in match.reasons


def test_it_reads_distances_that_round_to_nought_as_under_a_tenth_of_a_mile() -> None:
    assert Distance.reason(service(), 50.0, False) == "under 0.1 miles away"
    # The index and the scan agree (only_match compares them) on the wording.
    match = only_match(home=(5000.0, 5000.0 + 50.0))
    assert "under 0.1 miles away" in match.reasons
    assert any(p.reason == "under 0.1 miles away" for p in match.parts)


def test_it_gives_remote_services_flat_distance_points_and_says_how_they_are_delivered() -> None:
    online = service(venue=None, delivery_modes=frozenset({"online", "phone"}))
    visits = service(venue=None, delivery_modes=frozenset({"home_visit"}))
    assert Distance.points(None, True, W) == W.remote
    assert Distance.reason(online, None, True) == "offered online and by phone"
    assert Distance.reason(visits, None, True) == "visits families at home"


def test_it_gives_capacity_points_for_free_places_up_to_a_cap() -> None:
    assert Capacity.points(service(free_places=1), W) < Capacity.points(service(free_places=3), W)
    assert Capacity.points(service(free_places=50), W) == W.capacity
    assert Capacity.reason(service(free_places=3)) == "3 places free"
    assert Capacity.reason(service(free_places=1)) == "1 place free"


def test_it_takes_points_for_a_wait_list_when_no_places_are_free() -> None:
    s = service(free_places=0, waitlist_length=4)
    assert Capacity.points(s, W) < 0 < Capacity.points(service(free_places=1), W)
    assert Capacity.reason(s) == "no places free: 4 on the wait-list"
    assert Capacity.points(service(free_places=0, waitlist_length=0), W) == 0.0


def test_it_scores_shorter_waits_higher() -> None:
    assert Wait.points(service(typical_wait_days=7), W) > Wait.points(
        service(typical_wait_days=60), W)
    assert Wait.points(service(typical_wait_days=None), W) == 0.0


def test_it_prefers_the_measured_wait_and_says_so() -> None:
    s = service(typical_wait_days=100, measured_wait_days=21.0)
    assert Wait.points(s, W) == Wait.points(service(typical_wait_days=21), W)
    assert Wait.reason(s) == "typical wait 3 weeks (from our referrals)"
    assert Wait.reason(service(typical_wait_days=5)) == "typical wait 5 days (provider's estimate)"
    assert Wait.reason(service(typical_wait_days=None)) == "waiting time not known"


def test_it_scores_fresh_capacity_high_and_stale_or_unknown_nothing() -> None:
    assert Freshness.points(0.0, W) == W.freshness
    assert Freshness.points(2.0, W) > Freshness.points(30.0, W) > 0
    assert Freshness.points(W.stale_after_days + 1, W) == 0.0
    never = Freshness.age(Freshness.updated_seconds(service(capacity_updated_at=None)),
                          epoch_seconds(NOW))
    assert Freshness.points(never, W) == 0.0
    assert Freshness.reason(2.0) == "updated 2 days ago"
    assert Freshness.reason(never) == "capacity never updated"
    match = only_match(service={"capacity_updated_at": None})
    assert part(match, "freshness") == 0.0
    assert "3 places free, capacity never updated" in match.reasons


def test_it_gives_capacity_and_freshness_one_reason() -> None:
    match = only_match(service={"capacity_updated_at": NOW - timedelta(days=2)})
    assert "3 places free, updated 2 days ago" in match.reasons


def test_it_gives_continuity_points_to_an_organisation_already_working_with_the_child() -> None:
    match = only_match(current_provider_ids=frozenset({101}))
    assert part(match, "continuity") == W.continuity
    assert "already working with this child" in match.reasons
    assert all(p.name != "continuity" for p in only_match().parts)


def test_it_makes_the_score_the_sum_of_its_parts() -> None:
    match = only_match(school_id=1, current_provider_ids=frozenset({101}),
                       service={"hubs": (hub(school_id=1),)})
    assert match.score == pytest.approx(sum(p.points for p in match.parts))


def test_it_ranks_matches_by_score_then_by_service_id() -> None:
    snap = snapshot(service(3), service(1), service(2, free_places=0, waitlist_length=9),
                    service(4, venue=(5000.0, 9000.0)))
    result = DirectoryIndex.build(snap).route(query())
    assert [m.service.id for m in result.needs[0].matches] == [1, 3, 4, 2]
    assert result == scan_route(snap, query())


# Every part's scalar and numpy bodies give the same bits, on random inputs.

PART_SETTINGS = settings(max_examples=200, deadline=None)
positive = st.floats(0.5, 500.0)
weights = st.builds(
    Weights, at_school=positive, distance=positive, distance_scale_m=positive, remote=positive,
    capacity=positive, full_capacity_places=positive, waitlist_penalty=positive,
    waitlist_cap=positive, wait=positive, wait_scale_days=positive, freshness=positive,
    stale_after_days=positive, continuity=positive, unstated=positive)
counts = st.lists(st.integers(-5, 60), min_size=1, max_size=20)
days = st.none() | st.floats(-5.0, 400.0)


def same_bits(scalar: list[float], vectorised: np.ndarray) -> bool:
    return np.array(scalar).tobytes() == vectorised.tobytes()


@PART_SETTINGS
@given(st.lists(st.tuples(st.integers(-5, 60), st.integers(-5, 60)), min_size=1), weights)
def test_it_scores_capacity_alike_scalar_and_vectorised(
    figures: list[tuple[int, int]], w: Weights
) -> None:
    records = [service(free_places=f, waitlist_length=q) for f, q in figures]
    free = np.array([f for f, _ in figures], dtype=np.float64)
    waiting = np.array([q for _, q in figures], dtype=np.float64)
    assert same_bits([Capacity.points(s, w) for s in records],
                     Capacity.points_array(free, waiting, w))


@PART_SETTINGS
@given(st.lists(st.tuples(st.none() | st.integers(0, 400), days), min_size=1), weights)
def test_it_scores_waits_alike_scalar_and_vectorised(
    figures: list[tuple[int | None, float | None]], w: Weights
) -> None:
    records = [service(typical_wait_days=t, measured_wait_days=m) for t, m in figures]
    known = [Wait.days(s)[0] for s in records]
    waited = np.array([np.nan if d is None else d for d in known], dtype=np.float64)
    assert same_bits([Wait.points(s, w) for s in records], Wait.points_array(waited, w))


@PART_SETTINGS
@given(st.lists(st.none() | st.floats(-3.0, 400.0), min_size=1), weights)
def test_it_scores_freshness_alike_scalar_and_vectorised(
    ages: list[float | None], w: Weights
) -> None:
    records = [service(capacity_updated_at=None if a is None else NOW - timedelta(days=a))
               for a in ages]
    now_s = epoch_seconds(NOW)
    updated = [Freshness.updated_seconds(s) for s in records]
    scalar = [Freshness.points(Freshness.age(u, now_s), w) for u in updated]
    vectorised = Freshness.points_array(Freshness.age(np.array(updated), now_s), w)
    assert same_bits(scalar, vectorised)
    assert all(p == 0.0 for p, a in zip(scalar, ages, strict=True) if a is None)


@PART_SETTINGS
@given(st.lists(st.tuples(st.none() | st.floats(0.0, 1e6), st.booleans()), min_size=1), weights)
def test_it_scores_distance_alike_scalar_and_vectorised(
    places: list[tuple[float | None, bool]], w: Weights
) -> None:
    scalar = [Distance.points(d, free, w) for d, free in places]
    distance = np.array([np.nan if d is None else d for d, _ in places], dtype=np.float64)
    free = np.array([f for _, f in places], dtype=np.bool_)
    assert same_bits(scalar, Distance.points_array(distance, free, w))


@PART_SETTINGS
@given(st.lists(st.tuples(st.booleans(), st.integers(1, 6)), min_size=1),
       st.frozensets(st.integers(1, 6), max_size=3), weights)
def test_it_scores_school_and_continuity_alike_scalar_and_vectorised(
    rows: list[tuple[bool, int]], providers: frozenset[int], w: Weights
) -> None:
    at_school = np.array([a for a, _ in rows], dtype=np.bool_)
    assert same_bits([AtSchool.points(w) if a else 0.0 for a, _ in rows],
                     AtSchool.points_array(at_school, w))
    records = [service(organisation_id=org) for _, org in rows]
    continuing = Continuity.applies_array(np.array([o for _, o in rows], dtype=np.int64),
                                          providers)
    assert continuing.tolist() == [Continuity.applies(s, providers) for s in records]
    assert same_bits([Continuity.points(w) if Continuity.applies(s, providers) else 0.0
                      for s in records], Continuity.points_array(continuing, w))


@PART_SETTINGS
@given(st.lists(st.integers(0, 7), min_size=1), st.integers(0, 7), weights)
def test_it_scores_unstated_facts_alike_scalar_and_vectorised(
    masks: list[int], asked: int, w: Weights
) -> None:
    scalar = [Unstated.points(m, asked, w) for m in masks]
    assert same_bits(scalar, Unstated.points_array(np.array(masks, dtype=np.int64), asked, w))
    assert same_bits(scalar, Unstated.points_table(asked, w).take(masks))
    assert all(p == 0.0 and str(p) == "0.0" for p, m in zip(scalar, masks, strict=True)
               if not m & asked)


@PART_SETTINGS
@given(st.lists(st.tuples(*[st.floats(-50.0, 50.0)] * 7), min_size=1))
def test_it_totals_alike_scalar_and_vectorised(parts: list[tuple[float, ...]]) -> None:
    columns = [np.array(column, dtype=np.float64) for column in zip(*parts, strict=True)]
    assert same_bits([total(*p) for p in parts], total(*columns))
