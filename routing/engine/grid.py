"""A strip index of service places for radius searches.

Places are sorted into horizontal strips of fixed height and, within a strip, by
easting, so a radius search is a handful of binary searches and contiguous slices.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

STRIP_HEIGHT_M = 4000.0


class PointGrid:
    """Places (x, y) labelled with the row of the service they belong to."""

    __slots__ = ("_first", "_offsets", "_row", "_x", "_y", "height")

    def __init__(self, x: FloatArray, y: FloatArray, row: IntArray,
                 height: float = STRIP_HEIGHT_M) -> None:
        """Index the places; x, y and row are parallel arrays."""
        self.height = height
        strip = np.floor(y / height).astype(np.int64)
        order = np.lexsort((x, strip))
        self._x = np.ascontiguousarray(x[order])
        self._y = np.ascontiguousarray(y[order])
        self._row = np.ascontiguousarray(row[order])
        strip = strip[order]
        self._first = int(strip[0]) if len(strip) else 0
        last = int(strip[-1]) if len(strip) else -1
        # _offsets[k] is where strip (_first + k) begins; one extra entry at the end.
        self._offsets = np.searchsorted(strip, np.arange(self._first, last + 2)).tolist()

    def rows_within(self, x: float, y: float, radius: float) -> IntArray:
        """Rows with a place within ``radius`` of (x, y), one entry per place.

        A hair wider than ``radius`` so float rounding never loses a place; callers
        apply the exact rule afterwards.
        """
        r = radius * (1 + 1e-9) + 1e-6
        lo_strip = max(math.floor((y - r) / self.height) - self._first, 0)
        hi_strip = min(math.floor((y + r) / self.height) - self._first, len(self._offsets) - 2)
        xs, ys, rows = [], [], []
        bounds = np.array((x - r, x + r))
        for k in range(lo_strip, hi_strip + 1):
            a, b = self._offsets[k], self._offsets[k + 1]
            if a == b:
                continue
            lo, hi = np.searchsorted(self._x[a:b], bounds)
            if lo < hi:
                xs.append(self._x[a + lo:a + hi])
                ys.append(self._y[a + lo:a + hi])
                rows.append(self._row[a + lo:a + hi])
        if not rows:
            return np.empty(0, dtype=np.int64)
        px = np.concatenate(xs) - x
        py = np.concatenate(ys) - y
        return np.concatenate(rows)[px * px + py * py <= r * r]
