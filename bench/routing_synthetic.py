"""Synthetic directories of England for the routing benchmark (fixed seeds).

Services cluster around towns; areas are ~150 council-like Voronoi cells of a
rough outline of England; need codes come from a two-level taxonomy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import shapely

from routing.engine import (
    DirectorySnapshot,
    FamilyQuery,
    HubRecord,
    NeedRequest,
    ServiceRecord,
)
from routing.engine.help import AUDIENCES, KINDS, LEVELS, SEVERITIES

NOW = datetime(2025, 3, 10, 12, 0)
FIVE_MILES_M = 5 * 1609.344

# A rough outline of England in British National Grid metres.
ENGLAND = shapely.Polygon([
    (133000, 30000), (248000, 54000), (368000, 70000), (440000, 90000), (530000, 103000),
    (632000, 141000), (640000, 170000), (620000, 200000), (626000, 232000),
    (655000, 280000), (622000, 343000), (560000, 340000), (560000, 380000),
    (540000, 415000), (525000, 470000), (490000, 510000), (460000, 530000),
    (437000, 570000), (400000, 655000), (370000, 605000), (335000, 566000),
    (300000, 520000), (340000, 460000), (330000, 390000), (335000, 360000),
    (325000, 300000), (320000, 230000), (355000, 190000), (330000, 160000),
    (295000, 145000), (220000, 125000), (200000, 90000), (160000, 50000),
])
LANGUAGES = ("Urdu", "Polish", "Punjabi", "Bengali", "Arabic", "Romanian", "Somali", "Gujarati")
MODES = ("school_hub", "venue", "home_visit", "online", "phone")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def taxonomy(rng: np.random.Generator) -> dict[str, str | None]:
    """About 15 parents with 3 to 6 children each."""
    parents: dict[str, str | None] = {}
    for p in range(15):
        code = f"N{p:02d}"
        parents[code] = None
        for c in range(int(rng.integers(3, 7))):
            parents[f"{code}.C{c}"] = code
    return parents


def uniform_points(rng: np.random.Generator, count: int) -> np.ndarray:
    """Points spread evenly over the England outline."""
    minx, miny, maxx, maxy = ENGLAND.bounds
    shapely.prepare(ENGLAND)
    out: list[np.ndarray] = [np.empty((0, 2))]
    got = 0
    while got < count:
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(count * 2, 2))
        keep = xy[shapely.contains_xy(ENGLAND, xy[:, 0], xy[:, 1])]
        out.append(keep)
        got += len(keep)
    return np.concatenate(out)[:count]


@dataclass
class World:
    """The fixed geography shared by every directory size."""

    councils: list[str]
    council_geoms: np.ndarray
    towns: np.ndarray
    town_weight: np.ndarray
    town_spread: np.ndarray
    schools: np.ndarray  # (n, 2)
    school_town: np.ndarray
    need_parents: dict[str, str | None]


def make_world(seed: int = 7) -> World:
    """~150 councils, 400 towns and 20,000 schools."""
    rng = np.random.default_rng(seed)
    seeds = shapely.multipoints(uniform_points(rng, 150))
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=ENGLAND))
    cells = shapely.intersection(cells, ENGLAND)
    cells = cells[~shapely.is_empty(cells)]
    # Densified edges, so point-in-area costs about what a real boundary does.
    cells = shapely.segmentize(cells, 1500.0)
    towns = uniform_points(rng, 400)
    weight = rng.pareto(1.2, 400) + 0.2
    weight /= weight.sum()
    spread = rng.uniform(1500, 6000, 400)
    school_town = rng.choice(400, size=20_000, p=weight)
    schools = towns[school_town] + rng.normal(0, 1, (20_000, 2)) * spread[school_town, None]
    return World(
        councils=[shapely.to_wkt(c, rounding_precision=0) for c in cells],
        council_geoms=cells,
        towns=towns,
        town_weight=weight,
        town_spread=spread,
        schools=schools,
        school_town=school_town,
        need_parents=taxonomy(rng),
    )


def make_directory(world: World, count: int, seed: int = 11) -> DirectorySnapshot:
    """``count`` services clustered around towns."""
    rng = np.random.default_rng(seed + count)
    town = rng.choice(len(world.towns), size=count, p=world.town_weight)
    xy = world.towns[town] + rng.normal(0, 1, (count, 2)) * world.town_spread[town, None]
    tree = shapely.STRtree(world.council_geoms)
    # The council a point falls in (or a far one for points off the outline).
    hit_pts, hit_geoms = tree.query(shapely.points(xy), predicate="intersects")
    council = rng.integers(0, len(world.councils), count)
    council[hit_pts] = hit_geoms
    shifted = xy + rng.normal(0, 15000, (count, 2))
    s_pts, s_geoms = tree.query(shapely.points(shifted), predicate="intersects")
    neighbour = council.copy()
    neighbour[s_pts] = s_geoms
    schools_of_town: dict[int, np.ndarray] = {}
    order = np.argsort(world.school_town, kind="stable")
    split = np.searchsorted(world.school_town[order], np.arange(len(world.towns) + 1))
    for t in range(len(world.towns)):
        schools_of_town[t] = order[split[t]:split[t + 1]]
    parents = [c for c, p in world.need_parents.items() if p is None]
    children = [c for c, p in world.need_parents.items() if p is not None]
    kind = rng.random(count)  # < .06 remote only, < .09 home visits only, else in person
    area_pick = rng.random(count)
    n_codes = rng.integers(1, 4, count)
    code_is_parent = rng.random((count, 3)) < 0.3
    parent_pick = rng.integers(0, len(parents), (count, 3))
    child_pick = rng.integers(0, len(children), (count, 3))
    in_person_modes = rng.integers(0, 32, count)
    remote_modes = rng.integers(1, 4, count)
    min_age = rng.choice([0, 0, 2, 5, 11, 13], count)
    span = rng.choice([4, 6, 8, 12, 18, 25], count)
    extra_lang = rng.random(count)
    lang = rng.integers(0, len(LANGUAGES), count)
    refer = rng.random(count) < 0.85
    accept = rng.random(count) < 0.85
    free = np.where(rng.random(count) < 0.6, rng.poisson(3, count), 0)
    waitlist = rng.poisson(5, count)
    typical = rng.integers(0, 120, count)
    measured = rng.gamma(2.0, 15.0, count)
    has_measured = rng.random(count) < 0.4
    updated_days = rng.exponential(30, count)
    has_updated = rng.random(count) < 0.9
    has_hubs = rng.random(count) < 0.25
    hub_count = rng.integers(1, 4, count)
    hub_pick = rng.random((count, 3))
    mode_sets = [frozenset(m for b, m in enumerate(MODES) if bits >> b & 1) | {"venue"}
                 for bits in range(32)]
    remote_sets = [frozenset(), frozenset({"online"}), frozenset({"phone"}),
                   frozenset({"online", "phone"})]
    language_sets = [frozenset({"English", lang}) for lang in LANGUAGES]
    english = frozenset({"English"})
    # Kinds of help, audiences and levels from a generator of their own, so the
    # directory is otherwise the one earlier benchmarks measured.
    help_rng = np.random.default_rng(count + 7)
    kind_sets = [frozenset(k for b, k in enumerate(KINDS) if bits >> b & 1)
                 for bits in range(1 << len(KINDS))]
    kind_pick = np.where(help_rng.random(count) < 0.1, 0,
                         1 << help_rng.integers(0, len(KINDS), count))
    kind_pick |= np.where(help_rng.random(count) < 0.3,
                          1 << help_rng.integers(0, len(KINDS), count), 0)
    audience_sets = [frozenset(a for b, a in enumerate(AUDIENCES) if bits >> b & 1)
                     for bits in range(1 << len(AUDIENCES))]
    audience_pick = help_rng.integers(0, 1 << len(AUDIENCES), count)
    levels = ["", *LEVELS]
    level_pick = help_rng.integers(0, len(levels), count)
    hub_cache: dict[int, HubRecord] = {}
    services = []
    for i in range(count):
        k = kind[i]
        if k < 0.06:
            modes = remote_sets[remote_modes[i]]
            venue = None
        elif k < 0.09:
            modes = frozenset({"home_visit"})
            venue = None
        else:
            modes = mode_sets[in_person_modes[i]]
            venue = (float(xy[i, 0]), float(xy[i, 1]))
        hubs: tuple[HubRecord, ...] = ()
        local = schools_of_town[int(town[i])]
        if venue is not None and has_hubs[i] and len(local):
            picked = sorted({int(local[int(u * len(local))]) for u in hub_pick[i, :hub_count[i]]})
            hub_list = []
            for sid in picked:
                h = hub_cache.get(sid)
                if h is None:
                    h = hub_cache[sid] = HubRecord(
                        sid, f"School {sid}", float(world.schools[sid, 0]),
                        float(world.schools[sid, 1]), (DAYS[sid % 5],))
                hub_list.append(h)
            hubs = tuple(hub_list)
        a = area_pick[i]
        area = None if a < 0.15 else int(neighbour[i] if a < 0.25 else council[i])
        codes = frozenset(
            parents[parent_pick[i, j]] if code_is_parent[i, j] else children[child_pick[i, j]]
            for j in range(n_codes[i])
        )
        services.append(ServiceRecord(
            id=i + 1,
            name=f"Service {i + 1}",
            organisation_id=1 + i // 4,
            organisation_name=f"Organisation {1 + i // 4}",
            need_codes=codes,
            min_age=int(min_age[i]),
            max_age=int(min_age[i] + span[i]),
            delivery_modes=modes,
            languages=language_sets[lang[i]] if extra_lang[i] < 0.2 else english,
            takes_system_referrals=bool(refer[i]),
            accepting=bool(accept[i]),
            free_places=int(free[i]),
            waitlist_length=int(waitlist[i]) if free[i] == 0 else 0,
            typical_wait_days=int(typical[i]),
            measured_wait_days=float(measured[i]) if has_measured[i] else None,
            capacity_updated_at=(NOW - timedelta(days=float(updated_days[i])))
            if has_updated[i] else None,
            venue=venue,
            hubs=hubs,
            area_wkt=None if area is None else world.councils[area],
            area_name="" if area is None else f"Council {area}",
            help_kinds=kind_sets[kind_pick[i]],
            audiences=audience_sets[audience_pick[i]],
            level=levels[level_pick[i]],
        ))
    return DirectorySnapshot(count, tuple(services), world.need_parents, NOW)


def make_queries(world: World, count: int, needs: int | None, seed: int = 5) -> list[FamilyQuery]:
    """Families at random homes (mostly in towns); ``needs`` None = 1 to 3 each."""
    rng = np.random.default_rng(seed)
    codes = list(world.need_parents)
    town = rng.choice(len(world.towns), size=count, p=world.town_weight)
    homes = world.towns[town] + rng.normal(0, 1, (count, 2)) * world.town_spread[town, None]
    rural = rng.random(count) < 0.15
    homes[rural] = uniform_points(rng, int(rural.sum()))
    out = []
    asks = np.random.default_rng(seed + 1000)
    severities = ["", *SEVERITIES]
    for i in range(count):
        k = needs or int(rng.integers(1, 4))
        picked = rng.choice(codes, k, replace=False)
        near = np.flatnonzero(world.school_town == town[i])
        school = int(rng.choice(near)) if len(near) and rng.random() < 0.5 else None
        out.append(FamilyQuery(
            needs=tuple(NeedRequest(str(c), int(rng.integers(1, 4)),
                                    severity=severities[int(asks.integers(0, 4))],
                                    kinds=frozenset({"advice"}) if asks.random() < 0.1
                                    else frozenset())
                        for c in picked),
            now=NOW,
            home=(float(homes[i, 0]), float(homes[i, 1])),
            school_id=school,
            school_point=None if school is None else tuple(world.schools[school].tolist()),
            age=int(rng.integers(0, 18)) if rng.random() < 0.8 else None,
            delivery_modes=frozenset(rng.choice(MODES, int(rng.integers(1, 3)), replace=False))
            if rng.random() < 0.2 else frozenset(),
            language=str(rng.choice(LANGUAGES)) if rng.random() < 0.15 else None,
            max_distance_m=FIVE_MILES_M,
            current_provider_ids=frozenset({int(rng.integers(1, 25_000))})
            if rng.random() < 0.2 else frozenset(),
        ))
    return out
