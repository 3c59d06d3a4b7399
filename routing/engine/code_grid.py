"""The place grid the index searches, with a group per declared need code."""

from __future__ import annotations

import numpy as np

from routing.engine.columns import ServiceColumns
from routing.engine.grid import PointGrid


def code_grid(cols: ServiceColumns) -> tuple[PointGrid, dict[str, int]]:
    """A grid of every place once per code its service declares, grouped by code, and
    the group of each declared code: a search for a few needs then finds only the
    services meeting them."""
    group_of_code = {code: i for i, code in enumerate(sorted(cols.by_code))}
    rows = [cols.by_code[code] for code in group_of_code]
    code_rows = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
    groups = np.repeat(np.arange(len(rows), dtype=np.int64), [len(r) for r in rows])
    counts = cols.point_count[code_rows]
    ends = counts.cumsum()
    total = int(ends[-1]) if len(ends) else 0
    # Flat indices of every place of every (code, row) pair, in that order.
    places = (cols.point_start[code_rows] - (ends - counts)).repeat(counts) + np.arange(total)
    grid = PointGrid(cols.point_x[places], cols.point_y[places], code_rows.repeat(counts),
                     group=groups.repeat(counts))
    return grid, group_of_code
