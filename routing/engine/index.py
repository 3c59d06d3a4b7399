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
from routing.engine.columns import BoolArray, FloatArray, IntArray, ServiceColumns
from routing.engine.explain import exclusion_for_rule, make_team, rank_matches
from routing.engine.grid import PointGrid
from routing.engine.records import DirectorySnapshot, FamilyQuery, ServiceRecord
from routing.engine.results import Match, NeedResult, RoutingResult, ScorePart, TeamProposal
from routing.engine.rules import RULE_NAMES, QueryContext, hub_at_school
from routing.engine.scoring import (
    SECONDS_PER_DAY,
    distance_array,
    epoch_seconds,
    freshness_array,
    score_parts,
    static_parts,
)
from routing.engine.taxonomy import Taxonomy
from routing.engine.team import choose_team
from routing.engine.weights import Weights

_RULE_CODE = {name: i + 1 for i, name in enumerate(RULE_NAMES)}
# Exclusions beyond the limit are looked for within this radius before a full pass.
_WIDER_SEARCH_M = 20_000.0
_EMPTY = np.empty(0, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class _Evaluation:
    """Rule outcome, distance and score of candidate rows (parallel arrays)."""

    rows: IntArray
    fail: IntArray  # 0 = eligible, else the code of the first failing rule
    distance: FloatArray  # NaN = no distance
    score: FloatArray
    at_school: BoolArray
    continuing: BoolArray


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
        # Capacity and wait parts per row, filled in as services are first returned.
        self._static: dict[int, tuple[ScorePart, ScorePart]] = {}
        n = len(services)
        rows_of_points = np.repeat(np.arange(n, dtype=np.int64), cols.point_count)
        self._grid = PointGrid(cols.point_x, cols.point_y, rows_of_points)
        free_rows = np.flatnonzero(cols.distance_free)
        free_slots = cols.area_slot[free_rows]
        self._free_by_slot = {
            int(slot): free_rows[free_slots == slot] for slot in np.unique(free_slots)
        }
        # One boolean column per requestable code, so the need rule is one gather.
        codes = set(snapshot.need_parents) | set(cols.by_code)
        self._need_masks: dict[str, BoolArray] = {}
        for code in codes:
            self._need_mask(code)
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
        mask = self._need_masks.get(code)
        if mask is None:
            mask = np.zeros(len(self._cols.services), dtype=np.bool_)
            for declared in self._taxonomy.matching_codes(code):
                rows = self._cols.by_code.get(declared)
                if rows is not None:
                    mask[rows] = True
            # Codes outside the taxonomy are cached too; a race only repeats work.
            self._need_masks[code] = mask
        return mask

    def route(self, query: FamilyQuery) -> RoutingResult:
        """Rank services for each need, explain near exclusions, propose a team.

        Gives the same result as ``scan_route`` on the same snapshot. Never raises
        for a well-formed query.
        """
        ctx = QueryContext.build(query, self._areas)
        if not query.needs:
            return RoutingResult((), TeamProposal((), ()), self.version)
        masks = [self._need_mask(need.code) for need in query.needs]
        slots = self._areas.slots_containing(ctx.point) if ctx.point is not None else []
        limit = query.max_distance_m
        spatial = ctx.point is not None and limit is not None
        if ctx.point is not None and limit is not None:
            found = [self._grid.rows_within(ctx.point[0], ctx.point[1], limit)]
            if query.school_id is not None:
                found.append(self._cols.by_school.get(query.school_id, _EMPTY))
            for slot in (0, *slots):
                found.append(self._free_by_slot.get(slot, _EMPTY))
            rows = np.concatenate(found)
            wanted = masks[0][rows]
            for mask in masks[1:]:
                wanted |= mask[rows]
            rows = _unique(rows[wanted])
        else:
            rows = np.unique(np.concatenate([np.flatnonzero(m) for m in masks]))
        ev = self._evaluate(rows, ctx, slots)

        results: list[NeedResult] = []
        team_masks = np.zeros(len(rows), dtype=np.int64) if len(query.needs) <= 62 else None
        eligible_sets: list[IntArray] = []
        explained: dict[int, Match] = {}
        eligible_rows = ev.fail == 0
        for i, need in enumerate(query.needs):
            meets = masks[i][rows]
            eligible = np.flatnonzero(meets & eligible_rows)
            eligible_sets.append(eligible)
            if team_masks is not None:
                team_masks[eligible] |= 1 << i
            limit_n = max(query.limit_per_need, 0)
            top = eligible[np.lexsort((rows[eligible], -ev.score[eligible]))][:limit_n]
            chosen = []
            for pos in top.tolist():
                match = explained.get(pos)
                if match is None:
                    match = explained[pos] = self._explain_match(pos, ev, ctx)
                chosen.append(match)
            excluded = self._exclusions(ev, meets, ctx, masks[i], slots, spatial)
            results.append(NeedResult(
                need=need,
                matches=tuple(_for_need(m, need.code) for m in rank_matches(chosen)),
                excluded=tuple(
                    exclusion_for_rule(self._cols.services[row], need.code, ctx, rule, d)
                    for row, rule, d in excluded
                ),
                eligible_count=len(eligible),
            ))
        team = choose_team(
            [n.priority for n in query.needs],
            self._team_candidates(rows, ev, team_masks, eligible_sets),
            self._weights,
        )
        services = self._by_id
        return RoutingResult(
            needs=tuple(results),
            team=make_team(query.needs, results, team, services.__getitem__),
            snapshot_version=self.version,
        )

    def _explain_match(self, pos: int, ev: _Evaluation, ctx: QueryContext) -> Match:
        """The Match of candidate ``pos`` (need code left blank), reusing the columns."""
        cols = self._cols
        row = int(ev.rows[pos])
        service = cols.services[row]
        static = self._static.get(row)
        if static is None:
            # Benign race under threads: both compute the same parts.
            static = self._static[row] = static_parts(service, self._weights)
        raw = float(ev.distance[pos])
        distance = None if math.isnan(raw) else raw
        updated = float(cols.updated_s[row])
        age = None if math.isnan(updated) else (self._epoch(ctx) - updated) / SECONDS_PER_DAY
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
        return Match(service, "", score, parts, phrases, distance, hub)

    @staticmethod
    def _epoch(ctx: QueryContext) -> float:
        return epoch_seconds(ctx.query.now)

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
        order = pos[np.lexsort((ids[rows[pos]], -ev.score[pos], team_masks[pos]))]
        m = team_masks[order]
        firsts = order[np.concatenate(([True], m[1:] != m[:-1]))]
        return [
            (int(ids[rows[p]]), int(team_masks[p]), float(ev.score[p])) for p in firsts.tolist()
        ]

    def _evaluate(self, rows: IntArray, ctx: QueryContext, slots: list[int]) -> _Evaluation:
        """Apply every rule but the need rule, and score, over ``rows``."""
        cols, query, w = self._cols, ctx.query, self._weights
        n = len(rows)
        checks: list[tuple[int, BoolArray]] = []
        if query.age is not None:
            bad = (cols.min_age[rows] > query.age) | (cols.max_age[rows] < query.age)
            checks.append((_RULE_CODE["age"], bad))
        if ctx.point is not None:
            inside = np.zeros(len(self._areas) + 1, dtype=np.bool_)
            inside[0] = True
            inside[slots] = True
            checks.append((_RULE_CODE["area"], ~inside[cols.area_slot[rows]]))
            distance = cols.min_distance(rows, ctx.point[0], ctx.point[1])
        else:
            distance = np.full(n, np.nan)
        at_school = np.zeros(n, dtype=np.bool_)
        school_rows = cols.by_school.get(query.school_id) if query.school_id is not None else None
        if school_rows is not None and n:
            where = np.minimum(np.searchsorted(rows, school_rows), n - 1)
            at_school[where[rows[where] == school_rows]] = True
        free = cols.distance_free[rows]
        if ctx.point is not None and query.max_distance_m is not None:
            # NaN distances fail the comparison but those rows are distance-free.
            near = distance <= query.max_distance_m
            checks.append((_RULE_CODE["distance"], ~(free | at_school | near)))
        if query.delivery_modes:
            wanted = 0
            for mode in query.delivery_modes:
                wanted |= cols.mode_bit.get(mode, 0)
            checks.append((_RULE_CODE["mode"], (cols.modes[rows] & wanted) == 0))
        if ctx.language is not None:
            offered = self._language_masks.get(ctx.language)
            bad = np.ones(n, dtype=np.bool_) if offered is None else ~offered[rows]
            checks.append((_RULE_CODE["language"], bad))
        if query.require_system_referrals:
            checks.append((_RULE_CODE["referrals"], ~cols.referrals[rows]))
        if query.require_accepting:
            checks.append((_RULE_CODE["accepting"], ~cols.accepting[rows]))
        fail = np.zeros(n, dtype=np.int64)
        # Later rules first, so an earlier failing rule overwrites and wins.
        for code, bad in reversed(checks):
            fail[bad] = code

        fresh = freshness_array(cols.updated_s[rows], epoch_seconds(query.now), w)
        dist_pts = distance_array(distance, free, w) if ctx.point is not None else np.zeros(n)
        school_pts = np.where(at_school, w.at_school, 0.0)
        if query.current_provider_ids:
            providers = np.fromiter(query.current_provider_ids, dtype=np.int64)
            cont = np.where(np.isin(cols.organisation[rows], providers), w.continuity, 0.0)
        else:
            cont = np.zeros(n)
        # The order of scoring.total, so scores are bit-identical to the scan's.
        score = cols.static_score[rows] + fresh + dist_pts + school_pts + cont
        return _Evaluation(rows, fail, distance, score, at_school, cont > 0.0)

    def _exclusions(
        self,
        ev: _Evaluation,
        meets: BoolArray,
        ctx: QueryContext,
        need_mask: BoolArray,
        slots: list[int],
        spatial: bool,
    ) -> list[tuple[int, str, float | None]]:
        """(row, rule, distance) of the nearest services meeting the need but failing
        a rule, ties by id.

        Within the distance limit every place was gathered, so failing rows there
        are complete; if there are too few, search wider, then the whole need.
        """
        want = max(ctx.query.excluded_per_need, 0)
        if want == 0:
            return []
        if not spatial:
            return self._nearest_failing(ev, meets, None, want)
        assert ctx.point is not None and ctx.query.max_distance_m is not None
        limit = ctx.query.max_distance_m
        found = self._nearest_failing(ev, meets, limit, want)
        if len(found) >= want:
            return found
        wider = max(4 * limit, _WIDER_SEARCH_M)
        rows = self._grid.rows_within(ctx.point[0], ctx.point[1], wider)
        rows = _unique(rows[need_mask[rows]])
        wide = self._evaluate(rows, ctx, slots)
        found = self._nearest_failing(wide, np.ones(len(rows), dtype=np.bool_), wider, want)
        if len(found) >= want:
            return found
        rows = np.flatnonzero(need_mask)
        everything = self._evaluate(rows, ctx, slots)
        return self._nearest_failing(everything, np.ones(len(rows), dtype=np.bool_), None, want)

    def _nearest_failing(
        self, ev: _Evaluation, meets: BoolArray, within: float | None, want: int
    ) -> list[tuple[int, str, float | None]]:
        """Up to ``want`` failing rows, nearest first (no distance last), ties by id.

        With ``within``, only rows no further than it count (the rest may be
        incomplete).
        """
        pick = meets & (ev.fail > 0)
        if within is not None:
            pick &= ev.distance <= within
        pos = np.flatnonzero(pick)
        dist = ev.distance[pos]
        key = np.where(np.isnan(dist), np.inf, dist)
        # Rows are in id order, so sorting by row breaks ties by id.
        order = pos[np.lexsort((ev.rows[pos], key))][:want]
        return [
            (int(ev.rows[p]), RULE_NAMES[int(ev.fail[p]) - 1],
             None if math.isnan(ev.distance[p]) else float(ev.distance[p]))
            for p in order.tolist()
        ]


def _unique(rows: IntArray) -> IntArray:
    """Sorted distinct rows (cheaper than np.unique on a few hundred values)."""
    rows = np.sort(rows)
    if len(rows) < 2:
        return rows
    keep = np.empty(len(rows), dtype=np.bool_)
    keep[0] = True
    np.not_equal(rows[1:], rows[:-1], out=keep[1:])
    return rows[keep]


def _for_need(match: Match, code: str) -> Match:
    return Match(match.service, code, match.score, match.parts, match.reasons,
                 match.distance_m, match.at_school)
