"""The team around the family: the fewest services that cover the needs.

Needs are numbered by their position in the query and sets of needs are bit masks.
A candidate is ``(service_id, mask, score)``: the needs the service is eligible for
and its (need-independent) match score. A team assigns every coverable need to one
member; its total score weighs each member's score by the priority of the needs it
is assigned (``Weights.priority_factor``) - the only place priority matters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from routing.engine.weights import Weights

EXACT_MAX_NEEDS = 6

Candidate = tuple[int, int, float]
Assignment = tuple[int, int]  # (service_id, mask of needs it is proposed for)


def _better(a: tuple[float, int], b: tuple[float, int] | None) -> bool:
    """Higher score, then lower id."""
    return b is None or a[0] > b[0] or (a[0] == b[0] and a[1] < b[1])


def best_per_mask(candidates: Iterable[Candidate]) -> dict[int, tuple[float, int]]:
    """For each distinct mask, the best (score, id): higher score, then lower id."""
    best: dict[int, tuple[float, int]] = {}
    for service_id, mask, score in candidates:
        if mask and _better((score, service_id), best.get(mask)):
            best[mask] = (score, service_id)
    return best


def _weight(mask: int, factors: Sequence[float]) -> float:
    total = 0.0
    for i, factor in enumerate(factors):
        if mask >> i & 1:
            total += factor
    return total


def choose_team(
    priorities: Sequence[int], candidates: Iterable[Candidate], weights: Weights
) -> list[Assignment]:
    """The team as (service_id, assigned mask) pairs, ordered by first need then id.

    Exact (fewest members, then highest weighted score, then lowest ids) for up to
    ``EXACT_MAX_NEEDS`` needs; greedy set cover beyond. Needs no candidate covers
    are left out; the caller reports them as unmet. Never raises.
    """
    factors = [weights.priority_factor(p) for p in priorities]
    best = best_per_mask(candidates)
    if not best:
        return []
    full = 0
    for mask in best:
        full |= mask
    if full in best:
        # One service can take every need: the best such service is the team.
        return [(best[full][1], full)]
    if sum(mask.bit_count() for mask in best) == full.bit_count():
        # No two masks share a need (the usual case: each need's best services fit
        # only it), so every cover takes every mask: the team is each mask's best
        # service, as the search below would find after trying every cover.
        chosen = [(sid, mask) for mask, (_, sid) in best.items()]
    elif len(priorities) <= EXACT_MAX_NEEDS:
        chosen = _exact(best, factors)
    else:
        chosen = _greedy(best, factors)
    return sorted(chosen, key=lambda a: ((a[1] & -a[1]).bit_length(), a[0]))


def _exact(best: dict[int, tuple[float, int]], factors: Sequence[float]) -> list[Assignment]:
    """Dynamic programme over sets of needs: O(3^n) after keeping one service per mask."""
    full = 0
    for mask in best:
        full |= mask
    # For every set of needs T, the best single service able to take all of T.
    owner: dict[int, tuple[float, int]] = {}
    t = full
    while t:
        for mask, entry in best.items():
            if mask & t == t and _better(entry, owner.get(t)):
                owner[t] = entry
        t = (t - 1) & full
    # dp[S] = (members, -weighted score, ids, assignments) for exactly the needs S.
    dp: dict[int, tuple[int, float, tuple[int, ...], tuple[Assignment, ...]]] = {
        0: (0, -0.0, (), ())
    }
    for s in sorted(_submasks(full)):
        if s not in dp:
            continue
        count, neg, ids, assigned = dp[s]
        rest = full & ~s
        if not rest:
            continue
        low = rest & -rest
        t = rest
        while t:
            if t & low and t in owner:
                score, sid = owner[t]
                step = (
                    count + 1,
                    neg - score * _weight(t, factors),
                    tuple(sorted((*ids, sid))),
                    (*assigned, (sid, t)),
                )
                current = dp.get(s | t)
                if current is None or step[:3] < current[:3]:
                    dp[s | t] = step
            t = (t - 1) & rest
    return list(dp[full][3])


def _submasks(full: int) -> list[int]:
    subs = []
    t = full
    while True:
        subs.append(t)
        if t == 0:
            return subs
        t = (t - 1) & full


def _greedy(best: dict[int, tuple[float, int]], factors: Sequence[float]) -> list[Assignment]:
    """Greedy set cover: most new needs, then higher weighted score, then lower id."""
    uncovered = 0
    for mask in best:
        uncovered |= mask
    chosen: list[Assignment] = []
    while uncovered:
        pick: tuple[int, float, int, int] | None = None
        for mask, (score, sid) in best.items():
            new = mask & uncovered
            if not new:
                continue
            key = (new.bit_count(), score * _weight(new, factors), -sid, new)
            if pick is None or key[:3] > pick[:3]:
                pick = key
        assert pick is not None  # some mask still covers an uncovered need
        chosen.append((-pick[2], pick[3]))
        uncovered &= ~pick[3]
    return _prune(chosen, best)


def _prune(chosen: list[Assignment], best: dict[int, tuple[float, int]]) -> list[Assignment]:
    """Drop members whose needs the others can take, latest picks first."""
    masks = {sid: mask for mask, (_, sid) in best.items()}
    team = list(chosen)
    for sid, assigned in reversed(chosen):
        others = [(o, m) for o, m in team if o != sid]
        if all(any(masks[o] >> i & 1 for o, _ in others)
               for i in range(assigned.bit_length()) if assigned >> i & 1):
            # Hand each need to the first remaining member able to take it.
            moved = []
            for o, m in others:
                extra = assigned & masks[o]
                assigned &= ~extra
                moved.append((o, m | extra))
            team = moved
    return team
