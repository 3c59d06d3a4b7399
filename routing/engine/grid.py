"""A strip index of service places for radius searches.

Places are sorted into horizontal strips of fixed height and, within a strip, by
easting. Places may also carry a group (say, a need code), groups laid end to
end. A table of where each square cell of each strip of each group begins then
gives, for every strip a circle touches, the slice of places in the cells its
bounding box meets: two table reads per strip and group, rather than binary
searches that stray all over a large array. (Past ``MAX_TABLE_CELLS`` cells, or
many more cells than places, a sorted key and binary searches stand in for the
table.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
OffsetArray = npt.NDArray[np.int32]

STRIP_HEIGHT_M = 4000.0
# Widening of every search so float rounding never drops a place on the edge;
# callers apply the exact distance rule afterwards.
_SLACK_M = 0.01
_ALL = (0,)
MAX_TABLE_CELLS = 4_000_000
_TABLE_CELLS_PER_PLACE = 8


class PointGrid:
    """Places (x, y) labelled with the row of the service they belong to."""

    __slots__ = (
        "_first",
        "_groups",
        "_key",
        "_last",
        "_offsets",
        "_row",
        "_stride",
        "_strips",
        "_x",
        "_xcells",
        "_xmax",
        "_xmin",
        "_y",
        "height",
    )

    def __init__(self, x: FloatArray, y: FloatArray, row: IntArray,
                 height: float = STRIP_HEIGHT_M, group: IntArray | None = None) -> None:
        """Index the places; x, y, row (and group, default all 0) are parallel arrays.

        Groups must be non-negative.
        """
        self.height = height
        strip = np.floor(y / height).astype(np.int64)
        groups = np.zeros(len(x), dtype=np.int64) if group is None else group
        order = np.lexsort((x, strip, groups))
        self._x = np.ascontiguousarray(x[order])
        self._y = np.ascontiguousarray(y[order])
        self._row = np.ascontiguousarray(row[order])
        strip = strip[order]
        groups = groups[order]
        self._first = int(strip.min()) if len(strip) else 0
        self._last = int(strip.max()) if len(strip) else -1
        self._strips = self._last - self._first + 1
        self._xmin = float(self._x.min()) if len(x) else 0.0
        self._xmax = float(self._x.max()) if len(x) else 0.0
        self._stride = math.ceil(self._xmax - self._xmin) + 10.0
        self._xcells = math.floor((self._xmax - self._xmin) / height) + 1
        blocks = (groups * self._strips + strip - self._first) * self._xcells
        self._groups = int(groups.max()) + 1 if len(groups) else 0
        cells = max(self._groups, 1) * self._strips * self._xcells
        self._offsets: OffsetArray | None = None
        self._key: FloatArray | None = None
        # A table much larger than the places (a small directory over a wide map)
        # would cost more memory than the searches it saves.
        if cells <= min(MAX_TABLE_CELLS, _TABLE_CELLS_PER_PLACE * len(x)):
            cell = blocks + np.floor((self._x - self._xmin) / height).astype(np.int64)
            self._offsets = np.zeros(cells + 1, dtype=np.int32)  # < 2**31 places
            np.cumsum(np.bincount(cell, minlength=cells), out=self._offsets[1:])
        else:
            self._key = ((groups * self._strips + strip - self._first) * self._stride
                         + (self._x - self._xmin))

    def rows_within(self, x: float, y: float, radius: float,
                    groups: Sequence[int] = _ALL) -> IntArray:
        """Rows with a place of one of ``groups`` (ascending) within ``radius`` of (x, y),
        one entry per place (so a row may repeat).

        A hair wider than ``radius``; the caller applies the exact rule.
        """
        r = radius + _SLACK_M
        lo_strip = max(math.floor((y - r) / self.height), self._first) - self._first
        hi_strip = min(math.floor((y + r) / self.height), self._last) - self._first
        left = max(x - r, self._xmin) - self._xmin
        right = min(x + r, self._xmax) - self._xmin
        if lo_strip > hi_strip or left > right or not groups:
            return np.empty(0, dtype=np.int64)
        strips = np.arange(lo_strip, hi_strip + 1)
        if groups[-1] >= self._groups:
            # Groups past the last one with a place hold none.
            groups = [g for g in groups if g < self._groups]
            if not groups:
                return np.empty(0, dtype=np.int64)
        if len(groups) > 1 or groups[0] != 0:
            strips = (np.array(groups, dtype=np.int64)[:, None] * self._strips
                      + strips).ravel()
        if self._offsets is not None:
            # Cells met by [left, right]: every place in it lies in one of them, as
            # floor((x - xmin) / height) only grows with x.
            blocks = strips * self._xcells
            starts: npt.NDArray[np.signedinteger] = self._offsets[
                blocks + math.floor(left / self.height)]
            counts = self._offsets[blocks + (math.floor(right / self.height) + 1)] - starts
        else:
            assert self._key is not None
            base = strips * self._stride
            starts = self._key.searchsorted(base + left, side="left")
            counts = self._key.searchsorted(base + right, side="right") - starts
        ends = counts.cumsum()
        if ends[-1] == 0:
            return np.empty(0, dtype=np.int64)
        flat = (starts - (ends - counts)).repeat(counts) + np.arange(ends[-1])
        dx = self._x[flat] - x
        dy = self._y[flat] - y
        return self._row[flat[dx * dx + dy * dy <= r * r]]
