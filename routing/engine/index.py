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
from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from routing.engine.area_raster import RasterAreaCatalogue
from routing.engine.code_grid import code_grid
from routing.engine.columns import (
    BoolArray,
    FloatArray,
    IntArray,
    ServiceColumns,
)
from routing.engine.evaluation import Evaluation, RuleEvaluator
from routing.engine.exclusions import (
    first_widening,
    nearest_first,
    smallest,
    split_with_distance,
    unique_rows,
    wider_exclusions,
)
from routing.engine.explain import make_team
from routing.engine.need_rank import (
    HELP_CODES,
    NeedTables,
    help_codes,
    rank,
    score_need_coded,
    tables_of,
)
from routing.engine.parts import (
    Capacity,
    FitParts,
    Freshness,
    Unstated,
    Wait,
    fit_parts,
    need_parts,
    score_parts,
)
from routing.engine.records import (
    DirectorySnapshot,
    FamilyQuery,
    HubRecord,
    NeedRequest,
    ServiceRecord,
)
from routing.engine.results import (
    Exclusion,
    Match,
    NeedResult,
    RoutingResult,
    ScorePart,
    TeamProposal,
)
from routing.engine.rules import (
    ACCEPTING,
    AreaRule,
    NeedRule,
    Placement,
    QueryContext,
    first_failure,
    hub_at_school,
    required_flags,
)
from routing.engine.taxonomy import BROADER, EXACT, NARROWER, Taxonomy
from routing.engine.team import choose_team
from routing.engine.weights import Weights

_EMPTY = np.empty(0, dtype=np.int64)
# Fewer places than this within the limit: search the first wider circle at once.
_SPARSE_HITS = 48
# In ``DirectoryIndex._specificity_of``: the row does not meet the need.
NOT_MET = 0xFFFF
# Cached fit parts kept before the cache starts again (a few MB).
_MAX_FITS = 50_000
# Needs' score tables kept (each an index into ``need_rank.need_tables``' own cache).
_MAX_TABLES = 1024


# (row, score, parts, reasons, distance, hub, remote key): a Match but for its need
# code; the remote key (``row * 8 + Unstated.asked``, or -1) marks an explanation that
# depends on nothing but the row, the facts asked and ``now``.
_Explained = tuple[
    int, float, tuple[ScorePart, ...], tuple[str, ...], float | None, HubRecord | None, int
]
# (score, parts, reasons) of a row for one need (``parts.need_parts``).
_NeedParts = tuple[float, tuple[ScorePart, ...], tuple[str, ...]]


