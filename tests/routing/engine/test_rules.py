"""Each hard eligibility rule, with plain records."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing.engine import (
    DirectoryIndex,
    DirectorySnapshot,
    FamilyQuery,
    NeedRequest,
    ServiceRecord,
    Weights,
    scan_route,
)
from routing.engine.areas import AreaCatalogue
from routing.engine.columns import DISTANCE_FREE, UNSTATED_SHIFT, ServiceColumns
from routing.engine.parts import Unstated
from routing.engine.rules import (
    MAX_PACKED_AGE,
    RULE_NAMES,
    RULES,
    AcceptingRule,
    AgeRule,
    AreaRule,
    AudienceRule,
    BoolArray,
    DistanceRule,
    LanguageRule,
    ModeRule,
    NeedRule,
    Placement,
    QueryContext,
    ReferralsRule,
    Rule,
    first_failure,
    required_flags,
    rule_flags,
)
from routing.engine.taxonomy import Taxonomy
from tests.routing.engine.routing_factories import (
    NEED_PARENTS,
    OTHER_SQUARE,
    SQUARE,
    hub,
    query,
    service,
    snapshot,
)
from tests.routing.engine.strategies import queries, snapshots


def ctx(q: FamilyQuery, *services: ServiceRecord) -> QueryContext:
    areas = AreaCatalogue(s.area_wkt for s in services if s.area_wkt is not None)
    return QueryContext.build(q, areas)


def why(rule: Rule, s: ServiceRecord, c: QueryContext) -> str | None:
    """The rule's reason for excluding ``s``, or None when it passes."""
    return rule.reason(s, c, Placement.of(s, c))


def test_it_meets_a_child_code_with_the_same_code_or_its_parent() -> None:
    codes = Taxonomy(NEED_PARENTS).matching_codes("MHW.ANX")
    assert NeedRule.meets(service(need_codes=frozenset({"MHW.ANX"})), codes)
    assert NeedRule.meets(service(need_codes=frozenset({"MHW"})), codes)
    assert not NeedRule.meets(service(need_codes=frozenset({"MHW.DEP"})), codes)


def test_it_meets_a_parent_code_with_its_children() -> None:
    codes = Taxonomy(NEED_PARENTS).matching_codes("MHW")
    assert NeedRule.meets(service(need_codes=frozenset({"MHW.DEP"})), codes)
    assert not NeedRule.meets(service(need_codes=frozenset({"SEND.ASD"})), codes)


def test_it_matches_an_unknown_code_only_to_itself() -> None:
    assert Taxonomy(NEED_PARENTS).matching_codes("XYZ") == frozenset({"XYZ"})


def test_it_excludes_a_child_outside_the_age_range_and_says_why() -> None:
    s = service(min_age=5, max_age=11)
    assert why(AgeRule(), s, ctx(query(age=3))) == "for ages 5 to 11; this child is 3"
    assert why(AgeRule(), s, ctx(query(age=5))) is None
    assert why(AgeRule(), s, ctx(query(age=11))) is None
    assert why(AgeRule(), s, ctx(query(age=None))) is None


def test_it_takes_an_approximate_age_as_a_range_that_must_overlap() -> None:
    s = service(min_age=5, max_age=11)
    # Born in a known year only: 4 or 5 now.
    assert why(AgeRule(), s, ctx(query(age=4, age_upper=5))) is None
    assert why(AgeRule(), s, ctx(query(age=11, age_upper=12))) is None
    assert why(AgeRule(), s, ctx(query(age=3, age_upper=4))) == (
        "for ages 5 to 11; this child is 3 or 4")
    assert why(AgeRule(), s, ctx(query(age=12, age_upper=14))) == (
        "for ages 5 to 11; this child is 12 to 14")


def test_it_excludes_a_parent_only_service_for_a_child_and_says_why() -> None:
    mothers = service(need_codes=frozenset({"MHW.ANX"}), audiences=frozenset({"parent"}))
    child_query = query(needs=(NeedRequest("MHW.ANX"),))
    assert child_query.subject == "child"
    assert why(AudienceRule(), mothers, ctx(child_query)) == (
        "for parents or carers, not children")
    parent_query = query(needs=(NeedRequest("MHW.ANX", help_for="parent"),))
    assert why(AudienceRule(), mothers, ctx(parent_query)) is None


def test_it_excludes_a_child_only_service_for_a_parent() -> None:
    camhs = service(audiences=frozenset({"child"}))
    parent_query = query(needs=(NeedRequest("MHW.PARENT"),))
    assert parent_query.subject == "parent"
    assert why(AudienceRule(), camhs, ctx(parent_query)) == (
        "for children and young people, not parents or carers")


