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

import numpy as np

from routing.engine import reasons
from routing.engine.areas import AreaCatalogue
from routing.engine.columns import (
    BoolArray,
    IntArray,
    ServiceColumns,
)
from routing.engine.evaluation import Evaluation, RuleEvaluator
from routing.engine.exclusions import smallest, unique_rows, wider_exclusions, with_distance
from routing.engine.explain import make_team
from routing.engine.grid import PointGrid
from routing.engine.records import DirectorySnapshot, FamilyQuery, HubRecord, ServiceRecord
from routing.engine.results import (
    Exclusion,
    Match,
    NeedResult,
    RoutingResult,
    ScorePart,
    TeamProposal,
)
from routing.engine.rules import QueryContext, first_failure_at, hub_at_school
from routing.engine.scoring import (
    SECONDS_PER_DAY,
    capacity_points,
    capacity_reason,
    distance_reason,
    epoch_seconds,
    freshness_points,
    score_parts,
    total,
    wait_points,
    wait_reason,
)
from routing.engine.taxonomy import Taxonomy
from routing.engine.team import choose_team
from routing.engine.weights import Weights

_EMPTY = np.empty(0, dtype=np.int64)
# Above this many eligible rows, the team's best row per needs mask is found by
# argmax per mask rather than one sort (no bincount over huge masks: few needs).
_SORT_TEAM_ROWS = 2000


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
        # Capacity and wait parts, one per distinct figure, made when first returned
        # (thread-safe: a race only makes an equal part twice).
        self._capacity_parts: list[ScorePart | None] = [None] * len(cols.static.capacity_first)
        self._wait_parts: list[ScorePart | None] = [None] * len(cols.static.wait_first)
        self._by_id = {s.id: s for s in services}
        n = len(services)
        rows_of_points = np.repeat(np.arange(n, dtype=np.int64), cols.point_count)
        self._grid = PointGrid(cols.point_x, cols.point_y, rows_of_points)
        # One boolean column per known code, so the need rule is one gather. Built
        # here only: queries never change them (only the shared parts lists above).
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
        # Services meeting each code that are not limited by distance, by area slot
        # (0 = no area): a query takes the buckets of the areas around the family.
        self._free_by_code: dict[str, dict[int, IntArray]] = {}
        for code, need_rows in self._rows_of_need.items():
            free_rows = need_rows[cols.distance_free[need_rows]]
            free_slots = cols.area_slot[free_rows]
            self._free_by_code[code] = {
                int(slot): free_rows[free_slots == slot] for slot in np.unique(free_slots)
            }
        self._evaluate = RuleEvaluator(cols, len(self._areas), weights)
        # Python lists of the columns read row by row when explaining matches.
        self._free_list: list[bool] = cols.distance_free.tolist()
        self._updated_list: list[float] = cols.updated_s.tolist()
        self._capacity_keys: list[int] = cols.static.capacity_key.tolist()
        self._wait_keys: list[int] = cols.static.wait_key.tolist()
        # Distance parts of distance-free rows (query-independent), and freshness parts
        # with their joined capacity phrase for one ``now`` (epoch seconds); both made
        # when first needed (thread-safe: a race only makes an equal part twice).
        self._free_distance_parts: dict[int, ScorePart] = {}
        self._fresh_cache: tuple[float, dict[int, tuple[ScorePart, str]]] = (math.nan, {})

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

        Gives the same result as ``scan_route`` on the same snapshot. Raises
        ValueError if the home (or school point) is not finite.
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
            rows = np.concatenate(found)
            wanted = masks[0][rows]
            for mask in masks[1:]:
                wanted |= mask[rows]
            found = [rows[wanted]]
            # Distance-free services already meet their code: no need filter.
            for need in query.needs:
                buckets = self._free_by_code.get(need.code, {})
                found.extend(buckets[slot] for slot in (0, *slots) if slot in buckets)
            rows = unique_rows(np.concatenate(found))
        else:
            rows = unique_rows(np.concatenate([self._need_rows(n.code) for n in query.needs]))
        ev = self._evaluate(rows, ctx, slots)
        # Failing rows, each need's exclusions come from; beyond the limit it may be
        # incomplete, so only rows within it count.
        failing = (~ev.ok).nonzero()[0]
        if spatial and limit is not None:
            failing = failing[ev.distance[failing] <= limit]

        want = max(query.excluded_per_need, 0)
        limit_n = max(query.limit_per_need, 0)
        team_masks = np.zeros(len(rows), dtype=np.int64) if len(query.needs) <= 62 else None
        eligible_sets: list[IntArray] = []
        ranked: list[list[Match]] = []
        nearest: list[list[tuple[int, float | None]]] = []
        short: list[int] = []  # needs with too few exclusions within the limit
        tops: list[IntArray] = []
        for i in range(len(query.needs)):
            meets = masks[i][rows]
            eligible = (meets & ev.ok).nonzero()[0]
            eligible_sets.append(eligible)
            if team_masks is not None:
                team_masks[eligible] |= 1 << i
            # Highest score first, ties by id; nearest first, ties by id, none last.
            tops.append(smallest(eligible, -ev.score[eligible], limit_n))
            candidates = failing[meets[failing]]
            near = smallest(candidates, ev.distance[candidates], want).tolist()
            nearest.append(with_distance(ev, near))
            if spatial and len(near) < want:
                short.append(i)
        explained = self._explain_matches(np.concatenate(tops), ev, ctx)
        services = cols.services
        for need, top in zip(query.needs, tops, strict=True):
            # ``smallest`` already orders by score, ties by id (positions are in id
            # order), as rank_matches would.
            code = need.code
            ranked.append([
                Match(services[e[0]], code, e[1], e[2], e[3], e[4], e[5])
                for e in map(explained.__getitem__, top.tolist())
            ])
        if short:
            codes = [query.needs[i].code for i in short]
            wider = wider_exclusions(
                self._grid, self._evaluate, [self._need_mask(c) for c in codes],
                [self._need_rows(c) for c in codes], ctx, slots, want,
            )
            for i, far in zip(short, wider, strict=True):
                nearest[i] = far
        failures: dict[int, tuple[str, str]] = {}
        results = [
            NeedResult(
                need=need,
                matches=tuple(ranked[i]),
                excluded=tuple(
                    Exclusion(services[row], need.code, *self._failure(row, d, ctx, failures), d)
                    for row, d in nearest[i]
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

    def _failure(
        self, row: int, distance: float | None, ctx: QueryContext,
        seen: dict[int, tuple[str, str]],
    ) -> tuple[str, str]:
        """(rule, reason) of the first rule a failing row breaks (cached per query)."""
        found = seen.get(row)
        if found is None:
            service = self._cols.services[row]
            at_school = hub_at_school(service, ctx.query.school_id) is not None
            found = first_failure_at(service, ctx, distance, at_school, self._free_list[row])
            if found is None:
                raise ValueError(f"service {service.id} is eligible, not excluded")
            seen[row] = found
        return found

    def _explain_matches(
        self, positions: IntArray, ev: Evaluation, ctx: QueryContext
    ) -> dict[int, _Explained]:
        """(row, score, parts, reasons, distance, hub) of each candidate position.

        Everything the parts need is gathered from the columns in one go, so the
        service records themselves are only touched for school hubs and remote modes.
        The freshness part of a row is cached for the query's ``now``.
        """
        cols, w, query = self._cols, self._weights, ctx.query
        positions = unique_rows(positions)
        rows = ev.rows[positions]
        now_s = epoch_seconds(query.now)
        has_point = ctx.point is not None
        fresh_now, fresh_cache = self._fresh_cache
        if fresh_now != now_s:
            fresh_cache = {}
            self._fresh_cache = (now_s, fresh_cache)
        services = cols.services
        updated_s = self._updated_list
        free_list = self._free_list
        ckeys = self._capacity_keys
        wkeys = self._wait_keys
        free_parts = self._free_distance_parts
        capacity_parts = self._capacity_parts
        wait_parts = self._wait_parts
        d_points = w.distance * w.distance_scale_m
        d_scale = w.distance_scale_m
        out: dict[int, _Explained] = {}
        for pos, row, distance, at_school, continuing in zip(
            positions.tolist(),
            rows.tolist(),
            ev.distance[positions].tolist(),
            ev.at_school[positions].tolist(),
            ev.continuing[positions].tolist(),
            strict=True,
        ):
            known = None if distance != distance else distance  # NaN: no distance
            # (A ScorePart is a non-empty tuple, so ``or`` only fills a missing one.)
            capacity = capacity_parts[ckeys[row]] or self._capacity_part(ckeys[row])
            wait = wait_parts[wkeys[row]] or self._wait_part(wkeys[row])
            free = free_list[row]
            if has_point and not at_school and not continuing:
                # The common case (as score_parts spells it out), with cached parts.
                cached = fresh_cache.get(row)
                if cached is None:
                    fresh = _fresh_part(updated_s[row], now_s, w)
                    cached = fresh_cache[row] = (fresh, f"{capacity.reason}, {fresh.reason}")
                fresh, together = cached
                if free or known is None:
                    placed = free_parts.get(row)
                    if placed is None:
                        placed = free_parts[row] = ScorePart(
                            "distance", w.remote, distance_reason(services[row], known, free))
                else:
                    placed = ScorePart("distance", d_points / (d_scale + known),
                                       f"{reasons.miles(known)} away")
                score = total(capacity.points + wait.points, fresh.points, placed.points,
                              0.0, 0.0)
                out[pos] = (row, score, (placed, capacity, wait, fresh),
                            (placed.reason, together, wait.reason), known, None)
                continue
            service = services[row]
            hub = hub_at_school(service, query.school_id) if at_school else None
            updated = updated_s[row]
            score, parts, phrases = score_parts(
                service,
                w=w,
                age=None if updated == -math.inf else (now_s - updated) / SECONDS_PER_DAY,
                static=(capacity, wait),
                distance=known,
                has_point=has_point,
                distance_free=free,
                hub=hub,
                continuing=continuing,
            )
            out[pos] = (row, score, parts, phrases, known, hub)
        return out

    def _capacity_part(self, key: int) -> ScorePart:
        part = self._capacity_parts[key]
        if part is None:
            service = self._cols.services[int(self._cols.static.capacity_first[key])]
            part = ScorePart("capacity", capacity_points(service, self._weights),
                             capacity_reason(service))
            self._capacity_parts[key] = part
        return part

    def _wait_part(self, key: int) -> ScorePart:
        part = self._wait_parts[key]
        if part is None:
            service = self._cols.services[int(self._cols.static.wait_first[key])]
            part = ScorePart("wait", wait_points(service, self._weights), wait_reason(service))
            self._wait_parts[key] = part
        return part

    def _team_candidates(
        self,
        rows: IntArray,
        ev: Evaluation,
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
        pos = team_masks.nonzero()[0]
        if len(pos) == 0:
            return []
        masks = team_masks[pos]
        if len(pos) <= _SORT_TEAM_ROWS:
            # Stable sorts keep ascending positions (= ids) for equal scores.
            order = np.lexsort((-ev.score[pos], masks))
            sorted_masks = masks[order]
            firsts = pos[order[np.concatenate(([True], sorted_masks[1:] != sorted_masks[:-1]))]]
        else:
            # Many rows (no distance limit): one argmax per distinct mask beats a sort;
            # argmax takes the first, lowest-id, of equal scores.
            scores = ev.score[pos]
            firsts = np.array([
                pos[hits][np.argmax(scores[hits])]
                for hits in (masks == m for m in np.flatnonzero(np.bincount(masks)))
            ], dtype=np.int64)
        return [
            (int(ids[rows[p]]), int(team_masks[p]), float(ev.score[p])) for p in firsts.tolist()
        ]


def _fresh_part(updated: float, now_s: float, w: Weights) -> ScorePart:
    """The freshness part, as ``score_parts`` makes it (-inf = never updated)."""
    if updated == -math.inf:
        return ScorePart("freshness", 0.0, "capacity never updated")
    age = (now_s - updated) / SECONDS_PER_DAY
    return ScorePart("freshness", freshness_points(age, w), f"updated {reasons.ago(age)}")
