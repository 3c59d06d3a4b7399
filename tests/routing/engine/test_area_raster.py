"""The area raster places points exactly as the plain catalogue does."""

from __future__ import annotations

import itertools

import numpy as np

from routing.engine.area_raster import RASTER_M, RasterAreaCatalogue
from routing.engine.areas import AreaCatalogue

AREAS = [
    # Edges along raster cell borders, and a vertex on a cell corner.
    "POLYGON ((0 0, 10000 0, 10000 10000, 0 10000, 0 0))",
    "POLYGON ((1000 1000, 17000 3000, 5000 15000, 1000 1000))",
    # A hole, and two parts.
    "POLYGON ((20000 0, 40000 0, 40000 20000, 20000 20000, 20000 0), "
    "(24000 4000, 36000 4000, 36000 16000, 24000 16000, 24000 4000))",
    "MULTIPOLYGON (((50000 0, 52000 0, 52000 2000, 50000 2000, 50000 0)), "
    "((53000 0, 60000 0, 60000 9000, 53000 0)))",
    # Too big to rasterise, and not valid: both always tested exactly.
    "POLYGON ((-500000 -500000, 500000 -500000, 500000 500000, -500000 500000, "
    "-500000 -500000))",
    "POLYGON ((0 30000, 10000 40000, 10000 30000, 0 40000, 0 30000))",
]


def test_it_finds_the_same_areas_as_exact_tests() -> None:
    plain, raster = AreaCatalogue(AREAS), RasterAreaCatalogue(AREAS)
    rng = np.random.default_rng(3)
    points = [tuple(p) for p in rng.uniform(-5000, 65000, (4000, 2)).tolist()]
    # Cell borders and corners, every vertex, and points a hair either side.
    border = [k * RASTER_M for k in range(-2, 32)]
    points += list(itertools.product(border, border))
    vertices = [(x, y) for wkt in AREAS for x, y in _coordinates(wkt)]
    points += [(x + dx, y + dy) for x, y in vertices for dx in (-1e-9, 0.0, 1e-9)
               for dy in (-1e-9, 0.0, 1e-9)]
    for point in points:
        assert raster.slots_containing(point) == plain.slots_containing(point), point


def test_it_puts_points_far_from_every_area_in_none() -> None:
    raster = RasterAreaCatalogue(AREAS[:2])
    assert raster.slots_containing((900000.0, 900000.0)) == []
    assert RasterAreaCatalogue([]).slots_containing((0.0, 0.0)) == []


def _coordinates(wkt: str) -> list[tuple[float, float]]:
    numbers = wkt.replace("(", " ").replace(")", " ").replace(",", " ").split()
    values = [float(v) for v in numbers if v[0].isdigit() or v[0] == "-"]
    return list(zip(values[::2], values[1::2], strict=True))
