"""The judged set (scenarios.py) against the demo: the first suggestion must be one a
practitioner would accept for at least 90% of needs, and nothing judged wrong may
show in the first three. The figures are printed (``pytest -s``) and kept in the
README."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from hub.search.operations import SearchCriteria, SearchOutcome, search_services
from routing.engine import DirectoryIndex
from routing.snapshot import read_directory
from services.db import utcnow
from tests.conftest import loaded_demo
from tests.routing.judged.scenarios import SCENARIOS, Ask, Scenario

pytestmark = pytest.mark.xdist_group("demo_judged_set")
# The demo's capacity figures are dated from the load, as on a live demo.
NOW = utcnow()
TOP1_GOAL = 0.9


@pytest.fixture(scope="module")
def demo(database_url: str) -> Iterator[tuple[Session, DirectoryIndex]]:
    with loaded_demo(database_url, NOW) as (session, _):
        yield session, DirectoryIndex.build(read_directory(session).snapshot)


def search(demo: tuple[Session, DirectoryIndex], scenario: Scenario) -> SearchOutcome:
    session, index = demo
    return search_services(session, index, SearchCriteria(
        need_codes=tuple(ask.code for ask in scenario.needs), postcode=scenario.postcode,
        age=scenario.age, radius_miles=5, severity=scenario.severity, urgent=scenario.urgent,
        kinds=scenario.kinds, help_for=scenario.help_for,
    ))


def test_it_judges_only_services_the_demo_has(demo: tuple[Session, DirectoryIndex]) -> None:
    _, index = demo
    names = {index.service(int(i)).name for i in index._cols.ids}  # type: ignore[union-attr]
    named = {n for s in SCENARIOS for a in s.needs for n in a.accept | a.not_top3}
    assert named - names == set()
    assert len(SCENARIOS) >= 40
    assert {a.code.split(".")[0] for s in SCENARIOS for a in s.needs} >= {
        "MHW", "SEMH", "SEND", "HOUSING", "DA", "PARENTING", "EARLY", "ATTEND", "CARERS",
        "SUBSTANCE", "MONEY", "HEALTH", "ACTIVITY", "BEREAVE", "EXPLOIT"}


def test_it_suggests_first_what_a_practitioner_would_accept(
    demo: tuple[Session, DirectoryIndex],
) -> None:
    checks = acceptable = wrong = 0
    misses: list[str] = []
    for scenario in SCENARIOS:
        outcome = search(demo, scenario)
        team = {code: m.service.name for m in outcome.result.team.members
                for code in m.need_codes}
        for ask, need in zip(scenario.needs, outcome.result.needs, strict=True):
            names = [m.service.name for m in need.matches]
            checks += 1
            if names[:1] and names[0] in ask.accept:
                acceptable += 1
            else:
                misses.append(f"{scenario.title} / {ask.code}: first {names[:3]}")
            bad = set(names[:3]) & ask.not_top3
            if bad:
                wrong += 1
                misses.append(f"{scenario.title} / {ask.code}: {sorted(bad)} in the top 3")
            if scenario.team:
                checks += 1
                if team.get(ask.code) in ask.accept:
                    acceptable += 1
                else:
                    misses.append(f"{scenario.title} / {ask.code}: team sends to "
                                  f"{team.get(ask.code)}")
    print(f"\njudged set: {len(SCENARIOS)} scenarios, {checks} checks; first suggestion "
          f"acceptable {acceptable} of {checks} ({acceptable / checks:.0%}); wrong in the "
          f"top 3: {wrong}")
    for miss in misses:
        print("  ", miss)
    assert acceptable / checks >= TOP1_GOAL, misses
    assert wrong == 0, misses


def test_it_leaves_the_mothers_group_out_of_a_childs_mental_health_search(
    demo: tuple[Session, DirectoryIndex],
) -> None:
    # The issue's case: "Mothers' wellbeing group" topped a 9-year-old's search.
    mothers = "Mothers' wellbeing group"
    town_centre = "BL1 1SE"  # inside the group's area
    for code in ("MHW", "MHW.ANX"):
        child = search(demo, Scenario("9-year-old", 9, (Ask(code, frozenset()),),
                                      postcode=town_centre))
        need = child.result.needs[0]
        assert mothers not in [m.service.name for m in need.matches]
        assert mothers not in [m.service.name for m in child.result.team.members]
    parent = search(demo, Scenario("9-year-old's mother", 9, (Ask("MHW.ANX", frozenset()),),
                                   help_for="parent", postcode=town_centre))
    assert mothers in [m.service.name for m in parent.result.needs[0].matches]


def test_it_says_who_every_demo_service_is_for(demo: tuple[Session, DirectoryIndex]) -> None:
    _, index = demo
    services = [index.service(int(i)) for i in index._cols.ids]  # type: ignore[union-attr]
    assert [s.name for s in services if s is not None and not s.audiences] == []
