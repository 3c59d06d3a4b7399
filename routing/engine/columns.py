"""Column arrays of the directory, one row per service in id order.

The index evaluates the hard rules and the score over many services at once with
numpy; these columns hold the plain record fields it needs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routing.engine.areas import AreaCatalogue
from routing.engine.records import ServiceRecord
from routing.engine.rules import is_distance_free
from routing.engine.scoring import epoch_seconds, static_points
from routing.engine.weights import Weights

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

MAX_MODES = 62
# Bits of ServiceColumns.flags: three booleans, then one bit per age the service
# takes (bit AGE_SHIFT + a for age a, up to MAX_PACKED_AGE), so the referrals,
# accepting and age rules are a single mask test.
REFERRALS = 1
ACCEPTING = 2
DISTANCE_FREE = 4
AGE_SHIFT = 8
MAX_PACKED_AGE = 54


def mode_bits(modes: frozenset[str], bit_of: dict[str, int]) -> int:
    """Bit mask of delivery modes; modes not in ``bit_of`` are given the next bit.

    Raises ValueError past ``MAX_MODES`` distinct modes (the mask is an int64).
    """
    bits = 0
    for mode in sorted(modes):
        if mode not in bit_of:
            if len(bit_of) >= MAX_MODES:
                raise ValueError("too many distinct delivery modes")
            bit_of[mode] = 1 << len(bit_of)
        bits |= bit_of[mode]
    return bits


def _indices(groups: dict[str, list[int]]) -> dict[str, IntArray]:
    return {key: np.array(rows, dtype=np.int64) for key, rows in groups.items()}


@dataclass(frozen=True, slots=True)
class ServiceColumns:
    """Per-service arrays (row i = i-th service by id) and a few inverted lists."""

    services: tuple[ServiceRecord, ...]
    ids: IntArray
    organisation: IntArray
    min_age: IntArray
    max_age: IntArray
    modes: IntArray
    flags: IntArray  # REFERRALS | ACCEPTING | DISTANCE_FREE | age bits
    area_slot: IntArray
    distance_free: BoolArray
    static_score: FloatArray
    updated_s: FloatArray  # epoch seconds; -inf = never updated
    point_start: IntArray
    point_count: IntArray
    point_x: FloatArray
    point_y: FloatArray
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
        start = np.zeros(n, dtype=np.int64)
        count = np.zeros(n, dtype=np.int64)
        by_code: dict[str, list[int]] = {}
        by_language: dict[str, list[int]] = {}
        by_school: dict[int, list[int]] = {}
        mode_cache: dict[frozenset[str], int] = {}
        bit_of: dict[str, int] = {}
        modes = np.zeros(n, dtype=np.int64)
        updated = np.full(n, -math.inf)
        for row, s in enumerate(services):
            start[row] = len(px)
            if s.venue is not None:
                px.append(s.venue[0])
                py.append(s.venue[1])
            for hub in s.hubs:
                px.append(hub.easting)
                py.append(hub.northing)
                rows = by_school.setdefault(hub.school_id, [])
                if not rows or rows[-1] != row:
                    rows.append(row)
            count[row] = len(px) - start[row]
            for code in s.need_codes:
                by_code.setdefault(code, []).append(row)
            for lang in {lang.casefold() for lang in s.languages}:
                by_language.setdefault(lang, []).append(row)
            bits = mode_cache.get(s.delivery_modes)
            if bits is None:
                bits = mode_cache[s.delivery_modes] = mode_bits(s.delivery_modes, bit_of)
            modes[row] = bits
            if s.capacity_updated_at is not None:
                updated[row] = epoch_seconds(s.capacity_updated_at)
        free = np.fromiter((is_distance_free(s) for s in services), np.bool_, n)
        age_cache: dict[tuple[int, int], int] = {}
        ages = np.zeros(n, dtype=np.int64)
        for row, s in enumerate(services):
            key = (s.min_age, s.max_age)
            bits = age_cache.get(key)
            if bits is None:
                bits = age_cache[key] = sum(
                    1 << (AGE_SHIFT + a)
                    for a in range(max(s.min_age, 0), min(s.max_age, MAX_PACKED_AGE) + 1)
                )
            ages[row] = bits
        flags = (
            np.fromiter((s.takes_system_referrals for s in services), np.int64, n) * REFERRALS
            + np.fromiter((s.accepting for s in services), np.int64, n) * ACCEPTING
            + free * DISTANCE_FREE
            + ages
        )
        return cls(
            services=tuple(services),
            ids=np.fromiter((s.id for s in services), dtype=np.int64, count=n),
            organisation=np.fromiter((s.organisation_id for s in services), np.int64, n),
            min_age=np.fromiter((s.min_age for s in services), np.int64, n),
            max_age=np.fromiter((s.max_age for s in services), np.int64, n),
            modes=modes,
            flags=flags,
            area_slot=np.fromiter((areas.slot(s.area_wkt) for s in services), np.int64, n),
            distance_free=free,
            static_score=np.fromiter((static_points(s, w) for s in services), np.float64, n),
            updated_s=updated,
            point_start=start,
            point_count=count,
            point_x=np.array(px, dtype=np.float64),
            point_y=np.array(py, dtype=np.float64),
            by_code=_indices(by_code),
            by_language=_indices(by_language),
            by_school={k: np.array(v, dtype=np.int64) for k, v in by_school.items()},
            mode_bit=bit_of,
        )

    def min_distance(self, rows: IntArray, x: float, y: float) -> FloatArray:
        """Metres from (x, y) to each row's nearest place; NaN for rows with none.

        Same arithmetic as ``rules.distance_m`` so the values are bit-identical.
        """
        out = np.full(len(rows), math.nan)
        counts = self.point_count[rows]
        has = np.flatnonzero(counts)
        if len(has) == 0:
            return out
        c = counts[has]
        ends = np.cumsum(c)
        firsts = ends - c
        # Flat positions of every place of every row, in row order.
        flat = np.repeat(self.point_start[rows[has]] - firsts, c) + np.arange(ends[-1])
        dx = self.point_x[flat] - x
        dy = self.point_y[flat] - y
        out[has] = np.minimum.reduceat(np.sqrt(dx * dx + dy * dy), firsts)
        return out
