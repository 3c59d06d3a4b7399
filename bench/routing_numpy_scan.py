"""The baseline for the benchmark: a plain scan vectorised with numpy.

Every query computes the distance to every place of every service and checks
every rule over the whole directory; no spatial or need index. It calls the
engine's own vectorised rules (``rules.py``) and score parts (``parts.py``) and
shares its record types, need taxonomy and record builders, so its results can
be compared with the engine's: ``route`` gives matched ids only, ``route_full``
the whole RoutingResult (reasons, exclusions, team).
"""

from __future__ import annotations

import numpy as np
import shapely

from routing.engine import (
    DirectorySnapshot,
    FamilyQuery,
    NeedRequest,
    NeedResult,
    RoutingResult,
    Weights,
    help,
)
from routing.engine.areas import AreaCatalogue
from routing.engine.explain import make_exclusion, make_match, make_need_match, make_team
from routing.engine.need_rank import best_fitting, rank, score_need
from routing.engine.parts import (
    AtSchool,
    Capacity,
    Continuity,
    Distance,
    Freshness,
    Unstated,
    Wait,
    epoch_seconds,
    total,
)
from routing.engine.rules import (
    ACCEPTING,
    AgeRule,
    AreaRule,
    AudienceRule,
    DistanceRule,
    LanguageRule,
    ModeRule,
    NeedRule,
    QueryContext,
    distances_array,
    is_distance_free,
    required_flags,
    rule_flags,
)
from routing.engine.taxonomy import EXACT, NARROWER, Taxonomy
from routing.engine.team import choose_team


