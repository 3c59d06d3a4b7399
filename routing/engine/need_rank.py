"""Ranking the eligible services of one need, over arrays.

The index and the benchmark's full scan both call these; the reference scan does
the same with the scalar parts (``explain.make_need_match``, ``rank_key``), and
the property tests hold them to each other.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from routing.engine import help
from routing.engine.parts import (
    HelpFor,
    KindOfHelp,
    Severity,
    Specificity,
    Urgency,
    fit_total,
    need_total,
)
from routing.engine.records import NeedRequest
from routing.engine.taxonomy import BROADER, EXACT, NARROWER
from routing.engine.weights import Weights

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Smallest = Callable[[IntArray, FloatArray, int], IntArray]


def score_need(
    need: NeedRequest, w: Weights, base: FloatArray, specificity: npt.NDArray[np.int8],
    kinds: IntArray, audiences: IntArray, levels: IntArray, capacity: FloatArray,
    wait: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """(score, fit) of eligible services for ``need``: their need-independent
    scores plus the need's parts (``parts.need_parts`` for one service)."""
    specific = Specificity.points_array(specificity, w)
    kind = KindOfHelp.points_array(kinds, help.kind_bits(need.kinds), w)
    audience = HelpFor.points_array(audiences, need.audience, w)
    severity = Severity.points_array(levels, help.SEVERITY_SLOT.get(need.severity, 0), w)
    urgency = Urgency.points_array(capacity, wait, w) if need.urgent else 0.0
    return (need_total(base, specific, kind, audience, severity, urgency),
            fit_total(specific, kind, audience, severity))


def rank(positions: IntArray, score: FloatArray, accepting: BoolArray,
         specificity: npt.NDArray[np.int8], k: int, smallest: Smallest) -> IntArray:
    """The first ``k`` of ``positions`` (ascending), in ``explain.rank_key`` order:
    every service accepting referrals before any that is not; within each, those
    declaring the need itself, then a narrower need, then only a broader one; then
    highest score, then lowest position."""
    found: list[IntArray] = []
    left = k
    for group in (accepting, ~accepting):
        for level in (EXACT, NARROWER, BROADER):
            if left <= 0:
                break
            here = group & (specificity == level)
            if here.any():
                found.append(smallest(positions[here], -score[here], left))
                left -= len(found[-1])
    return np.concatenate(found) if found else positions[:0]


def best_fitting(fit: FloatArray, accepting: BoolArray,
                 specificity: npt.NDArray[np.int8]) -> BoolArray:
    """Which services fit the need as well as the best: among those accepting
    referrals if any are, those meeting it most specifically, and of them the
    highest fit. The team gives a service only the needs it fits best."""
    if not len(fit):
        return np.zeros(0, dtype=np.bool_)
    pool = accepting if accepting.any() else np.ones(len(fit), dtype=np.bool_)
    pool = pool & (specificity == specificity[pool].max())
    return pool & (fit == fit[pool].max())
