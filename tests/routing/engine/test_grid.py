"""The strip grid finds every place of the asked-for groups within a radius."""

from __future__ import annotations

import numpy as np
import pytest

from routing.engine import grid as grid_module
from routing.engine.grid import PointGrid


@pytest.mark.parametrize("table", [True, False])
def test_it_finds_the_places_of_the_groups_within_the_radius(
    table: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not table:  # the binary-search stand-in for the cell table
        monkeypatch.setattr(grid_module, "MAX_TABLE_CELLS", 0)
    rng = np.random.default_rng(5)
    x = rng.uniform(0, 60000, 3000)
    y = rng.uniform(-20000, 40000, 3000)
    # Whole-cell coordinates too, where cell and strip edges fall.
    x[:200] = np.round(x[:200] / 4000) * 4000
    y[:200] = np.round(y[:200] / 4000) * 4000
    row = rng.integers(0, 1000, 3000)
    group = rng.integers(0, 6, 3000)
    grid = PointGrid(x, y, row, group=group)
    for _ in range(300):
        cx, cy = rng.uniform(-5000, 65000, 2)
        radius = float(rng.choice([0.0, 500.0, 4000.0, 8046.72, 30000.0]))
        groups = sorted(set(rng.integers(0, 8, int(rng.integers(1, 4))).tolist()))
        found = np.sort(grid.rows_within(cx, cy, radius, groups))
        d = np.sqrt((x - cx) ** 2 + (y - cy) ** 2)
        # Groups 6 and 7 have no places at all.
        near = np.isin(group, groups)
        must = np.sort(row[near & (d <= radius)])
        may = np.sort(row[near & (d <= radius + 0.02)])
        assert np.isin(must, found).all()
        assert len(must) <= len(found) <= len(may)
        assert np.isin(found, may).all()


def test_it_finds_nothing_when_empty() -> None:
    empty = np.empty(0)
    grid = PointGrid(empty, empty, np.empty(0, dtype=np.int64))
    assert len(grid.rows_within(0.0, 0.0, 1000.0)) == 0