def test_it_fits_whole_family_and_unstated_services_to_everyone() -> None:
    for audiences in ({"family"}, {"parent", "child"}, set()):
        s = service(audiences=frozenset(audiences))
        for help_for in ("child", "parent", "family", ""):
            q = query(needs=(NeedRequest("MHW.ANX", help_for=help_for),))
            assert why(AudienceRule(), s, ctx(q)) is None, (audiences, help_for)


def test_it_applies_the_audience_rule_only_when_all_the_help_is_for_one_person() -> None:
    mixed = query(needs=(NeedRequest("MHW.ANX"), NeedRequest("MHW.PARENT")))
    assert mixed.subject == ""
    assert why(AudienceRule(), service(audiences=frozenset({"parent"})), ctx(mixed)) is None
    family = query(needs=(NeedRequest("MHW.ANX", help_for="family"),))
    assert why(AudienceRule(), service(audiences=frozenset({"child"})), ctx(family)) is None


def test_it_routes_a_parent_only_service_for_a_parent_but_not_a_child() -> None:
    snap = snapshot(
        service(1, need_codes=frozenset({"MHW.ANX"}), audiences=frozenset({"parent"}),
                venue=(5000.0, 5000.0)),
        service(2, need_codes=frozenset({"MHW.ANX"}), audiences=frozenset({"child"}),
                venue=(5100.0, 5000.0)),
        service(3, need_codes=frozenset({"MHW.ANX"}), audiences=frozenset({"family"}),
                venue=(5200.0, 5000.0)),
    )
    for help_for, matched, excluded in (("child", [2, 3], (1, "for parents or carers, not "
                                                               "children")),
                                        ("parent", [1, 3], (2, "for children and young "
                                                               "people, not parents or carers"))):
        q = query(needs=(NeedRequest("MHW.ANX", help_for=help_for),), max_distance_m=8000.0)
        result = DirectoryIndex.build(snap).route(q)
        need = result.needs[0]
        assert sorted(m.service.id for m in need.matches) == matched
        assert [(e.service.id, e.reason) for e in need.excluded] == [excluded]
        assert need.excluded[0].rule == "audience"
        assert result == scan_route(snap, q)


def test_it_excludes_a_service_outside_its_area() -> None:
    s = service(area_wkt=OTHER_SQUARE, area_name="Wigan")
    assert why(AreaRule(), s, ctx(query(), s)) == "the family lives outside its area (Wigan)"


def test_it_accepts_a_home_inside_the_area_or_on_its_edge() -> None:
    s = service(area_wkt=SQUARE)
    assert why(AreaRule(), s, ctx(query(home=(1.0, 1.0)), s)) is None
    assert why(AreaRule(), s, ctx(query(home=(10000.0, 5000.0)), s)) is None


def test_it_uses_the_school_point_for_the_area_when_there_is_no_home() -> None:
    s = service(area_wkt=SQUARE)
    assert why(AreaRule(), s, ctx(query(home=None, school_point=(25000.0, 5000.0)), s)) is not None
    assert why(AreaRule(), s, ctx(query(home=None, school_point=(5000.0, 5000.0)), s)) is None


def test_it_opens_a_service_without_an_area_to_everyone() -> None:
    assert why(AreaRule(), service(area_wkt=None), ctx(query(home=(9e5, 9e5)))) is None


def test_it_excludes_a_service_offering_none_of_the_asked_modes() -> None:
    s = service(delivery_modes=frozenset({"online", "phone"}))
    reason = why(ModeRule(), s, ctx(query(delivery_modes=frozenset({"venue"}))))
    assert reason == "only offered online and by phone"
    assert why(ModeRule(), s, ctx(query(delivery_modes=frozenset({"phone", "venue"})))) is None
    assert why(ModeRule(), s, ctx(query())) is None


def test_it_matches_languages_ignoring_case() -> None:
    s = service(languages=frozenset({"English", "Urdu"}))
    assert why(LanguageRule(), s, ctx(query(language="urdu"))) is None
    assert why(LanguageRule(), s, ctx(query(language="Polish"))) == "not offered in Polish"


def test_it_never_excludes_a_service_that_does_not_state_its_languages() -> None:
    s = service(languages=frozenset())
    assert why(LanguageRule(), s, ctx(query(language="Polish"))) is None


def test_it_excludes_a_service_that_does_not_take_system_referrals_only_when_required() -> None:
    s = service(takes_system_referrals=False)
    assert why(ReferralsRule(), s, ctx(query())) == "does not take referrals through this system"
    assert why(ReferralsRule(), s, ctx(query(require_system_referrals=False))) is None


