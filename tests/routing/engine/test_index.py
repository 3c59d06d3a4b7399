"""Building the index, weights and the API edges."""

from __future__ import annotations

import pytest

from routing.engine import DirectoryIndex, FamilyQuery, Weights, scan_route
from tests.routing.engine.routing_factories import NOW, hub, query, service, snapshot


def test_it_looks_services_up_by_id_and_reports_the_snapshot_version() -> None:
    index = DirectoryIndex.build(snapshot(service(1), service(2), version=42))
    assert index.version == 42
    assert index.service(2) is not None and index.service(2).id == 2  # type: ignore[union-attr]
    assert index.service(3) is None


def test_it_rejects_duplicate_service_ids() -> None:
    with pytest.raises(ValueError, match="duplicate service id 1"):
        DirectoryIndex.build(snapshot(service(1), service(1)))


def test_it_rejects_an_area_that_is_not_a_polygon() -> None:
    with pytest.raises(ValueError, match="polygon"):
        DirectoryIndex.build(snapshot(service(1, area_wkt="POINT (1 2)")))
    with pytest.raises(ValueError, match="WKT"):
        DirectoryIndex.build(snapshot(service(1, area_wkt="POLYGON ((nonsense")))


def test_it_prepares_each_distinct_area_once() -> None:
    square = "POLYGON ((0 0, 10000 0, 10000 10000, 0 10000, 0 0))"
    index = DirectoryIndex.build(snapshot(*(service(i, area_wkt=square) for i in range(1, 50))))
    assert len(index._areas) == 1


def test_it_returns_an_empty_result_for_a_query_with_no_needs() -> None:
    result = DirectoryIndex.build(snapshot(service(1))).route(FamilyQuery(needs=(), now=NOW))
    assert result.needs == () and result.team.members == ()


def test_it_routes_a_query_with_no_location_and_lists_exclusions_by_id() -> None:
    snap = snapshot(service(1), service(3, accepting=False), service(2, accepting=False))
    q = query(home=None, max_distance_m=100.0)
    result = DirectoryIndex.build(snap).route(q)
    assert [m.service.id for m in result.needs[0].matches] == [1]
    assert [e.service.id for e in result.needs[0].excluded] == [2, 3]
    assert all(e.distance_m is None for e in result.needs[0].excluded)
    assert result == scan_route(snap, q)


def test_it_limits_matches_and_exclusions_per_need() -> None:
    snap = snapshot(*(service(i) for i in range(1, 20)),
                    *(service(i, accepting=False) for i in range(20, 30)))
    result = DirectoryIndex.build(snap).route(query(limit_per_need=3, excluded_per_need=2))
    assert len(result.needs[0].matches) == 3
    assert len(result.needs[0].excluded) == 2
    assert result.needs[0].eligible_count == 19


def test_it_ranks_by_custom_weights() -> None:
    snap = snapshot(service(1, free_places=0), service(2, venue=(5000.0, 12000.0)))
    near_first = DirectoryIndex.build(snap, Weights(capacity=0.0)).route(query())
    places_first = DirectoryIndex.build(snap, Weights(distance=0.0)).route(query())
    assert [m.service.id for m in near_first.needs[0].matches] == [1, 2]
    assert [m.service.id for m in places_first.needs[0].matches] == [2, 1]


def test_it_takes_weights_from_a_mapping_and_rejects_unknown_keys() -> None:
    assert Weights.from_mapping({"distance": 5, "continuity": "2.5"}) == Weights(
        distance=5.0, continuity=2.5)
    with pytest.raises(ValueError, match="unknown routing weight"):
        Weights.from_mapping({"distanse": 5})
    with pytest.raises(ValueError, match="must be a number"):
        Weights.from_mapping({"distance": "far"})
    with pytest.raises(ValueError, match="positive"):
        Weights.from_mapping({"distance_scale_m": 0})


