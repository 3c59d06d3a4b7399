"""Facts a provider has not stated (ages, ways of delivery, languages): never a reason
to exclude, but a reason to rank below a service that states them and passes."""

from __future__ import annotations

from routing.engine import DirectoryIndex, FamilyQuery, RoutingResult, ServiceRecord, scan_route
from routing.engine.areas import AreaCatalogue
from routing.engine.parts import Unstated
from routing.engine.rules import (
    NO_PLACE,
    AgeRule,
    DistanceRule,
    ModeRule,
    Placement,
    QueryContext,
    first_failure,
    is_distance_free,
)
from routing.engine.weights import Weights
from tests.routing.engine.routing_factories import SQUARE, query, service, snapshot

W = Weights()


def routed(*services: ServiceRecord, **overrides: object) -> RoutingResult:
    """The index's result, held to the reference scan's."""
    snap = snapshot(*services)
    result = DirectoryIndex.build(snap).route(query(**overrides))
    assert result == scan_route(snap, query(**overrides))
    return result


def ctx(q: FamilyQuery, *services: ServiceRecord) -> QueryContext:
    return QueryContext.build(q, AreaCatalogue(s.area_wkt for s in services if s.area_wkt))


def test_it_keeps_a_service_whose_ages_are_not_stated_below_one_that_states_them() -> None:
    stated = service(1, min_age=5, max_age=11)
    unknown = service(2, min_age=None, max_age=None)
    too_old = service(3, min_age=12, max_age=18)
    (need,) = routed(stated, unknown, too_old, age=8).needs
    assert [m.service.id for m in need.matches] == [1, 2]
    assert [e.service.id for e in need.excluded] == [3]
    first, second = need.matches
    assert second.score == first.score - W.unstated
    assert "ages not stated by the provider" in second.reasons
    (part,) = [p for p in second.parts if p.name == Unstated.name]
    assert (part.points, part.reason) == (-W.unstated, "ages not stated by the provider")
    assert all(p.name != Unstated.name for p in first.parts)


def test_it_does_not_count_unstated_ages_when_the_query_gives_no_age() -> None:
    (need,) = routed(service(1), service(2, min_age=None, max_age=None), age=None).needs
    assert need.matches[0].score == need.matches[1].score
    assert all(p.name != Unstated.name for m in need.matches for p in m.parts)


def test_it_tests_a_stated_bound_when_the_other_is_not_stated() -> None:
    from_eleven = service(min_age=11, max_age=None)
    up_to_five = service(min_age=None, max_age=5)
    c = ctx(query(age=8))
    assert AgeRule().reason(from_eleven, c, Placement.of(from_eleven, c)) == (
        "for ages 11 and over; this child is 8")
    assert AgeRule().reason(up_to_five, c, Placement.of(up_to_five, c)) == (
        "for ages up to 5; this child is 8")
    old = ctx(query(age=30))
    assert AgeRule().reason(from_eleven, old, Placement.of(from_eleven, old)) is None


def test_it_keeps_a_service_whose_ways_of_delivery_are_not_stated_ranked_below() -> None:
    venue = service(1, delivery_modes=frozenset({"venue"}))
    unknown = service(2, delivery_modes=frozenset())
    phone = service(3, delivery_modes=frozenset({"phone"}))
    (need,) = routed(venue, unknown, phone, delivery_modes=frozenset({"venue"}), age=8).needs
    assert [m.service.id for m in need.matches] == [1, 2]
    assert "how it is delivered not stated by the provider" in need.matches[1].reasons
    c = ctx(query(delivery_modes=frozenset({"venue"})))
    assert ModeRule().reason(unknown, c, Placement.of(unknown, c)) is None


def test_it_names_every_unstated_fact_the_query_asks_about_in_one_reason() -> None:
    unknown = service(2, min_age=None, max_age=None, delivery_modes=frozenset(),
                      languages=frozenset())
    (need,) = routed(service(1, languages=frozenset({"Urdu"})), unknown, age=8,
                     language="urdu", delivery_modes=frozenset({"venue"})).needs
    assert [m.service.id for m in need.matches] == [1, 2]
    assert need.matches[1].score == need.matches[0].score - 3 * W.unstated
    assert ("ages, how it is delivered and languages not stated by the provider"
            in need.matches[1].reasons)


def test_it_does_not_match_every_postcode_when_nothing_places_the_service() -> None:
    # Unknown is not "online": no place, no way of delivery and no area.
    nowhere = service(1, venue=None, delivery_modes=frozenset())
    assert not is_distance_free(nowhere)
    c = ctx(query(home=(90000.0, 90000.0), max_distance_m=8046.72))
    assert first_failure(nowhere, c) == ("distance", NO_PLACE)
    (need,) = routed(nowhere, home=(90000.0, 90000.0), max_distance_m=8046.72).needs
    assert need.matches == ()
    # With a way of delivery or an area stated, it is not limited by distance.
    assert is_distance_free(service(venue=None, delivery_modes=frozenset({"home_visit"})))
    in_area = service(venue=None, delivery_modes=frozenset(), area_wkt=SQUARE)
    assert is_distance_free(in_area)
    assert DistanceRule().reason(in_area, c, Placement.of(in_area, c)) is None


def test_it_limits_a_placed_service_with_unstated_ways_by_distance() -> None:
    far = service(1, venue=(90000.0, 0.0), delivery_modes=frozenset())
    assert not is_distance_free(far)
    (need,) = routed(far, max_distance_m=8046.72).needs
    assert need.matches == ()
