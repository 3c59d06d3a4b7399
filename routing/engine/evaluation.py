"""Evaluating the hard rules and the score over candidate rows with numpy.

This mirrors the scalar rules in ``rules.py`` and the formulas in ``scoring.py``
exactly (the property tests hold it to them), so the index ranks as the scan does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from routing.engine.columns import (
    ACCEPTING,
    AGE_SHIFT,
    DISTANCE_FREE,
    FLAGS_COL,
    MAX_PACKED_AGE,
    REFERRALS,
    SCORE_COL,
    SLOT_COL,
    UPDATED_COL,
    BoolArray,
    FloatArray,
    IntArray,
    ServiceColumns,
)
from routing.engine.records import FamilyQuery
from routing.engine.rules import QueryContext
from routing.engine.scoring import SECONDS_PER_DAY, epoch_seconds
from routing.engine.weights import Weights


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Rule outcome, distance and score of candidate rows (parallel arrays)."""

    rows: IntArray  # sorted, distinct
    ok: BoolArray  # passes every rule but the need rule
    distance: FloatArray  # NaN = no distance
    score: FloatArray
    at_school: BoolArray
    continuing: BoolArray


class RuleEvaluator:
    """Evaluates candidate rows of one index: every rule but the need rule, and the score."""

    __slots__ = ("_area_count", "_cols", "_language_masks", "_now", "_weights")

    def __init__(self, cols: ServiceColumns, area_count: int, weights: Weights) -> None:
        self._cols = cols
        self._area_count = area_count
        self._weights = weights
        n = len(cols.services)
        self._language_masks: dict[str, BoolArray] = {}
        for lang, rows in cols.by_language.items():
            mask = np.zeros(n, dtype=np.bool_)
            mask[rows] = True
            self._language_masks[lang] = mask
        # The last query's ``now`` and its epoch seconds (a pair, so thread-safe).
        self._now: tuple[datetime, float] | None = None

    @staticmethod
    def required_flags(query: FamilyQuery) -> int:
        """The ``ServiceColumns.flags`` bits a row must all have to pass the referrals
        and accepting rules and, for an age up to MAX_PACKED_AGE, the age rule."""
        required = (REFERRALS if query.require_system_referrals else 0) | (
            ACCEPTING if query.require_accepting else 0)
        age = query.age
        if age is not None and 0 <= age <= MAX_PACKED_AGE:
            required |= 1 << (AGE_SHIFT + age)
        return required

    def _now_seconds(self, now: datetime) -> float:
        last = self._now
        if last is not None and last[0] == now:
            return last[1]
        seconds = epoch_seconds(now)
        self._now = (now, seconds)
        return seconds

    def __call__(self, rows: IntArray, ctx: QueryContext, slots: list[int]) -> Evaluation:
        """Apply every rule but the need rule, and score, over ``rows`` (sorted, distinct).

        Mirrors the scalar rules in ``rules.py`` and the formulas in ``scoring.py``.
        """
        cols, query, w = self._cols, ctx.query, self._weights
        n = len(rows)
        floats = cols.row_floats.take(rows, axis=0)
        ints = cols.row_ints.take(rows, axis=0)
        flags = ints[:, FLAGS_COL]
        required = self.required_flags(query)
        ok = (flags & required) == required
        age = query.age
        if age is not None and not 0 <= age <= MAX_PACKED_AGE:
            ok &= cols.min_age[rows] <= age
            ok &= cols.max_age[rows] >= age
        at_school = np.zeros(n, dtype=np.bool_)
        school_rows = cols.by_school.get(query.school_id) if query.school_id is not None else None
        if school_rows is not None and n:
            where = np.minimum(rows.searchsorted(school_rows), n - 1)
            at_school[where[rows[where] == school_rows]] = True
        free = (flags & DISTANCE_FREE) != 0
        if ctx.point is not None:
            inside = np.zeros(self._area_count + 1, dtype=np.bool_)
            inside[0] = True
            inside[slots] = True
            ok &= inside[ints[:, SLOT_COL]]
            distance = cols.nearest(floats, rows, ctx.point[0], ctx.point[1])
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
        days = (self._now_seconds(query.now) - floats[:, UPDATED_COL]) / SECONDS_PER_DAY
        fresh = w.freshness * np.maximum(0.0, 1.0 - np.maximum(days, 0.0) / w.stale_after_days)
        # Adding a scalar 0.0 gives the same bits as adding an array of zeros.
        school_pts: FloatArray | float = (
            np.where(at_school, w.at_school, 0.0) if school_rows is not None else 0.0)
        if query.current_provider_ids:
            # Few providers: comparisons beat np.isin, which sorts.
            organisation = cols.organisation[rows]
            continuing = np.zeros(n, dtype=np.bool_)
            for provider in query.current_provider_ids:
                continuing |= organisation == provider
            cont: FloatArray | float = np.where(continuing, w.continuity, 0.0)
        else:
            continuing = np.zeros(n, dtype=np.bool_)
            cont = 0.0
        # The order of scoring.total, so scores are bit-identical to the scan's.
        score = floats[:, SCORE_COL] + fresh + dist_pts + school_pts + cont
        return Evaluation(rows, ok, distance, score, at_school, continuing)