class NumpyScan:
    """Column arrays of a snapshot, scanned in full for every query."""

    def __init__(self, snapshot: DirectorySnapshot, weights: Weights | None = None) -> None:
        self.w = weights or Weights()
        services = sorted(snapshot.services, key=lambda s: s.id)
        self.services = services
        n = len(services)
        self.ids = np.array([s.id for s in services], dtype=np.int64)
        self.org = np.array([s.organisation_id for s in services], dtype=np.int64)
        self.min_age = np.array([AgeRule.bounds(s)[0] for s in services], dtype=np.int64)
        self.max_age = np.array([AgeRule.bounds(s)[1] for s in services], dtype=np.int64)
        self.unstated = np.array([Unstated.bits(s) for s in services], dtype=np.int64)
        self.flags = np.array([rule_flags(s) for s in services], dtype=np.int64)
        self.free = np.array([is_distance_free(s) for s in services])
        self.capacity = Capacity.points_array(
            np.array([s.free_places for s in services], dtype=np.float64),
            np.array([s.waitlist_length for s in services], dtype=np.float64), self.w)
        waits = [Wait.days(s)[0] for s in services]
        self.wait = Wait.points_array(
            np.array([np.nan if d is None else d for d in waits], dtype=np.float64), self.w)
        self.updated = np.array([Freshness.updated_seconds(s) for s in services])
        self.mode_bit: dict[str, int] = {}
        self.modes = np.array([ModeRule.bits(s.delivery_modes, self.mode_bit) for s in services],
                              dtype=np.int64)
        self.langs: dict[str, np.ndarray] = {}
        for row, s in enumerate(services):
            for lang in LanguageRule.offered(s) or (LanguageRule.NOT_STATED,):
                self.langs.setdefault(lang, np.zeros(n, dtype=bool))[row] = True
        self.all_rows = np.arange(n)
        wkts = sorted({s.area_wkt for s in services if s.area_wkt is not None})
        # Only for the reasons of the few returned records; the rules below use numpy.
        self.catalogue = AreaCatalogue(wkts)
        self.areas = shapely.from_wkt(np.array(wkts, dtype=object))
        shapely.prepare(self.areas)
        # The catalogue's slot of each area, in ``self.areas`` order (0 = no area).
        self.slot_of_area = np.array([self.catalogue.slot(wkt) for wkt in wkts], dtype=np.int64)
        self.area_slot = np.array([self.catalogue.slot(s.area_wkt) for s in services],
                                  dtype=np.int64)
        px, py, owner, hub_school, hub_owner = [], [], [], [], []
        for row, s in enumerate(services):
            if s.venue is not None:
                px.append(s.venue[0])
                py.append(s.venue[1])
                owner.append(row)
            for h in s.hubs:
                px.append(h.easting)
                py.append(h.northing)
                owner.append(row)
                hub_school.append(h.school_id)
                hub_owner.append(row)
        self.px, self.py = np.array(px), np.array(py)
        owner_arr = np.array(owner, dtype=np.int64)
        self.located = np.unique(owner_arr)
        self.starts = np.searchsorted(owner_arr, self.located)
        self.hub_school = np.array(hub_school, dtype=np.int64)
        self.hub_owner = np.array(hub_owner, dtype=np.int64)
        self.taxonomy = Taxonomy(snapshot.need_parents, snapshot.need_names)
        self.kinds = np.array([help.kind_bits(s.help_kinds) for s in services], dtype=np.int64)
        self.audiences = np.array([help.audience_bits(s.audiences) for s in services],
                                  dtype=np.int64)
        self.levels = np.array([help.LEVEL_SLOT.get(s.level, 0) for s in services],
                               dtype=np.int64)
        self.accepting = (self.flags & ACCEPTING) != 0
        by_code: dict[str, list[int]] = {}
        for row, s in enumerate(services):
            for code in s.need_codes:
                by_code.setdefault(code, []).append(row)
        self.by_code = {code: np.array(rows, dtype=np.int64) for code, rows in by_code.items()}
        self.n = n
        self.version = snapshot.version

    def _rules_and_scores(
        self, q: FamilyQuery
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(passes every rule but the need rule, distance, score) for every service."""
        n, w = self.n, self.w
        ctx = QueryContext.build(q, self.catalogue)
        point = ctx.point
        at_school = np.zeros(n, dtype=bool)
        if q.school_id is not None:
            at_school[self.hub_owner[self.hub_school == q.school_id]] = True
        dist = np.full(n, np.nan)
        inside_slots: list[int] = []
        if point is not None:
            x, y = point
            if len(self.located):
                dist[self.located] = np.minimum.reduceat(
                    distances_array(self.px, self.py, x, y), self.starts)
            inside_slots = self.slot_of_area[shapely.intersects_xy(self.areas, x, y)].tolist()
        required = required_flags(q)  # the referrals, accepting and (mostly) age rules
        ok = (self.flags & required) == required
        for passed in (
            None if AgeRule.packs(q) else AgeRule.passes_array(
                ctx, self.min_age, self.max_age),
            AudienceRule.passes_array(ctx, self.audiences),
            AreaRule.passes_array(ctx, self.area_slot, inside_slots, len(self.catalogue)),
            DistanceRule.passes_array(ctx, dist, self.free, at_school),
            ModeRule.passes_array(ctx, self.modes, self.mode_bit),
            LanguageRule.passes_array(ctx, self.langs, self.all_rows),
        ):
            if passed is not None:
                ok &= passed
        fresh = Freshness.points_array(Freshness.age(self.updated, epoch_seconds(q.now)), w)
        dpts = Distance.points_array(dist, self.free, w) if point is not None else 0.0
        continuing = Continuity.applies_array(self.org, q.current_provider_ids)
        asked = Unstated.asked(q)
        score = total(self.capacity, self.wait, fresh, dpts, AtSchool.points_array(at_school, w),
                      Continuity.points_array(continuing, w),
                      Unstated.points_array(self.unstated, asked, w) if asked else 0.0)
        return ok, dist, score

    def _meets(self, code: str) -> np.ndarray:
        return NeedRule.meets_array(self.taxonomy.matching_codes(code), self.by_code, self.n)

    def _specificity(self, code: str) -> np.ndarray:
        levels = np.zeros(self.n, dtype=np.int8)
        for child in self.taxonomy.children(code):
            if child in self.by_code:
                levels[self.by_code[child]] = NARROWER
        if code in self.by_code:
            levels[self.by_code[code]] = EXACT
        return levels

    def _need(self, need: NeedRequest, rows: np.ndarray, score: np.ndarray, k: int
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(the first k rows, the best-fitting rows, their scores) of eligible ``rows``."""
        scores, fit, tier = score_need(
            need, self.w, score[rows], self._specificity(need.code)[rows], self.kinds[rows],
            self.audiences[rows], self.levels[rows], self.capacity[rows], self.wait[rows],
            self.accepting[rows])
        top = rank(rows, scores, tier, k, _smallest)
        best = best_fitting(fit, tier)
        return top, rows[best], scores[best]

    def route(self, q: FamilyQuery) -> list[tuple[list[int], int]]:
        """Matches only: (matched ids, eligible count) per need."""
        ok, _, score = self._rules_and_scores(q)
        out = []
        for need in q.needs:
            rows = np.flatnonzero(self._meets(need.code) & ok)
            top, _, _ = self._need(need, rows, score, q.limit_per_need)
            out.append((self.ids[top].tolist(), len(rows)))
        return out

    def route_full(self, q: FamilyQuery) -> RoutingResult:
        """The whole RoutingResult, as the engine gives it: matches with reasons,
        nearest exclusions and the team, from a full scan."""
        ok, dist, score = self._rules_and_scores(q)
        ctx = QueryContext.build(q, self.catalogue)  # for the reasons of returned records
        results = []
        masks = np.zeros(self.n, dtype=np.int64)
        team_scores = np.zeros(self.n)
        key = np.where(np.isnan(dist), np.inf, dist)
        for i, need in enumerate(q.needs):
            meets = self._meets(need.code)
            rows = np.flatnonzero(meets & ok)
            top, best, best_scores = self._need(need, rows, score, q.limit_per_need)
            masks[best] |= 1 << i
            team_scores[best] += best_scores
            failing = np.flatnonzero(meets & ~ok)
            near = _smallest(failing, key[failing], q.excluded_per_need)
            results.append(NeedResult(
                need=need,
                matches=tuple(make_need_match(make_match(self.services[r], "", ctx, self.w),
                                              need, self.taxonomy, self.w).match
                              for r in top.tolist()),
                excluded=tuple(make_exclusion(self.services[r], need.code, ctx)
                               for r in near.tolist()),
                eligible_count=len(rows),
            ))
        pos = np.flatnonzero(masks)
        team = choose_team(
            [n.priority for n in q.needs],
            [(int(self.ids[p]), int(masks[p]), float(team_scores[p])) for p in pos.tolist()],
            self.w,
        )
        by_id = {s.id: s for s in (self.services[p] for p in pos.tolist())}
        return RoutingResult(tuple(results), make_team(q.needs, results, team, by_id.__getitem__),
                             self.version)


def _smallest(rows: np.ndarray, key: np.ndarray, k: int) -> np.ndarray:
    """The k rows with the smallest key, ties by row (= id order), in that order."""
    if k <= 0 or len(rows) == 0:
        return rows[:0]
    if len(rows) > k:
        kth = np.partition(key, k - 1)[k - 1]
        keep = key <= kth
        rows, key = rows[keep], key[keep]
    return rows[np.lexsort((rows, key))][:k]
