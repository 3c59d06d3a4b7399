"""Evaluating the hard rules and the score over candidate rows with numpy.

The rules and the score parts are the vectorised bodies in ``rules.py`` and
``parts.py``; this module gathers their inputs from the index's columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from routing.engine.columns import (
    CAPACITY_COL,
    DISTANCE_FREE,
    FLAGS_COL,
    SLOT_COL,
    UNSTATED_SHIFT,
    UPDATED_COL,
    WAIT_COL,
    BoolArray,
    FloatArray,
    IntArray,
    ServiceColumns,
)
from routing.engine.parts import (
    AtSchool,
    Continuity,
    Distance,
    Freshness,
    Unstated,
    epoch_seconds,
    total,
)
from routing.engine.rules import (
    AgeRule,
    AreaRule,
    DistanceRule,
    LanguageRule,
    ModeRule,
    QueryContext,
    required_flags,
)
from routing.engine.weights import Weights


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Rule outcome, distance and score of candidate rows (parallel arrays).

    ``score`` and ``continuing`` are empty when the evaluation was not scored.
    """

    rows: IntArray  # sorted, distinct
    ok: BoolArray  # passes every rule but the need rule
    distance: FloatArray  # NaN = no distance
    score: FloatArray
    at_school: BoolArray
    continuing: BoolArray


_NOT_SCORED = np.empty(0, dtype=np.float64)
_NOT_SCORED.flags.writeable = False
_NOT_WORKED_OUT = np.empty(0, dtype=np.bool_)
_NOT_WORKED_OUT.flags.writeable = False
# Bytes of area lookup tables (one byte per area each) kept before the cache starts again.
_SLOTS_TABLES_BYTES = 8 << 20


class RuleEvaluator:
    """Evaluates candidate rows of one index: every rule but the need rule, and the score."""

    __slots__ = ("_area_count", "_cols", "_language_masks", "_now", "_slots_tables",
                 "_unstated_tables", "_weights")

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
        # ``_unstated_table`` per mask of facts asked (0 to 7), made when first asked for.
        self._unstated_tables: list[FloatArray | None] = [None] * 8
        # ``_slots_table`` per set of area slots, made when first asked for.
        self._slots_tables: dict[tuple[int, ...], BoolArray] = {}
        # The last query's ``now`` and its epoch seconds (a pair, so thread-safe).
        self._now: tuple[datetime, float] | None = None

    def now_seconds(self, now: datetime) -> float:
        """``parts.epoch_seconds`` of ``now``, remembered for the last ``now`` asked."""
        last = self._now
        if last is not None and last[0] == now:
            return last[1]
        seconds = epoch_seconds(now)
        self._now = (now, seconds)
        return seconds

    def _unstated_table(self, asked: int) -> FloatArray:
        """``parts.Unstated.points_table`` for the index's weights (its own cache
        hashes the weights, dearer than the lookup here)."""
        table = self._unstated_tables[asked]
        if table is None:
            table = self._unstated_tables[asked] = Unstated.points_table(asked, self._weights)
        return table

    def _slots_table(self, slots: list[int]) -> BoolArray:
        """``AreaRule.slots_table`` of ``slots``, kept per set of slots (families near
        each other share them), so the area rule is one lookup per query."""
        key = tuple(slots)
        table = self._slots_tables.get(key)
        if table is None:
            table = AreaRule.slots_table(slots, self._area_count)
            table.flags.writeable = False
            tables = self._slots_tables
            if len(tables) * len(table) >= _SLOTS_TABLES_BYTES:
                # Start again (thread-safe: a racing query only misses the cache).
                tables = self._slots_tables = {}
            tables[key] = table
        return table

    def __call__(self, rows: IntArray, ctx: QueryContext, slots: list[int], *,
                 scored: bool = True) -> Evaluation:
        """Apply every rule but the need rule, and score, over ``rows`` (sorted, distinct).

        ``slots`` are those of the areas holding the family's point. Without
        ``scored`` only the rules and distances are worked out (all a search for
        exclusions reads): the score and continuity are left empty.
        """
        cols, query, w = self._cols, ctx.query, self._weights
        n = len(rows)
        floats = cols.row_floats.take(rows, axis=0)
        ints = cols.row_ints.take(rows, axis=0)
        flags = ints[:, FLAGS_COL]
        # The referrals, accepting, audience and (mostly) age rules in their packed form.
        required = required_flags(query, ctx.subject)
        ok = (flags & required) == required
        if not AgeRule.packs(query):
            passed = AgeRule.passes_array(ctx, cols.min_age[rows], cols.max_age[rows])
            if passed is not None:
                ok &= passed
        at_school = np.zeros(n, dtype=np.bool_)
        school_rows = cols.by_school.get(query.school_id) if query.school_id is not None else None
        if school_rows is not None and n:
            where = np.minimum(rows.searchsorted(school_rows), n - 1)
            at_school[where[rows[where] == school_rows]] = True
        free = (flags & DISTANCE_FREE) != 0
        dist_pts: FloatArray | float = 0.0
        if ctx.point is not None:
            ok &= self._slots_table(slots).take(ints[:, SLOT_COL])
            distance = cols.nearest(floats, rows, ctx.point[0], ctx.point[1])
            within = DistanceRule.passes_array(ctx, distance, free, at_school)
            if within is not None:
                ok &= within
            if scored:
                dist_pts = Distance.points_array(distance, free, w)
        else:
            distance = np.full(n, np.nan)
        if query.delivery_modes:
            offered = ModeRule.passes_array(ctx, cols.modes[rows], cols.mode_bit)
            if offered is not None:
                ok &= offered
        spoken = LanguageRule.passes_array(ctx, self._language_masks, rows)
        if spoken is not None:
            ok &= spoken
        if not scored:
            return Evaluation(rows, ok, distance, _NOT_SCORED, at_school, _NOT_WORKED_OUT)
        age = Freshness.age(floats[:, UPDATED_COL], self.now_seconds(query.now))
        fresh = Freshness.points_array(age, w)
        school_pts: FloatArray | float = (
            AtSchool.points_array(at_school, w) if school_rows is not None else 0.0)
        # Columns gathered only when the query needs them: each gather of a few hundred
        # scattered rows costs a cache miss per row.
        cont: FloatArray | float = 0.0
        if query.current_provider_ids:
            continuing = Continuity.applies_array(cols.organisation[rows],
                                                  query.current_provider_ids)
            cont = Continuity.points_array(continuing, w)
        else:
            continuing = np.zeros(n, dtype=np.bool_)
        asked = Unstated.asked(query)
        unstated: FloatArray | float = (
            self._unstated_table(asked).take(flags >> UNSTATED_SHIFT & 7) if asked else 0.0)
        score = total(floats[:, CAPACITY_COL], floats[:, WAIT_COL], fresh, dist_pts, school_pts,
                      cont, unstated)
        return Evaluation(rows, ok, distance, score, at_school, continuing)
