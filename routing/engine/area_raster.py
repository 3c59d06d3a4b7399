"""Service areas with a coarse raster, so most points are placed without shapely.

At build time every cell of a square raster is sorted, for each area whose
bounding box it meets, into inside (the whole cell lies in the area), outside
(none of it does) or edge. A point in a cell then belongs to the cell's inside
areas, and only its edge areas need a point-in-polygon test.

Edge cells are those meeting the bounding box of a piece of the area's boundary
(cut into pieces shorter than a cell): no other cell meets the boundary, so
such a cell lies wholly inside or wholly outside, and its centre tells which.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
import shapely

from routing.engine.areas import AreaCatalogue

RASTER_M = 2000.0
# Areas whose bounding box spans more cells than this (or that are not valid
# polygons, where shapely's predicates may fail) are always tested exactly.
MAX_CELLS_PER_AREA = 4096
# Cell keys pack (x, y) cell numbers into one int: x * _KEY_STRIDE + y.
_KEY_STRIDE = 1 << 32
# Boundary pieces are cut shorter than a cell, and their cells found with a
# millimetre to spare, so a point that float rounding puts in the next cell over
# (off by far less) is tested exactly whenever the boundary is near.
_PIECE_M = RASTER_M / 2
_SLACK_M = 0.001

_Cell = tuple[tuple[int, ...], tuple[int, ...]]  # (inside slots, edge slots)
IntArray = npt.NDArray[np.int64]


class RasterAreaCatalogue(AreaCatalogue):
    """An ``AreaCatalogue`` whose ``slots_containing`` reads a raster first."""

    __slots__ = ("_classes", "_exact", "_raster", "_x0", "_y0")

    def __init__(self, wkts: Iterable[str]) -> None:
        """Parse, prepare and rasterise every distinct WKT.

        Raises ValueError when a WKT cannot be parsed or is not a polygon or
        multipolygon.
        """
        super().__init__(wkts)
        self._exact: list[int] = []  # slots always tested exactly
        # One entry per (cell, area) that is not outside: cell x, cell y, slot, edge?
        parts: list[tuple[IntArray, IntArray, IntArray, npt.NDArray[np.bool_]]] = []
        for slot, geom in enumerate(self._geoms, start=1):
            minx, miny, maxx, maxy = self._bounds[slot - 1]
            if math.isnan(minx):  # an empty area holds no point
                continue
            cx0, cx1 = math.floor(minx / RASTER_M), math.floor(maxx / RASTER_M)
            cy0, cy1 = math.floor(miny / RASTER_M), math.floor(maxy / RASTER_M)
            count = (cx1 - cx0 + 1) * (cy1 - cy0 + 1)
            if count > MAX_CELLS_PER_AREA or not shapely.is_valid(geom):
                self._exact.append(slot)
                continue
            grid_x, grid_y = np.meshgrid(np.arange(cx0, cx1 + 1), np.arange(cy0, cy1 + 1))
            cx, cy = grid_x.ravel(), grid_y.ravel()
            on_edge = np.isin(_cell_key(cx, cy), _edge_cells(geom))
            inside = shapely.contains_xy(geom, (cx + 0.5) * RASTER_M, (cy + 0.5) * RASTER_M)
            keep = on_edge | inside
            parts.append((cx[keep], cy[keep], np.full(int(keep.sum()), slot), on_edge[keep]))
        # A dense grid of class numbers over the cells met; class 0 = no area.
        self._x0 = self._y0 = 0
        self._raster = np.zeros((0, 0), dtype=np.int32)
        self._classes: list[_Cell] = [((), ())]
        if not parts:
            return
        cx, cy, slots, edges = (np.concatenate(column) for column in zip(*parts, strict=True))
        # By cell, inside before edge, then by slot: each cell's run gives its class.
        order = np.lexsort((slots, edges, cy, cx))
        cx, cy, slots, edges = cx[order], cy[order], slots[order], edges[order]
        starts = np.flatnonzero(np.concatenate(
            ([True], (cx[1:] != cx[:-1]) | (cy[1:] != cy[:-1]))))
        classes: dict[_Cell, int] = {((), ()): 0}
        cell_class = []
        slot_list, edge_list = slots.tolist(), edges.tolist()
        for a, b in itertools.pairwise([*starts.tolist(), len(slots)]):
            key = (tuple(slot_list[i] for i in range(a, b) if not edge_list[i]),
                   tuple(slot_list[i] for i in range(a, b) if edge_list[i]))
            cell_class.append(classes.setdefault(key, len(classes)))
        self._x0, self._y0 = int(cx.min()), int(cy.min())
        self._raster = np.zeros((int(cy.max()) - self._y0 + 1, int(cx.max()) - self._x0 + 1),
                                dtype=np.int32)
        self._raster[cy[starts] - self._y0, cx[starts] - self._x0] = cell_class
        self._classes = list(classes)

    def slots_containing(self, point: tuple[float, float]) -> list[int]:
        """Slots of every area holding the point, in slot order."""
        x, y = point
        row = math.floor(y / RASTER_M) - self._y0
        col = math.floor(x / RASTER_M) - self._x0
        inside: tuple[int, ...] = ()
        edge: tuple[int, ...] = ()
        if 0 <= row < self._raster.shape[0] and 0 <= col < self._raster.shape[1]:
            inside, edge = self._classes[int(self._raster[row, col])]
        found = list(inside)
        found.extend(slot for slot in edge if self.slot_contains(slot, point))
        for slot in self._exact:
            minx, miny, maxx, maxy = self._bounds[slot - 1]
            if minx <= x <= maxx and miny <= y <= maxy and self.slot_contains(slot, point):
                found.append(slot)
        if len(found) > 1:
            found.sort()
        return found


def _cell_key(cx: IntArray, cy: IntArray) -> IntArray:
    return cx * _KEY_STRIDE + cy


def _edge_cells(geom: shapely.Geometry) -> IntArray:
    """Sorted keys of every cell the area's boundary may cross."""
    boundary = shapely.segmentize(shapely.boundary(geom), _PIECE_M)
    xy = shapely.get_coordinates(boundary)
    # Each piece (pairs of consecutive points; a pair spanning two rings only adds
    # cells) lies in its bounding box, which spans at most two cells each way.
    lo = np.floor((np.minimum(xy[1:], xy[:-1]) - _SLACK_M) / RASTER_M).astype(np.int64)
    hi = np.floor((np.maximum(xy[1:], xy[:-1]) + _SLACK_M) / RASTER_M).astype(np.int64)
    keys = [_cell_key(xs[:, 0], ys[:, 1]) for xs in (lo, hi) for ys in (lo, hi)]
    return np.unique(np.concatenate(keys))