def test_it_excludes_a_closed_service_only_when_accepting_is_required() -> None:
    s = service(accepting=False)
    assert why(AcceptingRule(), s, ctx(query())) == "not accepting referrals at the moment"
    assert why(AcceptingRule(), s, ctx(query(require_accepting=False))) is None


def test_it_keeps_a_service_with_no_free_places_eligible() -> None:
    s = service(free_places=0, waitlist_length=4)
    assert first_failure(s, ctx(query())) is None


def test_it_excludes_a_service_beyond_the_distance_limit_in_miles() -> None:
    s = service(venue=(5000.0 + 16093.44, 5000.0))
    reason = why(DistanceRule(), s, ctx(query(max_distance_m=8046.72)))
    assert reason == "10.0 miles away, beyond the 5.0-mile limit"


def test_it_counts_the_nearest_place_for_distance() -> None:
    s = service(venue=(90000.0, 0.0), hubs=(hub(school_id=7, at=(5100.0, 5000.0)),))
    assert why(DistanceRule(), s, ctx(query(max_distance_m=200.0))) is None


def test_it_always_passes_a_service_at_the_childs_own_school_on_distance() -> None:
    s = service(venue=(90000.0, 0.0), hubs=(hub(school_id=7, at=(90000.0, 10.0)),))
    assert why(DistanceRule(), s, ctx(query(max_distance_m=100.0, school_id=7))) is None
    assert why(DistanceRule(), s, ctx(query(max_distance_m=100.0, school_id=8))) is not None


def test_it_does_not_limit_remote_and_placeless_services_by_distance() -> None:
    online = service(venue=(90000.0, 0.0), delivery_modes=frozenset({"online"}))
    visits = service(venue=None, delivery_modes=frozenset({"home_visit"}))
    q = ctx(query(max_distance_m=100.0))
    assert why(DistanceRule(), online, q) is None
    assert why(DistanceRule(), visits, q) is None


def test_it_explains_an_exclusion_by_the_first_failing_rule_in_the_fixed_order() -> None:
    s = service(min_age=12, max_age=16, accepting=False, area_wkt=OTHER_SQUARE)
    assert first_failure(s, ctx(query(age=4), s)) == (
        "age", "for ages 12 to 16; this child is 4")
    assert first_failure(s, ctx(query(), s))[0] == "area"  # type: ignore[index]


def test_it_lists_excluded_near_candidates_nearest_first() -> None:
    snap = snapshot(
        service(1, accepting=False, venue=(5300.0, 5000.0)),
        service(2, min_age=15, venue=(5100.0, 5000.0)),
        service(3, takes_system_referrals=False, venue=(5100.0, 5000.0)),
        service(4, venue=(5000.0, 5000.0)),
    )
    q = query(age=6, max_distance_m=8000.0)
    result = DirectoryIndex.build(snap).route(q)
    assert [(e.service.id, e.rule) for e in result.needs[0].excluded] == [
        (2, "age"), (3, "referrals"), (1, "accepting")]
    assert result == scan_route(snap, q)


def test_it_explains_far_exclusions_when_there_are_too_few_near_ones() -> None:
    snap = snapshot(
        service(1, venue=(5000.0, 5000.0)),
        service(2, venue=(5000.0, 60000.0)),
        service(3, venue=(5000.0, 400000.0), accepting=False),
        service(4, venue=None, delivery_modes=frozenset({"online"}), accepting=False),
    )
    q = query(max_distance_m=8000.0)
    result = DirectoryIndex.build(snap).route(q)
    assert [(e.service.id, e.rule) for e in result.needs[0].excluded] == [
        (2, "distance"), (3, "distance"), (4, "accepting")]
    assert result == scan_route(snap, q)


# Every form of every rule gives the scalar rule's answer, on random directories.

