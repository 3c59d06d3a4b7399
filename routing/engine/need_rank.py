"""Ranking the eligible services of one need, over arrays.

The index and the benchmark's full scan both call these; the reference scan does
the same with the scalar parts (``explain.make_need_match``, ``rank_key``), and
the property tests hold them to each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

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
    fit = fit_total(specific, kind, audience, severity)
    return need_total(base, fit, urgency), fit, tier


# --- The same, from each service's help code and tables made once per need asked ----
# The index scores a few hundred candidates per need, so numpy's cost per call, not
# per element, dominates: the need's parts are looked up in tables over every
# possible service, made by the functions above (so they hold the same bits).

# A service's help code: its kinds mask, audiences mask, level slot and whether it is
# accepting referrals, side by side in that order from the lowest bit.
_AUDIENCE_SHIFT = len(help.KINDS)
_LEVEL_SHIFT = _AUDIENCE_SHIFT + len(help.AUDIENCES)
_ACCEPTING_SHIFT = _LEVEL_SHIFT + len(help.LEVELS).bit_length()  # slots 0 to len(LEVELS)
HELP_CODES = 1 << (_ACCEPTING_SHIFT + 1)
# A tier code is a help code and the service's ``taxonomy`` level (0 to 2) above it.
TIER_CODES = 3 * HELP_CODES
assert TIER_CODES <= 1 << 16  # the index keeps them as uint16


def help_codes(kinds: IntArray, audiences: IntArray, levels: IntArray,
               accepting: BoolArray) -> IntArray:
    """The help code of each service (below ``HELP_CODES``) from its kinds and
    audiences masks (``help.kind_bits``, ``help.audience_bits``), level slot
    (``help.LEVEL_SLOT``, 0 = not stated) and whether it is accepting referrals."""
    return (kinds | audiences << _AUDIENCE_SHIFT | levels << _LEVEL_SHIFT
            | accepting.astype(np.int64) << _ACCEPTING_SHIFT)


def tier_codes(specificity: npt.NDArray[np.integer], codes: IntArray) -> IntArray:
    """The tier code of each service (below ``TIER_CODES``) from its ``taxonomy``
    level for the need and its help code (``help_codes``)."""
    return specificity.astype(np.int64) * HELP_CODES + codes


@dataclass(frozen=True, slots=True)
class NeedTables:
    """A need's ``fit`` (``fit_total`` of its specificity, kind, audience and
    severity parts) by tier code, and ``best``, by tier code too: the ``rank_tier``,
    then the fit as one number, ``tier * fits + fit's place among the fits``. So the
    services fitting the need as well as the best (``best_fitting``) are those with
    the highest ``best``, and ``best // fits`` is the tier."""

    fit: FloatArray
    best: npt.NDArray[np.int32]
    fits: np.int32


@lru_cache(maxsize=32)
def need_tables(asked: int, audience: str, severity_slot: int, w: Weights) -> NeedTables:
    """The tables of a need asking for kinds ``asked`` (a mask), help for ``audience``
    and of seriousness ``severity_slot``: ``score_need``'s fit and tier over every tier
    code (about 600 kB, kept for the 32 needs last asked)."""
    codes = np.arange(TIER_CODES, dtype=np.int64)
    kinds = codes & ((1 << _AUDIENCE_SHIFT) - 1)
    audiences = codes >> _AUDIENCE_SHIFT & ((1 << len(help.AUDIENCES)) - 1)
    levels = codes >> _LEVEL_SHIFT & ((1 << (_ACCEPTING_SHIFT - _LEVEL_SHIFT)) - 1)
    accepting = codes >> _ACCEPTING_SHIFT & 1
    specificity = (codes // HELP_CODES).astype(np.int8)
    tier = rank_tier(accepting, specificity.astype(np.int64),
                     Severity.rank_array(levels, severity_slot),
                     HelpFor.rank_array(audiences, audience))
    fixed = slice(0, HELP_CODES)
    specific = Specificity.points_array(np.arange(3, dtype=np.int8), w)
    kind = KindOfHelp.points_array(kinds[fixed], asked, w)
    fits = HelpFor.points_array(audiences[fixed], audience, w)
    severity = Severity.points_array(levels[fixed], severity_slot, w)
    help_code = codes % HELP_CODES
    fit = fit_total(specific[specificity], kind[help_code], fits[help_code],
                    severity[help_code])
    # Fits numbered in order (equal fits alike): the highest tier, then the highest fit.
    distinct, fit_order = np.unique(fit, return_inverse=True)
    best = tier * len(distinct) + fit_order.ravel()
    assert int(best.max()) < 1 << 31  # int32
    tables = NeedTables(fit, best.astype(np.int32), np.int32(len(distinct)))
    tables.fit.flags.writeable = False
    tables.best.flags.writeable = False
    return tables


def tables_of(need: NeedRequest, w: Weights) -> NeedTables:
    """The ``need_tables`` of a need."""
    return need_tables(help.kind_bits_of(need.kinds), need.audience,
                       help.SEVERITY_SLOT.get(need.severity, 0), w)


def score_need_coded(
    need: NeedRequest, w: Weights, base: FloatArray, tiers: npt.NDArray[np.integer],
    figures: tuple[FloatArray, FloatArray] | None, tables: NeedTables | None = None,
) -> tuple[FloatArray, BoolArray, npt.NDArray[np.int32]]:
    """``score_need`` and ``best_fitting`` of services given by their tier codes
    (``tier_codes``): the same score, which of them fit the need as well as the
    best, and the tier (as int32). ``figures`` are their capacity and wait points,
    read only for an urgent need (and then required); ``tables`` are the need's
    ``tables_of``, when the caller keeps them.

    Raises ValueError for an urgent need without ``figures``.
    """
    if tables is None:
        tables = tables_of(need, w)
    urgency: FloatArray | float = 0.0
    if need.urgent:
        if figures is None:
            raise ValueError("an urgent need is scored with capacity and wait points")
        urgency = Urgency.points_array(figures[0], figures[1], w)
    best = tables.best.take(tiers)
    fitting = best == best.max() if len(best) else np.zeros(0, dtype=np.bool_)
    return (need_total(base, tables.fit.take(tiers), urgency), fitting,
            best // tables.fits)


# Up to this many services, ``rank`` sorts them all at once (cheaper than a pass per
# tier at the index's sizes); more, as in a full scan, it cuts them down tier by tier.
_SORT_ALL = 512


def rank(positions: IntArray, score: FloatArray, tier: npt.NDArray[np.integer], k: int,
         smallest: Smallest) -> IntArray:
    """The first ``k`` of ``positions`` (ascending), in ``explain.rank_key`` order:
    highest ``tier`` (``parts.rank_tier``) first, then highest score, then lowest
    position."""
    if k <= 0:
        return positions[:0]
    if len(positions) <= _SORT_ALL:
        # A stable sort: ties keep the ascending positions' order.
        return positions[np.lexsort((-score, -tier))[:k]]
    found: list[IntArray] = []
    left = k
    for level in np.unique(tier)[::-1].tolist():
        if left <= 0:
            break
        here = tier == level
        found.append(smallest(positions[here], -score[here], left))
        left -= len(found[-1])
    return np.concatenate(found) if found else positions[:0]


def best_fitting(fit: FloatArray, tier: npt.NDArray[np.integer]) -> BoolArray:
    """Which services fit the need as well as the best: those of the highest tier
    (``parts.rank_tier``) with the highest fit. The team gives a service only the
    needs it fits best."""
    if not len(fit):
        return np.zeros(0, dtype=np.bool_)
    pool = tier == tier.max()
    return pool & (fit == fit[pool].max())