def test_it_finds_the_same_far_exclusions_as_the_scan_on_a_large_directory() -> None:
    # Enough services that the index widens its search in steps, not in one pass.
    services = [
        service(i, venue=(5000.0 + 97.0 * (i % 60) * (i % 7), 5000.0 + 131.0 * (i % 53) * (i % 5)),
                accepting=i % 97 != 0, min_age=0 if i % 89 else 16)
        for i in range(1, 3500)
    ]
    snap = snapshot(*services)
    index = DirectoryIndex.build(snap)
    for home in [(5000.0, 5000.0), (-30000.0, 9000.0), (60000.0, 60000.0)]:
        q = query(home=home, age=6, max_distance_m=2000.0)
        result = index.route(q)
        assert result == scan_route(snap, q)
        assert len(result.needs[0].excluded) == 5


def test_it_agrees_with_the_scan_without_a_distance_limit_on_a_large_directory() -> None:
    # Thousands of eligible rows: the team and the top matches take the paths meant
    # for long candidate lists.
    services = [
        service(i, venue=(float(i % 300) * 40.0, float(i // 300) * 40.0),
                need_codes=frozenset({("MHW.ANX", "MHW", "PAR", "SEND.ASD")[i % 4]}),
                free_places=i % 4, accepting=i % 11 != 0, measured_wait_days=float(i % 9))
        for i in range(1, 4200)
    ]
    snap = snapshot(*services)
    q = query("MHW", "PAR.EY", "SEND", home=(2000.0, 300.0), max_distance_m=None, age=None)
    result = DirectoryIndex.build(snap).route(q)
    assert result == scan_route(snap, q)
    assert len(result.team.members) == 3


def test_it_routes_an_empty_directory_to_no_matches_and_every_need_unmet() -> None:
    q = query("MHW", "PAR", max_distance_m=8000.0)
    result = DirectoryIndex.build(snapshot()).route(q)
    assert [n.matches for n in result.needs] == [(), ()]
    assert result.team.unmet == ("MHW", "PAR")
    assert result == scan_route(snapshot(), q)


def test_it_routes_a_directory_of_remote_services_only() -> None:
    snap = snapshot(service(1, venue=None, delivery_modes=frozenset({"phone"})),
                    service(2, venue=None, delivery_modes=frozenset({"home_visit"}),
                            accepting=False))
    q = query(max_distance_m=8000.0)
    result = DirectoryIndex.build(snap).route(q)
    assert [m.service.id for m in result.needs[0].matches] == [1]
    assert [e.service.id for e in result.needs[0].excluded] == [2]
    assert result == scan_route(snap, q)


def test_it_rejects_a_location_that_is_not_a_number() -> None:
    snap = snapshot(service(1))
    with pytest.raises(ValueError, match="finite"):
        DirectoryIndex.build(snap).route(query(home=(float("nan"), 1.0)))
    with pytest.raises(ValueError, match="finite"):
        scan_route(snap, query(home=(float("inf"), 1.0)))


def test_it_puts_a_service_with_many_places_as_near_as_its_nearest_place() -> None:
    far_hubs = tuple(hub(school_id=10 + k, at=(90000.0 + k, 0.0)) for k in range(6))
    near_last = (*far_hubs, hub(school_id=99, at=(5100.0, 5000.0)))
    snap = snapshot(service(1, venue=(90000.0, 0.0), hubs=near_last),
                    service(2, venue=(90000.0, 0.0), hubs=far_hubs, accepting=False))
    q = query(max_distance_m=200.0)
    result = DirectoryIndex.build(snap).route(q)
    assert [(m.service.id, m.distance_m) for m in result.needs[0].matches] == [(1, 100.0)]
    assert result == scan_route(snap, q)


def test_it_ranks_the_queries_of_one_minute_by_the_minute_s_start() -> None:
    from datetime import datetime

    from routing.engine import ranking_time

    assert ranking_time(datetime(2026, 12, 1, 9, 30, 59, 999_999)) == datetime(2026, 12, 1, 9, 30)
    assert ranking_time(datetime(2026, 12, 1, 9, 30)) == datetime(2026, 12, 1, 9, 30)
    assert ranking_time(datetime(2026, 12, 1, 9, 31, 0, 1)) == datetime(2026, 12, 1, 9, 31)
