"""Finding the nearest services that meet a need but fail a rule.

Failing candidates are sorted nearest first with a stable sort over rows in id
order, so ties go to the lower id and services with no distance come last.
"""

from __future__ import annotations

import numpy as np

from routing.engine.columns import BoolArray, FloatArray, IntArray
from routing.engine.evaluation import Evaluation, RuleEvaluator
from routing.engine.grid import PointGrid
from routing.engine.rules import QueryContext

# (row, distance or None, has a hub at the child's school) of a failing candidate:
# what ``DirectoryIndex`` needs to explain it.
Excluded = tuple[int, float | None, bool]

# Exclusions beyond the limit: how many times to double the radius before a full pass.
WIDENINGS = 3
# ... unless the short needs have at most this many services between them: then a
# single pass over all of them is cheaper.
FULL_PASS_ROWS = 3000


def first_widening(limit: float) -> float:
    """The radius of the first, smallest, wider search beyond the distance limit."""
    return max(limit, 1000.0) * 2


def wider_exclusions(
    grid: PointGrid,
    evaluate: RuleEvaluator,
    need_groups: list[list[int]],
    need_masks: list[BoolArray],
    need_rows: list[IntArray],
    ctx: QueryContext,
    slots: list[int],
    want: int,
    known: tuple[Evaluation, float] | None = None,
) -> list[list[Excluded]]:
    """Exclusions for needs with fewer than ``want`` failing within the limit.

    Search ever wider circles, all short needs at once (``need_groups`` are the
    grid groups of the services meeting each): within a radius every place is
    found, so the failing rows there are complete. After a few
    doublings (or at once, when the needs have few services) evaluate every
    service meeting them, which also finds services with no place.

    ``known`` is an evaluation already made and a radius within which it holds
    every service with a place meeting the needs: the search starts there.
    Whichever circles are searched, the result is the same: the ``want`` nearest
    failing services (ties by id, no distance last).
    """
    assert ctx.point is not None and ctx.query.max_distance_m is not None
    found: list[list[Excluded] | None] = [None] * len(need_masks)
    todo = list(range(len(need_masks)))
    radius = first_widening(ctx.query.max_distance_m) / 2
    widenings = 0 if sum(len(r) for r in need_rows) <= FULL_PASS_ROWS else WIDENINGS
    if known is not None and known[1] >= radius * 2:
        ev, radius = known
        _pick_complete(ev, failing(ev, radius), need_masks, want, todo, found)
        widenings -= 1
    for _ in range(widenings):
        if not todo:
            break
        radius *= 2
        groups = sorted({g for t in todo for g in need_groups[t]})
        hits = grid.rows_within(ctx.point[0], ctx.point[1], radius, groups)
        ev = evaluate(unique_rows(hits), ctx, slots, scored=False)
        _pick_complete(ev, failing(ev, radius), need_masks, want, todo, found)
    if todo:
        ev = evaluate(unique_rows(np.concatenate([need_rows[t] for t in todo])), ctx, slots,
                      scored=False)
        pool = failing(ev, None)
        for t in todo:
            found[t] = pick(ev, pool, need_masks[t], want)
    return [f or [] for f in found]


def _pick_complete(
    ev: Evaluation, pool: IntArray, need_masks: list[BoolArray], want: int,
    todo: list[int], found: list[list[Excluded] | None],
) -> None:
    """Settle the needs in ``todo`` with ``want`` exclusions in ``pool`` (failing rows
    complete within some radius), taking them off ``todo``."""
    for t in list(todo):
        picked = pick(ev, pool, need_masks[t], want)
        if len(picked) >= want:
            found[t] = picked
            todo.remove(t)


def failing(ev: Evaluation, within: float | None) -> IntArray:
    """Positions of failing rows no further than ``within`` (any distance if None)."""
    pos = (~ev.ok).nonzero()[0]
    if within is not None:
        pos = pos[ev.distance[pos] <= within]
    return pos


def pick(
    ev: Evaluation, pool: IntArray, need_mask: BoolArray, want: int
) -> list[Excluded]:
    """``with_distance`` of the ``want`` nearest pool positions meeting the need."""
    candidates = pool[need_mask[ev.rows[pool]]]
    return with_distance(ev, smallest(candidates, ev.distance[candidates], want))


def with_distance(ev: Evaluation, positions: IntArray) -> list[Excluded]:
    """(row, distance or None, at school) of candidate positions."""
    return [(row, None if d != d else d, at) for row, d, at in zip(
        ev.rows.take(positions).tolist(), ev.distance.take(positions).tolist(),
        ev.at_school.take(positions).tolist(), strict=True)]


def split_with_distance(ev: Evaluation,
                        groups: list[IntArray]) -> list[list[Excluded]]:
    """``with_distance`` of each list of candidate positions, gathered in one go."""
    if len(groups) == 1:
        return [with_distance(ev, groups[0])]
    pairs = with_distance(ev, np.concatenate(groups))
    out = []
    at = 0
    for group in groups:
        out.append(pairs[at:at + len(group)])
        at += len(group)
    return out


def nearest_first(positions: IntArray, key: FloatArray) -> IntArray:
    """All ``positions`` in ``smallest``'s order: by key, ties keeping the order of
    ``positions``, NaN keys last."""
    return positions.take(key.argsort(kind="stable"))


def smallest(positions: IntArray, key: FloatArray, k: int) -> IntArray:
    """The ``k`` positions with the smallest key, in key order; ties keep the order of
    ``positions`` (ascending, so by id) and NaN keys come last.

    Long lists are cut down with a partition first, so this is not a full sort.
    """
    if k <= 0:
        return positions[:0]
    if len(positions) > 4 * k + 64:
        kth = np.partition(key, k - 1)[k - 1]
        if kth == kth:  # NaN when fewer than k keys are numbers: keep them all
            keep = key <= kth
            positions, key = positions[keep], key[keep]
    return positions[key.argsort(kind="stable")[:k]]


def unique_rows(rows: IntArray) -> IntArray:
    """Sorted distinct rows (cheaper than np.unique on a few hundred values)."""
    rows = rows.copy()
    rows.sort()
    if len(rows) < 2:
        return rows
    keep = np.empty(len(rows), dtype=np.bool_)
    keep[0] = True
    np.not_equal(rows[1:], rows[:-1], out=keep[1:])
    return rows[keep]
