"""The baseline for the benchmark: a plain scan vectorised with numpy.

Every query computes the distance to every place of every service and checks
every rule over the whole directory; no spatial or need index. It shares only the
engine's record types, need taxonomy and score formulas, so its matches can be
compared with the engine's.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

from routing.engine import DirectorySnapshot, FamilyQuery, Weights
from routing.engine.rules import is_distance_free
from routing.engine.scoring import (
    distance_array,
    epoch_seconds,
    freshness_array,
    static_points,
)
from routing.engine.taxonomy import Taxonomy


class NumpyScan:
    """Column arrays of a snapshot, scanned in full for every query."""

    def __init__(self, snapshot: DirectorySnapshot, weights: Weights | None = None) -> None:
        self.w = weights or Weights()
        services = sorted(snapshot.services, key=lambda s: s.id)
        self.services = services
        n = len(services)
        self.ids = np.array([s.id for s in services], dtype=np.int64)
        self.org = np.array([s.organisation_id for s in services], dtype=np.int64)
        self.min_age = np.array([s.min_age for s in services])
        self.max_age = np.array([s.max_age for s in services])
        self.refer = np.array([s.takes_system_referrals for s in services])
        self.accept = np.array([s.accepting for s in services])
        self.free = np.array([is_distance_free(s) for s in services])
        self.static = np.array([static_points(s, self.w) for s in services])
        self.updated = np.array([math.nan if s.capacity_updated_at is None
                                 else epoch_seconds(s.capacity_updated_at) for s in services])
        self.modes = {m: np.array([m in s.delivery_modes for s in services])
                      for m in {m for s in services for m in s.delivery_modes}}
        self.langs: dict[str, np.ndarray] = {}
        for row, s in enumerate(services):
            for lang in {x.casefold() for x in s.languages}:
                self.langs.setdefault(lang, np.zeros(n, dtype=bool))[row] = True
        wkts = sorted({s.area_wkt for s in services if s.area_wkt is not None})
        slot = {wkt: i + 1 for i, wkt in enumerate(wkts)}
        self.areas = shapely.from_wkt(np.array(wkts, dtype=object))
        shapely.prepare(self.areas)
        self.area_slot = np.array([slot.get(s.area_wkt, 0) if s.area_wkt else 0
                                   for s in services])
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
        self.taxonomy = Taxonomy(snapshot.need_parents)
        self.declared: dict[str, np.ndarray] = {}
        for row, s in enumerate(services):
            for code in s.need_codes:
                self.declared.setdefault(code, np.zeros(n, dtype=bool))[row] = True
        self.n = n

    def route(self, q: FamilyQuery) -> list[tuple[list[int], int]]:
        """(matched ids, eligible count) per need."""
        n, w = self.n, self.w
        point = q.home if q.home is not None else q.school_point
        ok = np.ones(n, dtype=bool)
        if q.age is not None:
            ok &= (self.min_age <= q.age) & (self.max_age >= q.age)
        at_school = np.zeros(n, dtype=bool)
        if q.school_id is not None:
            at_school[self.hub_owner[self.hub_school == q.school_id]] = True
        dist = np.full(n, np.nan)
        if point is not None:
            x, y = point
            dx = self.px - x
            dy = self.py - y
            if len(self.located):
                dist[self.located] = np.minimum.reduceat(np.sqrt(dx * dx + dy * dy), self.starts)
            inside = np.concatenate(([True], shapely.intersects_xy(self.areas, x, y)))
            ok &= inside[self.area_slot]
            if q.max_distance_m is not None:
                ok &= self.free | at_school | (dist <= q.max_distance_m)
        if q.delivery_modes:
            offered = np.zeros(n, dtype=bool)
            for m in q.delivery_modes:
                if m in self.modes:
                    offered |= self.modes[m]
            ok &= offered
        if q.language is not None:
            ok &= self.langs.get(q.language.casefold(), np.zeros(n, dtype=bool))
        if q.require_system_referrals:
            ok &= self.refer
        if q.require_accepting:
            ok &= self.accept
        fresh = freshness_array(self.updated, epoch_seconds(q.now), w)
        dpts = distance_array(dist, self.free, w) if point is not None else np.zeros(n)
        school = np.where(at_school, w.at_school, 0.0)
        cont = np.zeros(n)
        if q.current_provider_ids:
            cont = np.where(np.isin(self.org, list(q.current_provider_ids)), w.continuity, 0.0)
        score = self.static + fresh + dpts + school + cont
        out = []
        for need in q.needs:
            meets = np.zeros(n, dtype=bool)
            for code in self.taxonomy.matching_codes(need.code):
                if code in self.declared:
                    meets |= self.declared[code]
            rows = np.flatnonzero(meets & ok)
            top = rows[np.lexsort((self.ids[rows], -score[rows]))][: q.limit_per_need]
            out.append((self.ids[top].tolist(), len(rows)))
        return out
