"""The team around the family."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from routing.engine import DirectoryIndex, NeedRequest, Weights, scan_route
from routing.engine.team import EXACT_MAX_NEEDS, _exact, _greedy, best_per_mask, choose_team
from tests.routing.engine.routing_factories import query, service, snapshot

W = Weights()


def test_it_prefers_one_service_covering_every_need_to_several_better_scored_ones() -> None:
    team = choose_team([2, 2, 2], [(1, 0b001, 90.0), (2, 0b010, 90.0), (3, 0b100, 90.0),
                                   (4, 0b111, 10.0)], W)
    assert team == [(4, 0b111)]


def test_it_breaks_ties_in_team_size_by_total_score_then_lower_id() -> None:
    candidates = [(5, 0b011, 50.0), (6, 0b100, 50.0), (7, 0b001, 80.0), (8, 0b110, 80.0),
                  (9, 0b110, 80.0)]
    assert choose_team([2, 2, 2], candidates, W) == [(7, 0b001), (8, 0b110)]


def test_it_weighs_urgent_needs_more_when_the_total_score_breaks_ties() -> None:
    candidates = [(1, 0b01, 60.0), (2, 0b10, 40.0), (3, 0b01, 40.0), (4, 0b10, 60.0)]
    assert sorted(choose_team([2, 2], candidates, W)) == [(1, 0b01), (4, 0b10)]
    candidates = [(1, 0b11, 50.0), (2, 0b11, 50.0)]
    assert choose_team([1, 3], candidates, W) == [(1, 0b11)]


def test_it_covers_everything_greedily_beyond_six_needs() -> None:
    candidates = [(i, 1 << i, 10.0) for i in range(8)] + [(20, 0b11110000, 5.0)]
    team = choose_team([2] * 8, candidates, W)
    covered = 0
    for _, mask in team:
        covered |= mask
    assert covered == 0xFF
    assert len(team) == 5


def test_it_reports_needs_no_service_can_meet_as_unmet() -> None:
    snap = snapshot(service(1, need_codes=frozenset({"MHW"})),
                    service(2, need_codes=frozenset({"PAR", "MHW"})))
    q = query(needs=(NeedRequest("MHW.ANX"), NeedRequest("PAR.EY"), NeedRequest("SEND")))
    result = DirectoryIndex.build(snap).route(q)
    assert [(m.service.id, m.need_codes) for m in result.team.members] == [
        (2, ("MHW.ANX", "PAR.EY"))]
    assert result.team.unmet == ("SEND",)
    assert result == scan_route(snap, q)


def test_it_sends_a_need_to_the_specialist_rather_than_a_general_service_covering_more() -> None:
    # Service 2 could take both needs, but meets anxiety only through the broad code:
    # the specialist takes anxiety, even though the team then has two members.
    snap = snapshot(service(1, need_codes=frozenset({"MHW.ANX"})),
                    service(2, need_codes=frozenset({"PAR", "MHW"})))
    q = query(needs=(NeedRequest("MHW.ANX"), NeedRequest("PAR.EY")))
    result = DirectoryIndex.build(snap).route(q)
    assert [(m.service.id, m.need_codes) for m in result.team.members] == [
        (1, ("MHW.ANX",)), (2, ("PAR.EY",))]
    assert result == scan_route(snap, q)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 9), st.data())
def test_it_gives_the_team_the_full_search_gives_when_no_two_masks_share_a_need(
    needs: int, data: st.DataObject
) -> None:
    # Needs split into disjoint groups; each group is a mask several services may have.
    group_of = data.draw(st.lists(st.integers(0, needs - 1), min_size=needs, max_size=needs))
    masks = sorted({sum(1 << i for i, g in enumerate(group_of) if g == group)
                    for group in set(group_of)})
    candidates = data.draw(st.lists(
        st.tuples(st.integers(1, 30), st.sampled_from(masks),
                  st.sampled_from([0.0, 12.5, 40.0, -7.25, 81.0])), min_size=1, max_size=25))
    priorities = data.draw(st.lists(st.integers(1, 3), min_size=needs, max_size=needs))
    best = best_per_mask(candidates)
    full = 0
    for mask in best:
        full |= mask
    team = choose_team(priorities, candidates, W)
    if full in best:
        assert team == [(best[full][1], full)]
        return
    factors = [W.priority_factor(p) for p in priorities]
    search = _exact(best, factors) if needs <= EXACT_MAX_NEEDS else _greedy(best, factors)
    assert team == sorted(search, key=lambda a: ((a[1] & -a[1]).bit_length(), a[0]))