RULE_SETTINGS = settings(max_examples=150, deadline=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# Ages beyond the packed flags (and nonsense ones) too, for the age rule's fallback.
any_age = st.none() | st.integers(-3, MAX_PACKED_AGE + 10)


def scalar_passes(rule: Rule, snap: DirectorySnapshot, c: QueryContext) -> list[bool]:
    return [rule.reason(s, c, Placement.of(s, c)) is None for s in sorted_services(snap)]


def sorted_services(snap: DirectorySnapshot) -> list[ServiceRecord]:
    return sorted(snap.services, key=lambda s: s.id)


def vector(passed: BoolArray | None, n: int) -> list[bool]:
    """A ``passes_array`` answer as a list (None: every row passes)."""
    return [True] * n if passed is None else passed.tolist()


def columns_and_context(
    snap: DirectorySnapshot, q: FamilyQuery
) -> tuple[ServiceColumns, AreaCatalogue, QueryContext]:
    services = sorted_services(snap)
    areas = AreaCatalogue(s.area_wkt for s in services if s.area_wkt is not None)
    cols = ServiceColumns.build(services, areas, Weights())
    return cols, areas, QueryContext.build(q, areas, find_areas=True)


@RULE_SETTINGS
@given(snapshots(), queries(), any_age, st.none() | st.integers(0, 4))
def test_it_gives_the_same_answer_for_every_rule_scalar_and_vectorised(
    snap: DirectorySnapshot, q: FamilyQuery, age: int | None, spread: int | None
) -> None:
    q = dataclasses.replace(q, age=age, age_upper=None if age is None or spread is None
                            else age + spread)
    cols, areas, c = columns_and_context(snap, q)
    services = sorted_services(snap)
    n = len(services)
    rows = np.arange(n)
    placements = [Placement.of(s, c) for s in services]
    distance = (np.full(n, np.nan) if c.point is None
                else cols.nearest(cols.row_floats[rows], rows, c.point[0], c.point[1]))
    at_school = np.array([p.at_school for p in placements])
    offering = {lang: np.isin(rows, lang_rows) for lang, lang_rows in cols.by_language.items()}
    vectorised: dict[str, BoolArray | None] = {
        "age": AgeRule.passes_array(c, cols.min_age, cols.max_age),
        "audience": AudienceRule.passes_array(c, cols.audiences),
        "area": AreaRule.passes_array(c, cols.area_slot, c.inside_slots or (), len(areas)),
        "distance": DistanceRule.passes_array(c, distance, cols.distance_free, at_school),
        "mode": ModeRule.passes_array(c, cols.modes, cols.mode_bit),
        "language": LanguageRule.passes_array(c, offering, rows),
    }
    # The referrals and accepting rules have only the packed form (tested below).
    assert list(vectorised) == [r for r in RULE_NAMES if r not in ("referrals", "accepting")]
    for rule in RULES:
        if rule.name in vectorised:
            assert vector(vectorised[rule.name], n) == scalar_passes(rule, snap, c), rule.name
    # The distances the index works out are the scalar ones, to the bit.
    assert [None if d != d else d for d in distance.tolist()] == [p.distance for p in placements]
    # The area rule's slot form, as the index explains exclusions with it.
    assert [AreaRule.slot_passes(slot, c) for slot in cols.area_slot.tolist()] == [
        s.area_wkt is None or c.in_area(s.area_wkt) for s in services]


@RULE_SETTINGS
@given(snapshots(), queries(), any_age, st.none() | st.integers(0, 2))
def test_it_packs_the_referrals_accepting_audience_and_age_rules_into_flags(
    snap: DirectorySnapshot, q: FamilyQuery, age: int | None, spread: int | None
) -> None:
    q = dataclasses.replace(q, age=age, age_upper=None if age is None or spread is None
                            else age + spread)
    cols, _, c = columns_and_context(snap, q)
    required = required_flags(q)
    # The index passes the subject its context worked out: the same bits.
    assert required_flags(q, c.subject) == required
    packed = [(flags & required) == required for flags in cols.flags.tolist()]
    rules: list[Rule] = [ReferralsRule(), AcceptingRule(), AudienceRule()]
    if AgeRule.packs(q):
        rules.append(AgeRule())
    scalar = [all(r.reason(s, c, Placement.of(s, c)) is None for r in rules)
              for s in sorted_services(snap)]
    assert packed == scalar
    assert [rule_flags(s) for s in sorted_services(snap)] == (
        cols.flags & ~(DISTANCE_FREE | 7 << UNSTATED_SHIFT)).tolist()
    # The facts each service leaves unstated ride in the same word.
    assert [Unstated.bits(s) for s in sorted_services(snap)] == (
        cols.flags >> UNSTATED_SHIFT & 7).tolist()


@RULE_SETTINGS
@given(snapshots(), st.sampled_from([*NEED_PARENTS, "UNKNOWN"]))
def test_it_gives_the_same_answer_for_the_need_rule_scalar_and_vectorised(
    snap: DirectorySnapshot, code: str
) -> None:
    services = sorted_services(snap)
    cols, _, _ = columns_and_context(snap, query())
    codes = Taxonomy(NEED_PARENTS).matching_codes(code)
    assert NeedRule.meets_array(codes, cols.by_code, len(services)).tolist() == [
        NeedRule.meets(s, codes) for s in services]
