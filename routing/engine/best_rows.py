"""The best eligible row of each needs mask, for the team.

Rows are positions into one evaluation, ascending (so in id order); the best
row of a mask has the highest score, then the lowest position.
"""

from __future__ import annotations

import numpy as np

from routing.engine.columns import FloatArray, IntArray

# Up to this many needs, a table over every needs mask finds each mask's best row.
TABLE_NEEDS = 8
# Above this many rows, one argmax per distinct mask beats a sort.
_SORT_ROWS = 2000
# Up to this many rows, a sort beats the table (numpy's cost per call dominates).
_FEW_ROWS = 64


def best_per_mask(pos: IntArray, masks: IntArray, scores: FloatArray, needs: int) -> IntArray:
    """The position of the best of ``pos`` for each distinct needs mask (``masks``,
    parallel, all non-zero), in mask order; ``needs`` is how many needs the masks
    are over. Never raises."""
    if needs <= TABLE_NEEDS and len(pos) > _FEW_ROWS:
        firsts = _best_by_table(pos, masks, scores, 1 << needs)
        if firsts is not None:
            return firsts
    return _best_by_sorting(pos, masks, scores)


def _best_by_table(
    pos: IntArray, masks: IntArray, scores: FloatArray, mask_count: int
) -> IntArray | None:
    """The position of the best row (highest score, then lowest position) of each
    distinct mask, in mask order; None if a score is NaN (let a sort decide)."""
    top = np.full(mask_count, -np.inf)
    np.maximum.at(top, masks, scores)
    if np.isnan(top).any():
        return None
    at_top = (scores == top[masks]).nonzero()[0]
    first = np.full(mask_count, len(pos))
    # Positions ascend, so the least index among a mask's best rows is its lowest id.
    np.minimum.at(first, masks[at_top], at_top)
    return pos[first[first < len(pos)]]


def _best_by_sorting(pos: IntArray, masks: IntArray, scores: FloatArray) -> IntArray:
    """``_best_by_table`` for any number of masks, by sorting."""
    if len(pos) <= _SORT_ROWS:
        # Stable sorts keep ascending positions (= ids) for equal scores.
        order = np.lexsort((-scores, masks))
        sorted_masks = masks[order]
        return pos[order[np.concatenate(([True], sorted_masks[1:] != sorted_masks[:-1]))]]
    # Many rows (no distance limit): one argmax per distinct mask beats a sort;
    # argmax takes the first, lowest-id, of equal scores.
    return np.array([
        pos[hits][np.argmax(scores[hits])]
        for hits in (masks == m for m in np.flatnonzero(np.bincount(masks)))
    ], dtype=np.int64)
