"""Service areas: each distinct WKT parsed and prepared once."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import shapely
from shapely.errors import ShapelyError


class AreaCatalogue:
    """Prepared service-area geometries, one per distinct WKT.

    Many services share a council boundary, so areas are keyed by their WKT text
    and each is parsed and prepared a single time. A point on the boundary counts
    as inside.
    """

    __slots__ = ("_geoms", "_maxx", "_maxy", "_minx", "_miny", "_slot")

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
        bounds = (
            shapely.bounds(np.array(geoms, dtype=object)) if geoms else np.empty((0, 4))
        )
        self._minx, self._miny, self._maxx, self._maxy = (
            np.ascontiguousarray(bounds[:, i]) for i in range(4)
        )

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
        """Slots of every area holding the point, found through their bounding boxes."""
        x, y = point
        near = np.flatnonzero(
            (self._minx <= x) & (self._maxx >= x) & (self._miny <= y) & (self._maxy >= y)
        )
        return [int(i) + 1 for i in near if self.slot_contains(int(i) + 1, point)]
