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
    rank_tier,
)
from routing.engine.records import NeedRequest
from routing.engine.weights import Weights

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Smallest = Callable[[IntArray, FloatArray, int], IntArray]


def score_need(
    need: NeedRequest, w: Weights, base: FloatArray, specificity: npt.NDArray[np.int8],
    kinds: IntArray, audiences: IntArray, levels: IntArray, capacity: FloatArray,
    wait: FloatArray, accepting: BoolArray,
) -> tuple[FloatArray, FloatArray, IntArray]:
    """(score, fit, tier) of eligible services for ``need``: their need-independent
    scores plus the need's parts (``parts.need_parts`` for one service)."""
    specific = Specificity.points_array(specificity, w)
    kind = KindOfHelp.points_array(kinds, help.kind_bits(need.kinds), w)
    audience = HelpFor.points_array(audiences, need.audience, w)
    severity_slot = help.SEVERITY_SLOT.get(need.severity, 0)
    severity = Severity.points_array(levels, severity_slot, w)
    urgency = Urgency.points_array(capacity, wait, w) if need.urgent else 0.0
    tier = rank_tier(accepting.astype(np.int64), specificity.astype(np.int64),
                     Severity.rank_array(levels, severity_slot),
                     HelpFor.rank_array(audiences, need.audience))
    return (need_total(base, specific, kind, audience, severity, urgency),
            fit_total(specific, kind, audience, severity), tier)


def rank(positions: IntArray, score: FloatArray, tier: IntArray, k: int,
         smallest: Smallest) -> IntArray:
    """The first ``k`` of ``positions`` (ascending), in ``explain.rank_key`` order:
    highest ``tier`` (``parts.rank_tier``) first, then highest score, then lowest
    position."""
    found: list[IntArray] = []
    left = k
    for level in np.unique(tier)[::-1].tolist():
        if left <= 0:
            break
        here = tier == level
        found.append(smallest(positions[here], -score[here], left))
        left -= len(found[-1])
    return np.concatenate(found) if found else positions[:0]


def best_fitting(fit: FloatArray, tier: IntArray) -> BoolArray:
    """Which services fit the need as well as the best: those of the highest tier
    (``parts.rank_tier``) with the highest fit. The team gives a service only the
    needs it fits best."""
    if not len(fit):
        return np.zeros(0, dtype=np.bool_)
    pool = tier == tier.max()
    return pool & (fit == fit[pool].max())