class DirectoryIndex:
    """A thread-safe routing index over one directory snapshot.

    Only capacity figures change after the build (``apply_capacity``), in place, and
    the index then ranks exactly as one built afresh from the patched snapshot.
    Patch from one thread at a time; a search running during a patch may see the
    changed rows' old figures or their new ones.
    """

    def __init__(self, snapshot: DirectorySnapshot, weights: Weights) -> None:
        """Prefer ``DirectoryIndex.build``. Raises ValueError as ``build`` does."""
        services = sorted(snapshot.services, key=lambda s: s.id)
        for a, b in itertools.pairwise(services):
            if a.id == b.id:
                raise ValueError(f"duplicate service id {a.id} in snapshot")
        self._snapshot_version = snapshot.version
        self._weights = weights
        self._areas = RasterAreaCatalogue(
            s.area_wkt for s in services if s.area_wkt is not None)
        self._taxonomy = Taxonomy(snapshot.need_parents, snapshot.need_names)
        # Per requested code, whether and how each row meets it (``NOT_MET``, or its
        # ``taxonomy`` level times ``HELP_CODES``: the part of a tier code above the
        # help code), made when first asked for (thread-safe: a race only makes an
        # equal array twice).
        self._specificity: dict[str, npt.NDArray[np.uint16]] = {}
        # ``parts.fit_parts`` per need and row, made when first returned; emptied by a
        # capacity patch (the tier holds whether the service is accepting).
        self._fits: dict[NeedRequest, dict[int, FitParts]] = {}
        self._fit_count = 0  # about how many (a race may miss one)
        # ``need_rank.tables_of`` per kinds, audience and severity asked (thread-safe:
        # a race only makes equal tables twice).
        self._tables: dict[tuple[frozenset[str], str, str], NeedTables] = {}
        self._cols = cols = ServiceColumns.build(services, self._areas, weights)
        # Capacity and wait parts, one per distinct figure, made when first returned
        # (thread-safe: a race only makes an equal part twice).
        self._capacity_parts: list[ScorePart | None] = [None] * len(cols.static.capacity_first)
        self._wait_parts: list[ScorePart | None] = [None] * len(cols.static.wait_first)
        # Part key of each capacity and wait figure: filled by the first patch.
        self._capacity_key_of: dict[tuple[int, int], int] = {}
        self._wait_key_of: dict[tuple[float, float], int] = {}
        self._by_id = {s.id: s for s in services}
        n = len(services)
        self._grid, group_of_code = code_grid(cols)
        # One boolean column per known code, so the need rule is one gather. Built
        # here only: queries never change them (only the shared parts lists above).
        self._no_rows = np.zeros(n, dtype=np.bool_)
        self._need_masks: dict[str, BoolArray] = {}
        self._rows_of_need: dict[str, IntArray] = {}
        # Grid groups of the declared codes that meet each code.
        self._groups_of_need: dict[str, frozenset[int]] = {}
        for code in set(snapshot.need_parents) | set(cols.by_code):
            matching = self._taxonomy.matching_codes(code)
            self._groups_of_need[code] = frozenset(
                group_of_code[c] for c in matching if c in group_of_code)
            mask = self._need_masks[code] = NeedRule.meets_array(matching, cols.by_code, n)
            self._rows_of_need[code] = np.flatnonzero(mask)
        # Services meeting each code that are not limited by distance, by area slot
        # (0 = no area): a query takes the buckets of the areas around the family.
        # Each bucket holds the rows' flags (to drop failing rows early) over the rows.
        self._free_by_code: dict[str, dict[int, IntArray]] = {}
        for code, need_rows in self._rows_of_need.items():
            free_rows = need_rows[cols.distance_free[need_rows]]
            free_slots = cols.area_slot[free_rows]
            buckets = [free_rows[free_slots == slot] for slot in np.unique(free_slots)]
            self._free_by_code[code] = {
                int(cols.area_slot[b[0]]): np.stack([cols.flags[b], b]) for b in buckets
            }
        self._evaluate = RuleEvaluator(cols, len(self._areas), weights)
        # Each row's ``need_rank.help_codes`` (with accepting: a capacity patch updates it),
        # as uint16 like the specificity arrays, so a tier code is one uint16 sum and
        # the column a quarter of the memory a query's scattered reads touch.
        self._help_codes = help_codes(cols.kinds, cols.audiences, cols.levels,
                                      (cols.flags & ACCEPTING) != 0).astype(np.uint16)
        # Python lists of the columns read row by row when explaining matches.
        self._free_list: list[bool] = cols.distance_free.tolist()
        self._slot_list: list[int] = cols.area_slot.tolist()
        self._updated_list: list[float] = cols.updated_s.tolist()
        self._unstated_list: list[int] = cols.unstated.tolist()  # ``Unstated.bits``
        self._capacity_keys: list[int] = cols.static.capacity_key.tolist()
        self._wait_keys: list[int] = cols.static.wait_key.tolist()
        # Per row, for one ``now`` (epoch seconds): the freshness part, and the
        # score, parts and reasons of a distance-free row with no school or
        # continuity part (none of which depends on the query), and per need those
        # of the same rows for that need (remote key to ``_NeedParts``); made when
        # first needed (thread-safe: a race only makes an equal entry twice, or drops
        # a cache for a newer ``now``).
        self._now_cache: tuple[
            float,
            dict[int, ScorePart],
            dict[int, tuple[float, tuple[ScorePart, ...], tuple[str, ...]]],
            dict[NeedRequest, dict[int, _NeedParts]],
        ] = (math.nan, {}, {}, {})

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

    def apply_capacity(self, services: Iterable[ServiceRecord]) -> None:
        """Put these services' new capacity figures into the index, in place: free
        places, wait-list, accepting, typical and measured waits and when the figure
        was confirmed. Services not in the index are ignored; nothing else about a
        service may differ from the record it replaces (that needs a new index).
        """
        cols = self._cols
        if not self._capacity_key_of:
            self._key_figures()
        for service in services:
            row = int(np.searchsorted(cols.ids, service.id))
            if row >= len(cols.ids) or cols.ids[row] != service.id:
                continue
            flags, capacity, wait = cols.set_capacity(row, service, self._weights)
            one = slice(row, row + 1)
            self._help_codes[one] = help_codes(cols.kinds[one], cols.audiences[one],
                                               cols.levels[one], (cols.flags[one] & ACCEPTING) != 0)
            self._by_id[service.id] = service
            self._updated_list[row] = float(cols.updated_s[row])
            self._capacity_keys[row] = cols.static.capacity_key[row] = self._part_key(
                self._capacity_key_of, self._capacity_parts, capacity, Capacity.part(
                    service, self._weights))
            self._wait_keys[row] = cols.static.wait_key[row] = self._part_key(
                self._wait_key_of, self._wait_parts, wait, Wait.part(service, self._weights))
            if self._free_list[row]:
                # The distance-free buckets carry each row's flags.
                slot = self._slot_list[row]
                for code, buckets in self._free_by_code.items():
                    if self._need_masks[code][row]:
                        bucket = buckets[slot]
                        bucket[0, np.searchsorted(bucket[1], row)] = flags
        # Freshness parts and explanations cached per row may hold the old figures.
        self._now_cache = (math.nan, {}, {}, {})
        self._fits, self._fit_count = {}, 0

    def _key_figures(self) -> None:
        """Make every shared capacity and wait part (their first rows may change) and
        map each part's figures to its key."""
        cols = self._cols
        services = [cols.services[int(row)] for row in cols.static.capacity_first]
        _, _, capacity, _ = type(cols.static).figures(services, self._weights)
        for key, figures in enumerate(capacity.tolist()):
            self._capacity_part(key)
            self._capacity_key_of[(figures[0], figures[1])] = key
        services = [cols.services[int(row)] for row in cols.static.wait_first]
        _, _, _, wait = type(cols.static).figures(services, self._weights)
        for key, waits in enumerate(wait.tolist()):
            self._wait_part(key)
            self._wait_key_of[(waits[0], waits[1])] = key

    @staticmethod
    def _part_key(key_of: dict[Any, int], parts: list[ScorePart | None], figures: Any,
                  part: ScorePart) -> int:
        """The key of the shared part for ``figures`` (``part``), added if new."""
        key = key_of.get(figures)
        if key is None:
            key = key_of[figures] = len(parts)
            parts.append(part)
        return key

    def __len__(self) -> int:
        return len(self._cols.services)

    def _need_mask(self, code: str) -> BoolArray:
        """Rows meeting a request for ``code``; all False for a code nobody knows."""
        mask = self._need_masks.get(code)
        return self._no_rows if mask is None else mask

    def _free_rows(self, ctx: QueryContext, slots: list[int]) -> list[IntArray]:
        """Distance-free rows meeting a need (so no need filter), with no area or an
        area around the family, that pass the flag rules (referrals, accepting and,
        mostly, age).

        Leaving out the rows failing a flag rule changes nothing: they are not
        matches, and not exclusions either, as a row with no place has no distance
        and one with places is found by the grid when within the limit. Most
        distance-free rows are national, so this keeps the candidates few.
        """
        query = ctx.query
        found: list[IntArray] = []
        for need in query.needs:
            buckets = self._free_by_code.get(need.code)
            if buckets:
                found.extend(buckets[slot] for slot in (0, *slots) if slot in buckets)
        if not found:
            return []
        flags, rows = np.concatenate(found, axis=1) if len(found) > 1 else found[0]
        required = required_flags(query, ctx.subject)
        return [rows[(flags & required) == required]]

    def _need_groups(self, query: FamilyQuery) -> list[int]:
        """Grid groups (declared codes) of the services meeting any of the needs."""
        groups: set[int] = set()
        for need in query.needs:
            groups.update(self._groups_of_need.get(need.code, ()))
        return sorted(groups)

    def _specificity_of(self, code: str) -> npt.NDArray[np.uint16]:
        """How each row meets a request for ``code``: ``NOT_MET`` if it does not, else
        its level (``Taxonomy.specificity``) times ``HELP_CODES``, so adding a help
        code gives the tier code. (One array for both, so a query reads one per need.)"""
        levels = self._specificity.get(code)
        if levels is None:
            cols = self._cols
            levels = np.where(self._need_mask(code), np.uint16(BROADER),
                              np.uint16(NOT_MET)).astype(np.uint16)
            for child in self._taxonomy.children(code):
                levels[cols.by_code.get(child, _EMPTY)] = NARROWER * HELP_CODES
            levels[cols.by_code.get(code, _EMPTY)] = EXACT * HELP_CODES
            if code in self._need_masks:  # only known codes are kept
                self._specificity[code] = levels
        return levels

    def _score_need(self, need: NeedRequest, rows: IntArray, eligible: IntArray,
                    tiers: npt.NDArray[np.uint16], base: FloatArray,
                    ) -> tuple[FloatArray, BoolArray, npt.NDArray[np.int32]]:
        """(score, best fitting, tier) of the ``eligible`` positions of ``rows`` (with
        tier codes ``tiers``) for ``need`` (``need_rank.score_need_coded``)."""
        figures = None
        if need.urgent:
            static, at = self._cols.static, rows.take(eligible)
            figures = (static.capacity.take(at), static.wait.take(at))
        # The tables by what they depend on but the weights, which are the index's:
        # a cheaper key than ``need_tables``' own cache, which hashes the weights.
        key = (need.kinds, need.audience, need.severity)
        tables = self._tables.get(key)
        if tables is None:
            if len(self._tables) >= _MAX_TABLES:
                self._tables = {}
            tables = self._tables[key] = tables_of(need, self._weights)
        return score_need_coded(need, self._weights, base, tiers, figures, tables)

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
        slots = sorted(ctx.inside_slots or ())
        limit = query.max_distance_m
        spatial = ctx.point is not None and limit is not None
        complete = 0.0  # the candidates hold every row with a place of a need this near
        if ctx.point is not None and limit is not None:
            complete = limit
            groups = self._need_groups(query)
            hits = self._grid.rows_within(ctx.point[0], ctx.point[1], limit, groups)
            if len(hits) < _SPARSE_HITS:
                # Few places near (in the country): take those within the first wider
                # search too, as some need is then likely short of exclusions, and
                # wider_exclusions can start from this evaluation. The extra rows
                # lie beyond the limit: they are neither matches nor exclusions.
                complete = first_widening(limit)
                hits = self._grid.rows_within(ctx.point[0], ctx.point[1], complete, groups)
            found = [hits]
            if query.school_id is not None:
                # Not filtered by need: rows meeting none are never picked anyway.
                found.append(cols.by_school.get(query.school_id, _EMPTY))
            found.extend(self._free_rows(ctx, slots))
            rows = unique_rows(np.concatenate(found))
        else:
            rows = unique_rows(np.concatenate([self._need_rows(n.code) for n in query.needs]))
        ev = self._evaluate(rows, ctx, slots)
        # Failing rows, each need's exclusions come from; beyond the limit it may be
        # incomplete, so only rows within it count.
        failing = (~ev.ok).nonzero()[0]
        if spatial and limit is not None:
            failing = failing[ev.distance[failing] <= limit]
        # Nearest first once for every need (``smallest``'s order: ties by id, no
        # distance last), so each need's exclusions are its first few.
        failing = nearest_first(failing, ev.distance.take(failing))

        want = max(query.excluded_per_need, 0)
        limit_n = max(query.limit_per_need, 0)
        eligible_sets: list[IntArray] = []
        best_sets: list[tuple[IntArray, FloatArray]] = []
        ranked: list[list[Match]] = []
        nears: list[IntArray] = []
        short: list[int] = []  # needs with too few exclusions within the limit
        tops: list[IntArray] = []
        help_of = self._help_codes.take(rows)
        for i, need in enumerate(query.needs):
            levels = self._specificity_of(need.code).take(rows)
            meets = levels != NOT_MET
            eligible = (meets & ev.ok).nonzero()[0]
            eligible_sets.append(eligible)
            # The tier codes, as ``need_rank.tier_codes`` (below TIER_CODES: uint16;
            # added over every row, in one call fewer, the sum wraps round only where
            # the need is not met, and those rows are not taken).
            tiers = (levels + help_of).take(eligible)
            # The team gives each row only the needs it fits as well as the best.
            score, best, tier = self._score_need(need, rows, eligible, tiers,
                                                 ev.score.take(eligible))
            best_sets.append((eligible[best], score[best]))
            # Highest tier first, then highest score, ties by id (positions are in id
            # order), as rank_matches orders them.
            tops.append(rank(eligible, score, tier, limit_n, smallest))
            near = failing[meets.take(failing)][:want]
            nears.append(near)
            if spatial and len(near) < want:
                short.append(i)
        nearest = split_with_distance(ev, nears)
        explained, remote_needs = self._explain_matches(np.concatenate(tops), ev, ctx)
        services = cols.services
        names, w = self._taxonomy, self._weights
        fits = self._fits
        if self._fit_count > _MAX_FITS:
            fits, self._fits, self._fit_count = {}, {}, 0
            remote_needs.clear()
        # ``results.new_record`` without a Python call per record (dozens a query).
        new_tuple = tuple.__new__
        for need, top in zip(query.needs, tops, strict=True):
            code = need.code
            matches = []
            # One dict per need, so the need is hashed once rather than per match.
            fits_of_need = fits.get(need)
            if fits_of_need is None:
                fits_of_need = fits[need] = {}
            remote_of_need = remote_needs.get(need)
            if remote_of_need is None:
                remote_of_need = remote_needs[need] = {}
            for e in map(explained.__getitem__, top.tolist()):
                service = services[e[0]]
                made = remote_of_need.get(e[6]) if e[6] >= 0 else None
                if made is None:
                    fitted = fits_of_need.get(e[0])
                    if fitted is None:
                        fitted = fits_of_need[e[0]] = fit_parts(service, need, names, w)
                        self._fit_count += 1
                    score_, _, _, parts, phrases = need_parts(service, need, e[1], e[2], e[3],
                                                              names, w, fitted)
                    made = (score_, parts, phrases)
                    if e[6] >= 0:
                        remote_of_need[e[6]] = made
                matches.append(new_tuple(Match, (service, code, *made, e[4], e[5])))
            ranked.append(matches)
        if short:
            codes = [query.needs[i].code for i in short]
            wider = wider_exclusions(
                self._grid, self._evaluate,
                [sorted(self._groups_of_need.get(c, ())) for c in codes],
                [self._need_mask(c) for c in codes],
                [self._need_rows(c) for c in codes], ctx, slots, want, (ev, complete),
            )
            for i, far in zip(short, wider, strict=True):
                nearest[i] = far
        # The first failing rule of each row, once per query.
        failures: dict[int, tuple[str, str]] = {}
        results = []
        for i, need in enumerate(query.needs):
            excluded = []
            for row, d, at_school in nearest[i]:
                failure = failures.get(row)
                if failure is None:
                    failure = failures[row] = self._first_failure(row, ctx, d, at_school)
                excluded.append(
                    new_tuple(Exclusion, (services[row], need.code, failure[0], failure[1], d)))
            results.append(NeedResult(need, tuple(ranked[i]), tuple(excluded),
                                      len(eligible_sets[i])))
        team = choose_team(
            [n.priority for n in query.needs],
            self._team_candidates(rows, best_sets),
            self._weights,
        )
        return RoutingResult(
            needs=tuple(results),
            team=make_team(query.needs, results, team, self._by_id.__getitem__),
            snapshot_version=self.version,
        )

    def _first_failure(self, row: int, ctx: QueryContext, distance: float | None,
                       at_school: bool) -> tuple[str, str]:
        """(rule, reason) of the first rule ``row`` breaks, given its distance and
        whether it has a hub at the child's school (both from the evaluation).

        Raises ValueError if the row in fact passes every rule.
        """
        service = self._cols.services[row]
        in_area = AreaRule.slot_passes(self._slot_list[row], ctx)
        failure = first_failure(service, ctx, tuple.__new__(
            Placement, (distance, at_school, self._free_list[row], in_area)))
        if failure is None:
            raise ValueError(f"service {service.id} is eligible, not excluded")
        return failure

    def _explain_matches(
        self, positions: IntArray, ev: Evaluation, ctx: QueryContext
    ) -> tuple[dict[int, _Explained], dict[NeedRequest, dict[int, _NeedParts]]]:
        """(row, score, parts, reasons, distance, hub, remote key) of each candidate
        position, and the cache of remote rows' need parts for the query's ``now``.

        The capacity and wait parts are shared by rows with equal figures, the
        freshness part is cached per row for the query's ``now``, and so is the
        whole explanation of a distance-free row in the common case.
        """
        cols, query = self._cols, ctx.query
        now_s = self._evaluate.now_seconds(query.now)
        has_point = ctx.point is not None
        cache_now, freshes, remotes, remote_needs = self._now_cache
        if cache_now != now_s:
            freshes, remotes, remote_needs = {}, {}, {}
            self._now_cache = (now_s, freshes, remotes, remote_needs)
        services = cols.services
        free_list = self._free_list
        asked = Unstated.asked(query)
        out: dict[int, _Explained] = {}
        # Positions may repeat (a row in several needs' tops): the dict keeps one.
        for pos, row, distance, at_school, continuing in zip(
            positions.tolist(),
            ev.rows[positions].tolist(),
            ev.distance[positions].tolist(),
            ev.at_school[positions].tolist(),
            ev.continuing[positions].tolist(),
            strict=True,
        ):
            known = None if distance != distance else distance  # NaN: no distance
            free = free_list[row]
            if has_point and not at_school and not continuing and (free or known is None):
                # Keyed by the facts asked too: the unstated part depends on them.
                key = row * 8 + asked
                made = remotes.get(key)
                if made is None:
                    made = remotes[key] = self._score_parts(
                        row, now_s, freshes, known, has_point, free, None, False, asked)
                # The need parts then depend on nothing else either, unless the
                # row has a place (its distance is shown, though not scored).
                out[pos] = (row, made[0], made[1], made[2], known, None,
                            key if known is None else -1)
                continue
            hub = hub_at_school(services[row], query.school_id) if at_school else None
            score, parts, phrases = self._score_parts(
                row, now_s, freshes, known, has_point, free, hub, continuing, asked)
            out[pos] = (row, score, parts, phrases, known, hub, -1)
        return out, remote_needs

    def _score_parts(
        self, row: int, now_s: float, freshes: dict[int, ScorePart], distance: float | None,
        has_point: bool, free: bool, hub: HubRecord | None, continuing: bool, asked: int,
    ) -> tuple[float, tuple[ScorePart, ...], tuple[str, ...]]:
        """``parts.score_parts`` of a row, from the cached capacity, wait and freshness
        parts (``freshes`` holds those for ``now_s``); ``asked``: ``Unstated.asked``."""
        w = self._weights
        ckey, wkey = self._capacity_keys[row], self._wait_keys[row]
        # (A ScorePart is a non-empty tuple, so ``or`` only fills a missing one.)
        capacity = self._capacity_parts[ckey] or self._capacity_part(ckey)
        wait = self._wait_parts[wkey] or self._wait_part(wkey)
        fresh = freshes.get(row)
        if fresh is None:
            fresh = freshes[row] = Freshness.part(
                Freshness.age(self._updated_list[row], now_s), w)
        service = self._cols.services[row]
        return score_parts(service, w=w, capacity=capacity, wait=wait,
                           fresh=fresh, distance=distance, has_point=has_point,
                           distance_free=free, hub=hub, continuing=continuing,
                           unstated=Unstated.part(service, asked, w)
                           if asked & self._unstated_list[row] else None)

    def _capacity_part(self, key: int) -> ScorePart:
        part = self._capacity_parts[key]
        if part is None:
            service = self._cols.services[int(self._cols.static.capacity_first[key])]
            part = self._capacity_parts[key] = Capacity.part(service, self._weights)
        return part

    def _wait_part(self, key: int) -> ScorePart:
        part = self._wait_parts[key]
        if part is None:
            service = self._cols.services[int(self._cols.static.wait_first[key])]
            part = self._wait_parts[key] = Wait.part(service, self._weights)
        return part

    def _team_candidates(
        self, rows: IntArray, best_sets: list[tuple[IntArray, FloatArray]]
    ) -> list[tuple[int, int, float]]:
        """(service_id, needs mask, score) of each row fitting some need as well as the
        best (``best_sets``: per need, those rows' positions and scores); a row's mask
        holds the needs it fits best and its score is the sum of its scores for them,
        added in the needs' order. ``choose_team`` keeps the best row per mask.

        Plain Python: these rows are few, so numpy's cost per call would dominate.
        """
        by_pos: dict[int, list[Any]] = {}
        for i, (best, scores) in enumerate(best_sets):
            bit = 1 << i
            for pos, score in zip(best.tolist(), scores.tolist(), strict=True):
                entry = by_pos.get(pos)
                if entry is None:
                    # From 0.0, as a sum of scores starts (so -0.0 becomes 0.0).
                    by_pos[pos] = [bit, 0.0 + score]
                else:
                    entry[0] |= bit
                    entry[1] += score
        if not by_pos:
            return []
        at = list(by_pos)
        ids = self._cols.ids.take(rows.take(at)).tolist()
        return [(sid, *by_pos[pos]) for sid, pos in zip(ids, at, strict=True)]
