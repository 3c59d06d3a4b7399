"""Ordering exclusions: every need's nearest failing services, sorted once per query."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.engine.exclusions import nearest_first, smallest


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([0.0, 1.5, 2.25, 800.0, 1609.3, float("nan")]), max_size=300),
       st.integers(0, 12), st.integers(0, 2**32 - 1))
def test_it_orders_positions_as_smallest_does_then_keeps_each_needs_first_few(
    keys: list[float], k: int, seed: int
) -> None:
    # Few distinct keys and NaNs (no place), so ties and "no distance last" are tested.
    rng = np.random.default_rng(seed)
    positions = np.sort(rng.choice(10_000, size=len(keys), replace=False)).astype(np.int64)
    key = np.array(keys, dtype=np.float64)
    ordered = nearest_first(positions, key)
    assert ordered[:k].tolist() == smallest(positions, key, k).tolist()
    # A need's exclusions are the first k of the ordered positions meeting it: the
    # same as ``smallest`` over the positions meeting it.
    meets = rng.random(len(keys)) < 0.5
    met = np.isin(ordered, positions[meets])
    assert ordered[met][:k].tolist() == smallest(positions[meets], key[meets], k).tolist()
