"""A strip index of service places for radius searches.

Places are sorted into horizontal strips of fixed height and, within a strip, by
easting. One sorted key (strip * stride + easting offset) lets a single binary
search find, for every strip a circle touches, the slice of places inside the
circle's bounding box.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

STRIP_HEIGHT_M = 4000.0
# Widening of every search so float rounding never drops a place on the edge;
# callers apply the exact distance rule afterwards.
_SLACK_M = 0.01


class PointGrid:
    """Places (x, y) labelled with the row of the service they belong to."""

    __slots__ = ("_first", "_key", "_last", "_row", "_stride", "_x", "_xmax", "_xmin", "_y",
                 "height")

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
        self._last = int(strip[-1]) if len(strip) else -1
        self._xmin = float(self._x.min()) if len(x) else 0.0
        self._xmax = float(self._x.max()) if len(x) else 0.0
        self._stride = math.ceil(self._xmax - self._xmin) + 10.0
        self._key = (strip - self._first) * self._stride + (self._x - self._xmin)

    def rows_within(self, x: float, y: float, radius: float) -> IntArray:
        """Rows with a place within ``radius`` of (x, y), one entry per place.

        A hair wider than ``radius``; the caller applies the exact rule.
        """
        r = radius + _SLACK_M
        lo_strip = max(math.floor((y - r) / self.height), self._first) - self._first
        hi_strip = min(math.floor((y + r) / self.height), self._last) - self._first
        left = max(x - r, self._xmin) - self._xmin
        right = min(x + r, self._xmax) - self._xmin
        if lo_strip > hi_strip or left > right:
            return np.empty(0, dtype=np.int64)
        base = np.arange(lo_strip, hi_strip + 1) * self._stride
        starts = self._key.searchsorted(base + left, side="left")
        counts = self._key.searchsorted(base + right, side="right") - starts
        ends = counts.cumsum()
        if ends[-1] == 0:
            return np.empty(0, dtype=np.int64)
        flat = (starts - (ends - counts)).repeat(counts) + np.arange(ends[-1])
        dx = self._x[flat] - x
        dy = self._y[flat] - y
        return self._row[flat[dx * dx + dy * dy <= r * r]]
