"""Column arrays of the directory, one row per service in id order.

The index evaluates the hard rules and the score over many services at once with
numpy; these columns hold the plain record fields it needs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from routing.engine import help
from routing.engine.areas import AreaCatalogue
from routing.engine.parts import Capacity, Freshness, Unstated, Wait
from routing.engine.records import ServiceRecord
from routing.engine.rules import (
    AgeRule,
    LanguageRule,
    ModeRule,
    distances_array,
    is_distance_free,
    rule_flags,
)
from routing.engine.weights import Weights

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# Bits of ServiceColumns.flags: ``rules.rule_flags`` (referrals, accepting, ages),
# and these of our own, so that most rules are a single mask test and the evaluator
# reads the facts a row leaves unstated from the word it gathers anyway.
DISTANCE_FREE = 4
UNSTATED_SHIFT = 5  # bits 5 to 7: ``parts.Unstated.bits``
assert Unstated.AGES | Unstated.MODES | Unstated.LANGUAGES < 1 << 3
PAD_PLACES = 4
# Columns of ServiceColumns.row_floats and row_ints: what the evaluator reads of
# every candidate, side by side so that one gather fetches a row's whole record
# (one cache line or two) rather than one scattered read per column.
CAPACITY_COL = 0  # capacity points
WAIT_COL = 1  # wait points
UPDATED_COL = 2
PAD_COL = 3  # pad_width place eastings, then as many northings
FLAGS_COL = 0
SLOT_COL = 1


@dataclass(frozen=True, slots=True)
class StaticColumns:
    """The query-independent score parts (capacity and wait points) and, per
    service, which capacity and wait figures it has: services with equal figures
    share one key, and ``*_first`` gives a service of each key, to make its parts from."""

    capacity: FloatArray
    wait: FloatArray
    capacity_key: IntArray
    capacity_first: IntArray
    wait_key: IntArray
    wait_first: IntArray

    @staticmethod
    def figures(
        services: Sequence[ServiceRecord], w: Weights
    ) -> tuple[FloatArray, FloatArray, IntArray, FloatArray]:
        """Capacity points, wait points, and the figures each depends on (one row of
        two per service: free places and wait-list; waiting days and their source)."""
        n = len(services)
        free = np.fromiter((s.free_places for s in services), np.int64, n)
        waiting = np.fromiter((s.waitlist_length for s in services), np.int64, n)
        waits = [Wait.days(s) for s in services]
        days = np.fromiter((math.nan if d is None else d for d, _ in waits), np.float64, n)
        source = np.fromiter(
            (0 if d is None else 1 if measured else 2 for d, measured in waits), np.float64, n)
        # The figures the capacity and wait parts depend on, and nothing else.
        capacity = np.stack([np.maximum(free, 0), np.where(free > 0, 0, waiting)], axis=1)
        wait = np.stack([np.nan_to_num(days, nan=0.0), source], axis=1)
        return (Capacity.points_array(free.astype(np.float64), waiting.astype(np.float64), w),
                Wait.points_array(days, w), capacity, wait)

    @classmethod
    def build(cls, services: Sequence[ServiceRecord], w: Weights) -> StaticColumns:
        capacity_points, wait_points, capacity, wait = cls.figures(services, w)
        _, capacity_first, capacity_key = np.unique(
            capacity, axis=0, return_index=True, return_inverse=True)
        _, wait_first, wait_key = np.unique(wait, axis=0, return_index=True, return_inverse=True)
        return cls(capacity_points, wait_points, capacity_key.reshape(-1), capacity_first,
                   wait_key.reshape(-1), wait_first)


def _indices(groups: dict[str, list[int]]) -> dict[str, IntArray]:
    return {key: np.array(rows, dtype=np.int64) for key, rows in groups.items()}


@dataclass(frozen=True, slots=True)
class ServiceColumns:
    """Per-service arrays (row i = i-th service by id) and a few inverted lists.

    Capacity figures change in place (``set_capacity``); everything else is fixed.
    """

    services: list[ServiceRecord]
    ids: IntArray
    organisation: IntArray
    min_age: IntArray  # ``AgeRule.bounds``: an unstated bound is no limit
    max_age: IntArray
    unstated: IntArray  # ``parts.Unstated.bits``
    modes: IntArray
    flags: IntArray  # rules.rule_flags | DISTANCE_FREE | unstated << UNSTATED_SHIFT
    area_slot: IntArray
    distance_free: BoolArray
    static: StaticColumns
    updated_s: FloatArray  # epoch seconds; Freshness.NEVER = never updated
    point_start: IntArray
    point_count: IntArray
    point_x: FloatArray
    point_y: FloatArray
    # The capacity and wait points, the update time and the first PAD_PLACES places of each
    # row (x then y; NaN = none), and its flags and area slot: see CAPACITY_COL and
    # FLAGS_COL. ``crowded`` marks rows with more places than ``pad_width``.
    row_floats: FloatArray
    row_ints: IntArray
    pad_width: int
    crowded: BoolArray
    any_crowded: bool
    # Kinds of help and audiences as ``help`` bit masks, and the level's slot: fixed
    # after the build (a capacity patch never changes them).
    kinds: IntArray
    audiences: IntArray
    levels: IntArray
    by_code: dict[str, IntArray]
    by_language: dict[str, IntArray]
    by_school: dict[int, IntArray]
    mode_bit: dict[str, int]

    @classmethod
    def build(
        cls, services: Sequence[ServiceRecord], areas: AreaCatalogue, w: Weights
    ) -> ServiceColumns:
        """Columns of ``services``, which must already be sorted by id."""
        n = len(services)
        px: list[float] = []
        py: list[float] = []
        start: list[int] = []
        count: list[int] = []
        by_code: dict[str, list[int]] = {}
        by_language: dict[str, list[int]] = {}
        by_school: dict[int, list[int]] = {}
        # Services share few distinct sets and dates: work each out once.
        mode_cache: dict[frozenset[str], int] = {}
        lang_cache: dict[frozenset[str], frozenset[str]] = {}
        date_cache: dict[datetime | None, float] = {}
        bit_of: dict[str, int] = {}
        modes: list[int] = []
        updated: list[float] = []
        for row, s in enumerate(services):
            first = len(px)
            start.append(first)
            if s.venue is not None:
                px.append(s.venue[0])
                py.append(s.venue[1])
            for hub in s.hubs:
                px.append(hub.easting)
                py.append(hub.northing)
                rows = by_school.setdefault(hub.school_id, [])
                if not rows or rows[-1] != row:
                    rows.append(row)
            count.append(len(px) - first)
            for code in s.need_codes:
                by_code.setdefault(code, []).append(row)
            langs = lang_cache.get(s.languages)
            if langs is None:
                langs = lang_cache[s.languages] = LanguageRule.offered(s)
            for lang in langs or (LanguageRule.NOT_STATED,):
                by_language.setdefault(lang, []).append(row)
            bits = mode_cache.get(s.delivery_modes)
            if bits is None:
                bits = mode_cache[s.delivery_modes] = ModeRule.bits(s.delivery_modes, bit_of)
            modes.append(bits)
            seconds = date_cache.get(s.capacity_updated_at)
            if seconds is None:
                seconds = date_cache[s.capacity_updated_at] = Freshness.updated_seconds(s)
            updated.append(seconds)
        free = np.fromiter((is_distance_free(s) for s in services), np.bool_, n)
        unstated = np.fromiter((Unstated.bits(s) for s in services), np.int64, n)
        flags = np.fromiter((rule_flags(s) for s in services), np.int64, n) | (
            free * DISTANCE_FREE) | unstated << UNSTATED_SHIFT
        point_start = np.array(start, dtype=np.int64)
        point_count = np.array(count, dtype=np.int64)
        point_x = np.array(px, dtype=np.float64)
        point_y = np.array(py, dtype=np.float64)
        width = max(1, min(PAD_PLACES, int(point_count.max()) if n else 1))
        static = StaticColumns.build(services, w)
        updated_s = np.array(updated, dtype=np.float64)
        row_floats = np.full((n, PAD_COL + 2 * width), math.nan)
        row_floats[:, CAPACITY_COL] = static.capacity
        row_floats[:, WAIT_COL] = static.wait
        row_floats[:, UPDATED_COL] = updated_s
        for k in range(width):
            has = point_count > k
            row_floats[has, PAD_COL + k] = point_x[point_start[has] + k]
            row_floats[has, PAD_COL + width + k] = point_y[point_start[has] + k]
        crowded = point_count > width
        area_slot = np.fromiter((areas.slot(s.area_wkt) for s in services), np.int64, n)
        kind_cache: dict[frozenset[str], int] = {}
        audience_cache: dict[frozenset[str], int] = {}
        kinds = np.fromiter((
            kind_cache[s.help_kinds] if s.help_kinds in kind_cache
            else kind_cache.setdefault(s.help_kinds, help.kind_bits(s.help_kinds))
            for s in services), np.int64, n)
        audiences = np.fromiter((
            audience_cache[s.audiences] if s.audiences in audience_cache
            else audience_cache.setdefault(s.audiences, help.audience_bits(s.audiences))
            for s in services), np.int64, n)
        levels = np.fromiter((help.LEVEL_SLOT.get(s.level, 0) for s in services), np.int64, n)
        return cls(
            services=list(services),
            ids=np.fromiter((s.id for s in services), dtype=np.int64, count=n),
            organisation=np.fromiter((s.organisation_id for s in services), np.int64, n),
            min_age=np.fromiter((AgeRule.bounds(s)[0] for s in services), np.int64, n),
            max_age=np.fromiter((AgeRule.bounds(s)[1] for s in services), np.int64, n),
            unstated=unstated,
            modes=np.array(modes, dtype=np.int64),
            flags=flags,
            area_slot=area_slot,
            distance_free=free,
            static=static,
            updated_s=updated_s,
            point_start=point_start,
            point_count=point_count,
            point_x=point_x,
            point_y=point_y,
            row_floats=row_floats,
            row_ints=np.stack([flags, area_slot], axis=1),
            pad_width=width,
            crowded=crowded,
            any_crowded=bool(crowded.any()),
            kinds=kinds,
            audiences=audiences,
            levels=levels,
            by_code=_indices(by_code),
            by_language=_indices(by_language),
            by_school={k: np.array(v, dtype=np.int64) for k, v in by_school.items()},
            mode_bit=bit_of,
        )

    def set_capacity(self, row: int, service: ServiceRecord, w: Weights) -> tuple[
            int, tuple[int, int], tuple[float, float]]:
        """Put ``service``'s capacity figures (accepting, places, wait-list, waits, when
        confirmed) in ``row``, whose service it replaces; its other fields must not
        differ. Returns the row's new flags and its capacity and wait figures (the
        keys of its score parts)."""
        self.services[row] = service
        flags = (rule_flags(service) | (DISTANCE_FREE if self.distance_free[row] else 0)
                 | int(self.unstated[row]) << UNSTATED_SHIFT)
        self.flags[row] = flags
        self.row_ints[row, FLAGS_COL] = flags
        capacity_points, wait_points, capacity, wait = StaticColumns.figures([service], w)
        updated = Freshness.updated_seconds(service)
        self.static.capacity[row] = self.row_floats[row, CAPACITY_COL] = capacity_points[0]
        self.static.wait[row] = self.row_floats[row, WAIT_COL] = wait_points[0]
        self.updated_s[row] = self.row_floats[row, UPDATED_COL] = updated
        return (flags, (int(capacity[0, 0]), int(capacity[0, 1])),
                (float(wait[0, 0]), float(wait[0, 1])))

    def nearest(self, floats: FloatArray, rows: IntArray, x: float, y: float) -> FloatArray:
        """Metres from (x, y) to each row's nearest place; NaN for rows with none.

        ``floats`` are the ``row_floats`` of ``rows``, already gathered. The
        distances are ``rules.distances_array``'s, equal to ``rules.distance_m``.
        """
        w = self.pad_width
        near = distances_array(floats[:, PAD_COL:PAD_COL + w],
                               floats[:, PAD_COL + w:PAD_COL + 2 * w], x, y)
        # fmin skips the NaN padding; a row with no place at all stays NaN. A minimum
        # is exact, so the order the columns are taken in cannot change a bit; and
        # column by column is several times faster than numpy's reduce along axis 1.
        out = near[:, 0]
        for k in range(1, w):
            out = np.fmin(out, near[:, k])
        if self.any_crowded:
            many = self.crowded[rows].nonzero()[0]
            if len(many):
                out[many] = self._min_distance_flat(rows[many], x, y)
        return out

    def _min_distance_flat(self, rows: IntArray, x: float, y: float) -> FloatArray:
        """``nearest`` over every place of each row, however many it has."""
        out = np.full(len(rows), math.nan)
        counts = self.point_count[rows]
        has = counts.nonzero()[0]
        if len(has) == 0:
            return out
        c = counts[has]
        ends = c.cumsum()
        firsts = ends - c
        # Flat positions of every place of every row, in row order.
        flat = (self.point_start[rows[has]] - firsts).repeat(c) + np.arange(ends[-1])
        out[has] = np.minimum.reduceat(
            distances_array(self.point_x[flat], self.point_y[flat], x, y), firsts)
        return out
