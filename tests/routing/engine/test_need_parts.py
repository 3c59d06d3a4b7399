"""The score parts that depend on the need asked: each with its reason, scalar and
numpy forms agreeing, and services accepting referrals always ranked first."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing.engine import (
    DirectoryIndex,
    DirectorySnapshot,
    FamilyQuery,
    Match,
    NeedRequest,
    Weights,
    scan_route,
)
from routing.engine import help as kinds_of_help
from routing.engine.parts import HelpFor, KindOfHelp, Severity, Specificity, Urgency
from routing.engine.taxonomy import BROADER, EXACT, NARROWER, Taxonomy
from tests.routing.engine.routing_factories import NEED_PARENTS, query, service, snapshot
from tests.routing.engine.strategies import queries, snapshots

W = Weights()
NAMES = Taxonomy({"MHW": None, "MHW.EATING": "MHW", "SEND": None, "SEND.ADHD": "SEND"},
                 {"MHW": "Mental health and wellbeing", "MHW.EATING": "Eating difficulties",
                  "SEND": "SEND", "SEND.ADHD": "ADHD"})
SETTINGS = settings(max_examples=100, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def part(match: Match, name: str) -> tuple[float, str]:
    found = next(p for p in match.parts if p.name == name)
    return found.points, found.reason


def ranked(snap: DirectorySnapshot, q: FamilyQuery) -> list[Match]:
    result = DirectoryIndex.build(snap).route(q)
    assert result == scan_route(snap, q)
    return list(result.needs[0].matches)


def test_it_ranks_the_specialist_above_a_general_service_nearer_with_more_places() -> None:
    general = service(1, need_codes=frozenset({"MHW"}), free_places=8, typical_wait_days=0)
    specialist = service(2, need_codes=frozenset({"MHW.ANX"}), free_places=1,
                         typical_wait_days=60, venue=(14000.0, 10000.0))
    matches = ranked(snapshot(general, specialist), query("MHW.ANX"))
    assert [m.service.id for m in matches] == [2, 1]
    assert part(matches[0], "specificity")[0] == W.specificity
    assert part(matches[1], "specificity")[0] == 0.0


def test_it_names_what_makes_a_service_specialist_or_general() -> None:
    eating = service(need_codes=frozenset({"MHW.EATING"}))
    general = service(need_codes=frozenset({"MHW"}))
    assert Specificity.part(eating, "MHW.EATING", NAMES, W)[1:] == (
        W.specificity, "specialist: eating difficulties")
    assert Specificity.part(general, "MHW.EATING", NAMES, W)[1:] == (
        0.0, "general: mental health and wellbeing")
    assert Specificity.part(eating, "MHW", NAMES, W)[1:] == (
        W.specificity / 2, "specialist: eating difficulties")
    assert Specificity.part(general, "MHW", NAMES, W)[1:] == (
        W.specificity, "for mental health and wellbeing")
    assert NAMES.name("SEND.ADHD") == "ADHD"


def test_it_ranks_advice_and_activities_below_treatment_unless_they_are_asked_for() -> None:
    advice = service(1, need_codes=frozenset({"MHW"}), help_kinds=frozenset({"advice"}))
    treatment = service(2, need_codes=frozenset({"MHW"}), help_kinds=frozenset({"treatment"}),
                        free_places=0, waitlist_length=10)
    snap = snapshot(advice, treatment)
    first = ranked(snap, query("MHW"))
    assert [m.service.id for m in first] == [2, 1]
    assert part(first[1], "kind") == (0.0, "gives advice and information, below assessment and "
                                           "treatment")
    assert part(first[0], "kind") == (W.kind, "gives treatment or therapy")
    asked = ranked(snap, query(needs=(NeedRequest("MHW", kinds=frozenset({"advice"})),)))
    assert [m.service.id for m in asked] == [1, 2]
    assert part(asked[0], "kind") == (W.kind, "gives advice and information, as asked")
    assert part(asked[1], "kind")[1] == "gives treatment or therapy, not the kind asked for"
    assert KindOfHelp.reason(0, 0) == "kind of help not stated"


def test_it_sends_a_childs_need_first_to_services_for_children() -> None:
    parents = service(1, need_codes=frozenset({"DA"}), audiences=frozenset({"parent"}))
    children = service(2, need_codes=frozenset({"DA"}), audiences=frozenset({"child"}),
                       free_places=0)
    snap = snapshot(parents, children)
    # All the help for the child: the audience rule leaves the parents' service out.
    assert [m.service.id for m in ranked(snap, query("DA"))] == [2]
    # Help for the child and for a parent in one search: the rule does not apply, and
    # the audience part ranks the child's need.
    first = ranked(snap, query(needs=(NeedRequest("DA"), NeedRequest("MHW.PARENT"))))
    assert [m.service.id for m in first] == [2, 1]
    assert part(first[0], "audience") == (W.audience, "for children and young people")
    assert part(first[1], "audience") == (0.0, "for parents and carers; help asked for the child")
    for_parent = ranked(snap, query(needs=(NeedRequest("DA", help_for="parent"),
                                           NeedRequest("MHW.ANX"))))
    assert [m.service.id for m in for_parent] == [1, 2]
    # A parent's own need is for the parent unless the practitioner says otherwise.
    assert NeedRequest("MHW.PARENT").audience == "parent"
    assert HelpFor.points(kinds_of_help.audience_bits({"family"}), "child", W) == 0.75 * W.audience


def test_it_puts_specialist_services_first_when_serious_and_early_help_for_an_early_worry(
) -> None:
    early = service(1, need_codes=frozenset({"MHW"}), level="early_help", free_places=0)
    specialist = service(2, need_codes=frozenset({"MHW"}), level="specialist", free_places=0)
    snap = snapshot(early, specialist)
    serious = ranked(snap, query(needs=(NeedRequest("MHW", severity="high"),)))
    assert [m.service.id for m in serious] == [2, 1]
    assert part(serious[0], "severity") == (W.severity, "specialist service; serious or at risk")
    worry = ranked(snap, query(needs=(NeedRequest("MHW", severity="early"),)))
    assert [m.service.id for m in worry] == [1, 2]
    assert part(worry[1], "severity") == (0.0, "specialist service; early worry")
    assert "specialist service; early worry" in worry[1].reasons
    unsaid = ranked(snap, query("MHW"))
    assert [m.service.id for m in unsaid] == [1, 2]
    assert part(unsaid[0], "severity") == (
        W.severity, "early help service; how serious not given, so early help first")
    assert part(unsaid[1], "severity") == (
        0.0, "specialist service; how serious not given, so early help first")


def test_it_weighs_places_and_short_waits_more_when_help_is_needed_now() -> None:
    near_full = service(1, need_codes=frozenset({"MHW"}), free_places=0, waitlist_length=20,
                        typical_wait_days=90, venue=(10100.0, 10000.0))
    far_free = service(2, need_codes=frozenset({"MHW"}), free_places=5, typical_wait_days=0,
                       venue=(16000.0, 10000.0))
    snap = snapshot(near_full, far_free)
    urgent = ranked(snap, query(needs=(NeedRequest("MHW", 1),)))
    assert urgent[0].service.id == 2
    points, reason = part(urgent[0], "urgency")
    assert points == (W.urgent_factor - 1) * (W.capacity + W.wait)
    assert reason == "needs help now: places and waits count 2 times"
    assert all(p.name != "urgency" for p in ranked(snap, query("MHW"))[0].parts)


@given(st.lists(st.integers(0, 2), max_size=40), st.lists(st.integers(0, 127), max_size=40),
       st.integers(0, 127), st.lists(st.integers(0, 7), max_size=40),
       st.sampled_from(list(kinds_of_help.AUDIENCES)), st.lists(st.integers(0, 3), max_size=40),
       st.integers(0, 3), st.lists(st.floats(-10, 20), min_size=2, max_size=2))
def test_it_gives_the_same_points_scalar_and_vectorised(
    levels: list[int], kinds: list[int], asked: int, audiences: list[int], want: str,
    level_slots: list[int], severity: int, figures: list[float],
) -> None:
    assert Specificity.points_array(np.array(levels, dtype=np.int8), W).tolist() == [
        Specificity.points(x, W) for x in levels]
    assert KindOfHelp.points_array(np.array(kinds, dtype=np.int64), asked, W).tolist() == [
        KindOfHelp.points(x, asked, W) for x in kinds]
    assert HelpFor.points_array(np.array(audiences, dtype=np.int64), want, W).tolist() == [
        HelpFor.points(x, want, W) for x in audiences]
    assert Severity.points_array(np.array(level_slots, dtype=np.int64), severity, W).tolist() == [
        Severity.points(x, severity, W) for x in level_slots]
    capacity, wait = figures
    assert Urgency.points_array(np.array([capacity]), np.array([wait]), W).tolist() == [
        Urgency.points(capacity, wait, W)]


def test_it_knows_how_a_service_meets_a_request() -> None:
    assert NAMES.specificity("MHW.EATING", frozenset({"MHW.EATING", "MHW"})) == (
        EXACT, "MHW.EATING")
    assert NAMES.specificity("MHW", frozenset({"MHW.EATING"})) == (NARROWER, "MHW.EATING")
    assert NAMES.specificity("MHW.EATING", frozenset({"MHW"})) == (BROADER, "MHW")


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(snapshots(), queries())
def test_it_always_ranks_a_service_not_accepting_below_every_accepting_one(
    snapshot: DirectorySnapshot, q: FamilyQuery
) -> None:
    listed = dataclasses.replace(q, require_accepting=False, limit_per_need=50)
    result = DirectoryIndex.build(snapshot).route(listed)
    assert result == scan_route(snapshot, listed)
    for need in result.needs:
        accepting = [m.service.accepting for m in need.matches]
        assert accepting == sorted(accepting, reverse=True)
        taxonomy = Taxonomy(snapshot.need_parents)
        for group in (True, False):
            levels = [taxonomy.specificity(need.need.code, m.service.need_codes)[0]
                      for m in need.matches if m.service.accepting is group]
            # Within each, those declaring the need itself before narrower and broader.
            assert levels == sorted(levels, reverse=True)
    assert NEED_PARENTS  # the strategies draw needs from this taxonomy
