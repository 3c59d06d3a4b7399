"""Service areas: each distinct WKT parsed and prepared once."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import shapely
from shapely.errors import ShapelyError

_CELL_M = 20_000.0


class AreaCatalogue:
    """Prepared service-area geometries, one per distinct WKT.

    Many services share a council boundary, so areas are keyed by their WKT text
    and each is parsed and prepared a single time. A point on the boundary counts
    as inside.
    """

    __slots__ = ("_bounds", "_cells", "_geoms", "_slot")

    def __init__(self, wkts: Iterable[str]) -> None:
        """Parse and prepare every distinct WKT.

        Raises ValueError when a WKT cannot be parsed or is not a polygon or
        multipolygon.
        """
        self._slot: dict[str, int] = {}
        geoms: list[shapely.Geometry] = []
        for wkt in wkts:
            if wkt in self._slot:
                continue
            try:
                geom = shapely.from_wkt(wkt)
            except (ShapelyError, ValueError) as error:
                raise ValueError(f"service area is not valid WKT: {wkt[:60]!r}") from error
            if geom.geom_type not in ("Polygon", "MultiPolygon"):
                raise ValueError(f"service area must be a polygon, not {geom.geom_type}")
            shapely.prepare(geom)
            # Slot 0 means "no area", so real areas start at 1.
            self._slot[wkt] = len(geoms) + 1
            geoms.append(geom)
        self._geoms = geoms
        self._bounds: list[tuple[float, float, float, float]] = [
            tuple(b) for b in shapely.bounds(np.array(geoms, dtype=object)).tolist()
        ] if geoms else []
        # Coarse buckets of area slots by bounding box, so finding the areas around a
        # point tests a handful of polygons rather than all of them.
        self._cells: dict[tuple[int, int], list[int]] = {}
        for slot, (minx, miny, maxx, maxy) in enumerate(self._bounds, start=1):
            if math.isnan(minx):  # an empty area holds no point
                continue
            for cx in range(math.floor(minx / _CELL_M), math.floor(maxx / _CELL_M) + 1):
                for cy in range(math.floor(miny / _CELL_M), math.floor(maxy / _CELL_M) + 1):
                    self._cells.setdefault((cx, cy), []).append(slot)

    def __len__(self) -> int:
        return len(self._geoms)

    def slot(self, wkt: str | None) -> int:
        """The slot number of an area (0 for no area). Raises KeyError if unknown."""
        return 0 if wkt is None else self._slot[wkt]

    def slot_contains(self, slot: int, point: tuple[float, float]) -> bool:
        """Whether the area in ``slot`` holds the point; slot 0 (no area) always does."""
        if slot == 0:
            return True
        return bool(shapely.intersects_xy(self._geoms[slot - 1], point[0], point[1]))

    def contains(self, wkt: str | None, point: tuple[float, float]) -> bool:
        """Whether the area holds the point. Raises KeyError for a WKT not catalogued."""
        return self.slot_contains(self.slot(wkt), point)

    def slots_containing(self, point: tuple[float, float]) -> list[int]:
        """Slots of every area holding the point, in slot order."""
        x, y = point
        found = []
        for slot in self._cells.get((math.floor(x / _CELL_M), math.floor(y / _CELL_M)), ()):
            minx, miny, maxx, maxy = self._bounds[slot - 1]
            if minx <= x <= maxx and miny <= y <= maxy and self.slot_contains(slot, point):
                found.append(slot)
        return found
