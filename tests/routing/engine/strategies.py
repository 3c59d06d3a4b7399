"""Hypothesis strategies for routing records: random directories and queries."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import strategies as st

from routing.engine import (
    DirectorySnapshot,
    FamilyQuery,
    NeedRequest,
    ServiceRecord,
)
from routing.engine.help import AUDIENCES, KINDS, LEVELS, SEVERITIES
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


@st.composite
def services(draw: st.DrawFn, service_id: int) -> ServiceRecord:
    min_age = draw(st.integers(0, 12))
    max_age = min_age + draw(st.integers(0, 14))
    # Either bound may be unstated by the provider (None).
    stated = draw(st.sampled_from(["both", "both", "both", "none", "youngest", "oldest"]))
    return service(
        service_id,
        organisation_id=draw(st.integers(1, 6)),
        need_codes=frozenset(draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=3))),
        min_age=min_age if stated in ("both", "youngest") else None,
        max_age=max_age if stated in ("both", "oldest") else None,
        delivery_modes=frozenset(draw(st.lists(st.sampled_from(MODES), max_size=3))),
        languages=frozenset(draw(st.lists(st.sampled_from(["English", "urdu", "Polish"]),
                                          min_size=0, max_size=2))),
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
        help_kinds=frozenset(draw(st.lists(st.sampled_from([*KINDS, "unknown"]), max_size=2))),
        audiences=frozenset(draw(st.lists(st.sampled_from(list(AUDIENCES)), max_size=2))),
        level=draw(st.sampled_from(["", *LEVELS])),
    )


@st.composite
def snapshots(draw: st.DrawFn) -> DirectorySnapshot:
    ids = draw(st.lists(st.integers(1, 500), min_size=4, max_size=30, unique=True))
    return DirectorySnapshot(1, tuple(draw(services(i)) for i in ids), NEED_PARENTS, NOW,
                             {code: code.title() for code in NEED_PARENTS})


@st.composite
def need_requests(draw: st.DrawFn, code: str) -> NeedRequest:
    return NeedRequest(
        code, draw(st.integers(1, 3)), severity=draw(st.sampled_from(["", *SEVERITIES])),
        kinds=frozenset(draw(st.lists(st.sampled_from(list(KINDS)), max_size=2))),
        help_for=draw(st.sampled_from(["", *AUDIENCES])),
    )


@st.composite
def queries(draw: st.DrawFn) -> FamilyQuery:
    age = draw(st.none() | st.integers(0, 19))
    spread = draw(st.sampled_from([None, None, None, 1, 3]))
    return FamilyQuery(
        needs=tuple(draw(need_requests(c)) for c in draw(
            st.lists(st.sampled_from([*CODES, "UNKNOWN"]), min_size=1, max_size=4))),
        now=NOW,
        home=draw(st.none() | point),
        school_id=draw(st.none() | st.integers(1, 4)),
        school_point=draw(st.none() | point),
        age=age,
        age_upper=None if age is None or spread is None else age + spread,
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
