"""DirectoryIndex: the fast router, built once per directory snapshot.

A query gathers candidates from three places rather than scanning the directory:
places within the distance limit (a strip index), services at the child's school,
and services not limited by distance (bucketed by service area). The hard rules
and the score are then evaluated over those few hundred rows with numpy, and only
the returned matches and exclusions are turned into records with reasons.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from routing.engine.areas import AreaCatalogue
from routing.engine.columns import (
    ACCEPTING,
    AGE_SHIFT,
    DISTANCE_FREE,
    MAX_PACKED_AGE,
    REFERRALS,
    BoolArray,
    FloatArray,
    IntArray,
    ServiceColumns,
)
from routing.engine.explain import exclusion_at, make_team, rank_matches
from routing.engine.grid import PointGrid
from routing.engine.records import DirectorySnapshot, FamilyQuery, HubRecord, ServiceRecord
from routing.engine.results import Match, NeedResult, RoutingResult, ScorePart, TeamProposal
from routing.engine.rules import QueryContext, hub_at_school
from routing.engine.scoring import SECONDS_PER_DAY, StaticParts, epoch_seconds, score_parts
from routing.engine.taxonomy import Taxonomy
from routing.engine.team import choose_team
from routing.engine.weights import Weights

# Exclusions beyond the limit: how many times to double the radius before a full pass.
_WIDENINGS = 3
# ... unless the short needs have at most this many services between them: then a
# single pass over all of them is cheaper.
_FULL_PASS_ROWS = 3000
_EMPTY = np.empty(0, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class _Evaluation:
    """Rule outcome, distance and score of candidate rows (parallel arrays)."""

    rows: IntArray  # sorted, distinct
    ok: BoolArray  # passes every rule but the need rule
    distance: FloatArray  # NaN = no distance
    score: FloatArray
    at_school: BoolArray
    continuing: BoolArray


# (row, score, parts, reasons, distance, hub): a Match but for its need code.
_Explained = tuple[
    int, float, tuple[ScorePart, ...], tuple[str, ...], float | None, HubRecord | None
]


class DirectoryIndex:
    """An immutable, thread-safe routing index over one directory snapshot."""

    def __init__(self, snapshot: DirectorySnapshot, weights: Weights) -> None:
        """Prefer ``DirectoryIndex.build``. Raises ValueError as ``build`` does."""
        services = sorted(snapshot.services, key=lambda s: s.id)
        for a, b in itertools.pairwise(services):
            if a.id == b.id:
                raise ValueError(f"duplicate service id {a.id} in snapshot")
        self._snapshot_version = snapshot.version
        self._weights = weights
        self._areas = AreaCatalogue(s.area_wkt for s in services if s.area_wkt is not None)
        self._taxonomy = Taxonomy(snapshot.need_parents)
        self._cols = cols = ServiceColumns.build(services, self._areas, weights)
        self._by_id = {s.id: s for s in services}
        # Capacity and wait parts per row, shared between rows with equal figures.
        parts = StaticParts(weights)
        self._static: list[tuple[ScorePart, ScorePart]] = [parts(s) for s in services]
        n = len(services)
        rows_of_points = np.repeat(np.arange(n, dtype=np.int64), cols.point_count)
        self._grid = PointGrid(cols.point_x, cols.point_y, rows_of_points)
        free_rows = np.flatnonzero(cols.distance_free)
        free_slots = cols.area_slot[free_rows]
        self._free_by_slot = {
            int(slot): free_rows[free_slots == slot] for slot in np.unique(free_slots)
        }
        # One boolean column per known code, so the need rule is one gather. Built
        # here only: the index is never mutated by a query, so it is thread-safe.
        self._no_rows = np.zeros(n, dtype=np.bool_)
        self._need_masks: dict[str, BoolArray] = {}
        self._rows_of_need: dict[str, IntArray] = {}
        for code in set(snapshot.need_parents) | set(cols.by_code):
            mask = np.zeros(n, dtype=np.bool_)
            for declared in self._taxonomy.matching_codes(code):
                declared_rows = cols.by_code.get(declared)
                if declared_rows is not None:
                    mask[declared_rows] = True
            self._need_masks[code] = mask
            self._rows_of_need[code] = np.flatnonzero(mask)
        self._language_masks: dict[str, BoolArray] = {}
        for lang, rows in cols.by_language.items():
            mask = np.zeros(n, dtype=np.bool_)
            mask[rows] = True
            self._language_masks[lang] = mask

    @classmethod
    def build(cls, snapshot: DirectorySnapshot, weights: Weights | None = None) -> DirectoryIndex:
        """Index ``snapshot``.

        Raises ValueError for duplicate service ids or a service area that is not
        a valid polygon WKT.
        """
        return cls(snapshot, weights or Weights())

    @property
    def version(self) -> int:
        """The version of the snapshot this index was built from."""
        return self._snapshot_version

    def service(self, service_id: int) -> ServiceRecord | None:
        """The service with this id, or None."""
        return self._by_id.get(service_id)

    def __len__(self) -> int:
        return len(self._cols.services)

    def _need_mask(self, code: str) -> BoolArray:
        """Rows meeting a request for ``code``; all False for a code nobody knows."""
        mask = self._need_masks.get(code)
        return self._no_rows if mask is None else mask

    def _need_rows(self, code: str) -> IntArray:
        rows = self._rows_of_need.get(code)
        return _EMPTY if rows is None else rows

    def route(self, query: FamilyQuery) -> RoutingResult:
        """Rank services for each need, explain near exclusions, propose a team.

        Gives the same result as ``scan_route`` on the same snapshot. Never raises
        for a well-formed query.
        """
        ctx = QueryContext.build(query, self._areas, find_areas=True)
        cols = self._cols
        if not query.needs:
            return RoutingResult((), TeamProposal((), ()), self.version)
        masks = [self._need_mask(need.code) for need in query.needs]
        slots = sorted(ctx.inside_slots or ())
        limit = query.max_distance_m
        spatial = ctx.point is not None and limit is not None
        if ctx.point is not None and limit is not None:
            found = [self._grid.rows_within(ctx.point[0], ctx.point[1], limit)]
            if query.school_id is not None:
                found.append(cols.by_school.get(query.school_id, _EMPTY))
            for slot in (0, *slots):
                found.append(self._free_by_slot.get(slot, _EMPTY))
            rows = np.concatenate(found)
            wanted = masks[0][rows]
            for mask in masks[1:]:
                wanted |= mask[rows]
            rows = _unique(rows[wanted])
        else:
            rows = _unique(np.concatenate([self._need_rows(n.code) for n in query.needs]))
        ev = self._evaluate(rows, ctx, slots)
        # Failing rows nearest first, ties by row (= id order, as the sort is stable
        # and rows ascend), no distance last: each need's exclusions come from here.
        # Beyond the limit it may be incomplete.
        failing = np.flatnonzero(~ev.ok)
        if spatial and limit is not None:
            failing = failing[ev.distance[failing] <= limit]
        failing = failing[np.argsort(ev.distance[failing], kind="stable")]

        want = max(query.excluded_per_need, 0)
        limit_n = max(query.limit_per_need, 0)
        team_masks = np.zeros(len(rows), dtype=np.int64) if len(query.needs) <= 62 else None
        eligible_sets: list[IntArray] = []
        explained: dict[int, _Explained] = {}
        ranked: list[list[Match]] = []
        nearest: list[list[tuple[int, float | None]]] = []
        short: list[int] = []  # needs with too few exclusions within the limit
        now_s = epoch_seconds(query.now)
        for i, need in enumerate(query.needs):
            meets = masks[i][rows]
            eligible = np.flatnonzero(meets & ev.ok)
            eligible_sets.append(eligible)
            if team_masks is not None:
                team_masks[eligible] |= 1 << i
            # Highest score first; the stable sort keeps ascending rows (ids) for ties.
            top = eligible[np.argsort(-ev.score[eligible], kind="stable")[:limit_n]]
            matches = []
            for pos in top.tolist():
                facts = explained.get(pos)
                if facts is None:
                    facts = explained[pos] = self._explain_match(pos, ev, ctx, now_s)
                matches.append(Match(cols.services[facts[0]], need.code, *facts[1:]))
            ranked.append(rank_matches(matches))
            near = failing[meets[failing]][:want].tolist()
            nearest.append(_with_distance(ev, near))
            if spatial and len(near) < want:
                short.append(i)
        if short:
            codes = [query.needs[i].code for i in short]
            wider = self._wider_exclusions(ctx, codes, slots, want)
            for i, far in zip(short, wider, strict=True):
                nearest[i] = far
        results = [
            NeedResult(
                need=need,
                matches=tuple(ranked[i]),
                excluded=tuple(
                    exclusion_at(cols.services[row], need.code, ctx, d) for row, d in nearest[i]
                ),
                eligible_count=len(eligible_sets[i]),
            )
            for i, need in enumerate(query.needs)
        ]
        team = choose_team(
            [n.priority for n in query.needs],
            self._team_candidates(rows, ev, team_masks, eligible_sets),
            self._weights,
        )
        return RoutingResult(
            needs=tuple(results),
            team=make_team(query.needs, results, team, self._by_id.__getitem__),
            snapshot_version=self.version,
        )

    def _explain_match(
        self, pos: int, ev: _Evaluation, ctx: QueryContext, now_s: float
    ) -> _Explained:
        """(row, score, parts, reasons, distance, hub) of candidate ``pos``."""
        cols = self._cols
        row = int(ev.rows[pos])
        service = cols.services[row]
        static = self._static[row]
        distance: float | None = float(ev.distance[pos])
        if distance != distance:  # NaN: no distance
            distance = None
        updated = float(cols.updated_s[row])
        age = None if updated == -math.inf else (now_s - updated) / SECONDS_PER_DAY
        hub = hub_at_school(service, ctx.query.school_id) if ev.at_school[pos] else None
        score, parts, phrases = score_parts(
            service,
            w=self._weights,
            age=age,
            static=static,
            distance=distance,
            has_point=ctx.point is not None,
            distance_free=bool(cols.distance_free[row]),
            hub=hub,
            continuing=bool(ev.continuing[pos]),
        )
        return row, score, parts, phrases, distance, hub

    def _team_candidates(
        self,
        rows: IntArray,
        ev: _Evaluation,
        team_masks: IntArray | None,
        eligible_sets: list[IntArray],
    ) -> list[tuple[int, int, float]]:
        """(service_id, needs mask, score) of the best row per distinct needs mask."""
        ids = self._cols.ids
        if team_masks is None:
            # Too many needs for an int64 mask: Python ints, row by row.
            by_pos: dict[int, int] = {}
            for i, eligible in enumerate(eligible_sets):
                for pos in eligible.tolist():
                    by_pos[pos] = by_pos.get(pos, 0) | 1 << i
            return [(int(ids[rows[p]]), m, float(ev.score[p])) for p, m in by_pos.items()]
        pos = np.flatnonzero(team_masks)
        if len(pos) == 0:
            return []
        # Stable sorts keep ascending positions (= ids) for equal scores.
        order = pos[np.lexsort((-ev.score[pos], team_masks[pos]))]
        m = team_masks[order]
        firsts = order[np.concatenate(([True], m[1:] != m[:-1]))]
        return [
            (int(ids[rows[p]]), int(team_masks[p]), float(ev.score[p])) for p in firsts.tolist()
        ]

    def _evaluate(self, rows: IntArray, ctx: QueryContext, slots: list[int]) -> _Evaluation:
        """Apply every rule but the need rule, and score, over ``rows`` (sorted, distinct).

        Mirrors the scalar rules in ``rules.py`` and the formulas in ``scoring.py``.
        """
        cols, query, w = self._cols, ctx.query, self._weights
        n = len(rows)
        flags = cols.flags[rows]
        required = (REFERRALS if query.require_system_referrals else 0) | (
            ACCEPTING if query.require_accepting else 0)
        age = query.age
        if age is not None and 0 <= age <= MAX_PACKED_AGE:
            required |= 1 << (AGE_SHIFT + age)
            age = None
        ok = (flags & required) == required
        if age is not None:
            ok &= cols.min_age[rows] <= age
            ok &= cols.max_age[rows] >= age
        at_school = np.zeros(n, dtype=np.bool_)
        school_rows = cols.by_school.get(query.school_id) if query.school_id is not None else None
        if school_rows is not None and n:
            where = np.minimum(np.searchsorted(rows, school_rows), n - 1)
            at_school[where[rows[where] == school_rows]] = True
        free = (flags & DISTANCE_FREE) != 0
        if ctx.point is not None:
            inside = np.zeros(len(self._areas) + 1, dtype=np.bool_)
            inside[0] = True
            inside[slots] = True
            ok &= inside[cols.area_slot[rows]]
            distance = cols.min_distance(rows, ctx.point[0], ctx.point[1])
            if query.max_distance_m is not None:
                # NaN distances compare False, but those rows are distance-free.
                ok &= free | at_school | (distance <= query.max_distance_m)
            # As scoring.distance_array; rows with no place are all distance-free.
            points = w.distance * w.distance_scale_m / (w.distance_scale_m + distance)
            dist_pts = np.where(free, w.remote, points)
        else:
            distance = np.full(n, np.nan)
            dist_pts = np.zeros(n)
        if query.delivery_modes:
            wanted = 0
            for mode in query.delivery_modes:
                wanted |= cols.mode_bit.get(mode, 0)
            ok &= (cols.modes[rows] & wanted) != 0
        if ctx.language is not None:
            offered = self._language_masks.get(ctx.language)
            ok &= False if offered is None else offered[rows]
        # As scoring.freshness_array; never-updated rows hold -inf and so score 0.
        days = (epoch_seconds(query.now) - cols.updated_s[rows]) / SECONDS_PER_DAY
        fresh = w.freshness * np.maximum(0.0, 1.0 - np.maximum(days, 0.0) / w.stale_after_days)
        school_pts = np.where(at_school, w.at_school, 0.0)
        if query.current_provider_ids:
            providers = np.fromiter(query.current_provider_ids, dtype=np.int64)
            continuing = np.isin(cols.organisation[rows], providers)
            cont = np.where(continuing, w.continuity, 0.0)
        else:
            continuing = np.zeros(n, dtype=np.bool_)
            cont = np.zeros(n)
        # The order of scoring.total, so scores are bit-identical to the scan's.
        score = cols.static_score[rows] + fresh + dist_pts + school_pts + cont
        return _Evaluation(rows, ok, distance, score, at_school, continuing)

    def _wider_exclusions(
        self, ctx: QueryContext, codes: list[str], slots: list[int], want: int
    ) -> list[list[tuple[int, float | None]]]:
        """Exclusions for needs with fewer than ``want`` failing within the limit.

        Search ever wider circles, all short needs at once: within a radius every
        place is found, so the failing rows there are complete. After a few
        doublings (or at once, when the needs have few services) evaluate every
        service meeting them, which also finds services with no place.
        """
        assert ctx.point is not None and ctx.query.max_distance_m is not None
        need_masks = [self._need_mask(code) for code in codes]
        need_rows = [self._need_rows(code) for code in codes]
        found: list[list[tuple[int, float | None]] | None] = [None] * len(codes)
        todo = list(range(len(codes)))
        radius = max(ctx.query.max_distance_m, 1000.0)
        small = sum(len(r) for r in need_rows) <= _FULL_PASS_ROWS
        for _ in range(0 if small else _WIDENINGS):
            radius *= 2
            hits = self._grid.rows_within(ctx.point[0], ctx.point[1], radius)
            wanted = need_masks[todo[0]][hits]
            for t in todo[1:]:
                wanted |= need_masks[t][hits]
            ev = self._evaluate(_unique(hits[wanted]), ctx, slots)
            pool = _failing_nearest_first(ev, radius)
            for t in list(todo):
                picked = _pick(ev, pool, need_masks[t], want)
                if len(picked) >= want:
                    found[t] = picked
                    todo.remove(t)
            if not todo:
                break
        if todo:
            ev = self._evaluate(
                _unique(np.concatenate([need_rows[t] for t in todo])), ctx, slots
            )
            pool = _failing_nearest_first(ev, None)
            for t in todo:
                found[t] = _pick(ev, pool, need_masks[t], want)
        return [f or [] for f in found]


def _failing_nearest_first(ev: _Evaluation, within: float | None) -> IntArray:
    """Positions of failing rows no further than ``within``: nearest first, ties by id
    (the sort is stable and rows ascend), no distance (NaN) last."""
    pos = np.flatnonzero(~ev.ok)
    if within is not None:
        pos = pos[ev.distance[pos] <= within]
    return pos[np.argsort(ev.distance[pos], kind="stable")]


def _pick(
    ev: _Evaluation, pool: IntArray, need_mask: BoolArray, want: int
) -> list[tuple[int, float | None]]:
    """(row, distance) of the first ``want`` pool positions meeting the need."""
    return _with_distance(ev, pool[need_mask[ev.rows[pool]]][:want].tolist())


def _with_distance(ev: _Evaluation, positions: list[int]) -> list[tuple[int, float | None]]:
    """(row, distance or None) of candidate positions."""
    out: list[tuple[int, float | None]] = []
    for p in positions:
        d = float(ev.distance[p])
        out.append((int(ev.rows[p]), None if d != d else d))
    return out


def _unique(rows: IntArray) -> IntArray:
    """Sorted distinct rows (cheaper than np.unique on a few hundred values)."""
    rows = np.sort(rows)
    if len(rows) < 2:
        return rows
    keep = np.empty(len(rows), dtype=np.bool_)
    keep[0] = True
    np.not_equal(rows[1:], rows[:-1], out=keep[1:])
    return rows[keep]
