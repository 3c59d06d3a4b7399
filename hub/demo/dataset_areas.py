"""Service areas for the demo: simplified boundaries as WGS84 (longitude, latitude) rings.

Derived once, at development time, from OS Code-Point Open postcode units (OGL v3;
contains OS data (c) Crown copyright and database right 2025): a concave hull of the
postcodes of each area, buffered by 150-300 m so that edge postcodes stay inside after
simplification to at most 64 vertices, converted from British National Grid with pyproj
and rounded to 5 decimal places (about 1 m). The areas are:

- Bolton district: every postcode with local-authority code E08000001.
- Farnworth and Kearsley: Bolton postcodes in the BL4 district.
- Horwich and Blackrod: Bolton postcodes in sectors BL6 5, BL6 6 and BL6 7.
- Bolton town centre: Bolton postcodes within 1.3 km of the town hall (BL1 1RU).

Nothing here is read from outside the package at run time.
"""

from __future__ import annotations

from dataclasses import dataclass

Ring = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class AreaSpec:
    """A named service area: one closed ring of (longitude, latitude) pairs."""

    key: str
    name: str
    ring: Ring

    def geojson(self) -> dict:
        """The area as a GeoJSON Polygon (lists, as JSON columns store them)."""
        return {"type": "Polygon", "coordinates": [[[lon, lat] for lon, lat in self.ring]]}

BOLTON_DISTRICT = AreaSpec(
    key="bolton",
    name="Bolton district",
    ring=(
        (-2.61768, 53.59579), (-2.61937, 53.59728), (-2.61911, 53.59907), (-2.60655, 53.60959),
        (-2.59626, 53.61196), (-2.59271, 53.61169), (-2.58328, 53.6067), (-2.56607, 53.60026),
        (-2.55961, 53.60552), (-2.55228, 53.60986), (-2.53347, 53.6165), (-2.52903, 53.61573),
        (-2.52022, 53.60746), (-2.50946, 53.60646), (-2.50221, 53.61438), (-2.50025, 53.61535),
        (-2.48898, 53.61419), (-2.45933, 53.61883), (-2.45063, 53.63954), (-2.44728, 53.64147),
        (-2.44348, 53.64099), (-2.43036, 53.63371), (-2.40927, 53.6276), (-2.39694, 53.62983),
        (-2.38516, 53.63314), (-2.38177, 53.63307), (-2.37872, 53.63089), (-2.38061, 53.62701),
        (-2.37699, 53.61608), (-2.36689, 53.61443), (-2.36072, 53.61205), (-2.35935, 53.61048),
        (-2.3677, 53.5952), (-2.37179, 53.5847), (-2.37147, 53.58068), (-2.36386, 53.57063),
        (-2.35288, 53.56341), (-2.35239, 53.55883), (-2.35656, 53.55495), (-2.36444, 53.55392),
        (-2.36729, 53.54298), (-2.36296, 53.53973), (-2.35073, 53.53366), (-2.3489, 53.53132),
        (-2.3491, 53.52977), (-2.35273, 53.52807), (-2.36909, 53.52843), (-2.42781, 53.54058),
        (-2.43896, 53.53617), (-2.44382, 53.53248), (-2.45934, 53.53326), (-2.48599, 53.54104),
        (-2.50403, 53.53868), (-2.51426, 53.52945), (-2.5266, 53.5273), (-2.53429, 53.52783),
        (-2.563, 53.54023), (-2.56584, 53.55064), (-2.56219, 53.56399), (-2.5753, 53.57426),
        (-2.57869, 53.57997), (-2.59793, 53.58709), (-2.61768, 53.59579),
    ),
)

FARNWORTH_KEARSLEY = AreaSpec(
    key="farnworth_kearsley",
    name="Farnworth and Kearsley",
    ring=(
        (-2.45694, 53.55), (-2.54071, 53.58675), (-2.54151, 53.58728), (-2.54191, 53.58795),
        (-2.54184, 53.58866), (-2.54131, 53.5893), (-2.54067, 53.58967), (-2.53957, 53.58996),
        (-2.53838, 53.58997), (-2.53727, 53.58971), (-2.44945, 53.55562), (-2.4091, 53.56061),
        (-2.39332, 53.5614), (-2.39161, 53.56119), (-2.38127, 53.55498), (-2.35188, 53.53308),
        (-2.35045, 53.5313), (-2.35041, 53.53026), (-2.35134, 53.52938), (-2.35293, 53.52896),
        (-2.35509, 53.52891), (-2.36886, 53.52932), (-2.38889, 53.53383), (-2.4126, 53.5381),
        (-2.43607, 53.54211), (-2.45453, 53.54832), (-2.45616, 53.54913), (-2.45694, 53.55),
    ),
)

HORWICH_BLACKROD = AreaSpec(
    key="horwich_blackrod",
    name="Horwich and Blackrod",
    ring=(
        (-2.60499, 53.60498), (-2.60447, 53.60954), (-2.59375, 53.611), (-2.58343, 53.60548),
        (-2.58378, 53.60116), (-2.57898, 53.59691), (-2.56937, 53.59717), (-2.55141, 53.60913),
        (-2.53198, 53.61567), (-2.52113, 53.60664), (-2.50746, 53.60537), (-2.49905, 53.60774),
        (-2.49629, 53.60735), (-2.49587, 53.59547), (-2.49759, 53.59408), (-2.51023, 53.59172),
        (-2.52156, 53.58392), (-2.53729, 53.57713), (-2.54148, 53.57828), (-2.54908, 53.58942),
        (-2.56116, 53.58695), (-2.55838, 53.5768), (-2.57198, 53.57389), (-2.58289, 53.58747),
        (-2.59662, 53.58766), (-2.6175, 53.59696), (-2.6173, 53.59911), (-2.60499, 53.60498),
    ),
)

TOWN_CENTRE = AreaSpec(
    key="town_centre",
    name="Bolton town centre",
    ring=(
        (-2.45106, 53.58236), (-2.44789, 53.58634), (-2.44134, 53.58954), (-2.43575, 53.59088),
        (-2.4311, 53.59115), (-2.42074, 53.58971), (-2.41035, 53.58262), (-2.4099, 53.57904),
        (-2.41109, 53.57641), (-2.41062, 53.57386), (-2.41125, 53.57285), (-2.41679, 53.56916),
        (-2.42144, 53.56699), (-2.42693, 53.56547), (-2.43664, 53.56579), (-2.44187, 53.56716),
        (-2.44802, 53.57022), (-2.45212, 53.57575), (-2.45256, 53.57859), (-2.45106, 53.58236),
    ),
)

AREAS: dict[str, AreaSpec] = {
    BOLTON_DISTRICT.key: BOLTON_DISTRICT,
    FARNWORTH_KEARSLEY.key: FARNWORTH_KEARSLEY,
    HORWICH_BLACKROD.key: HORWICH_BLACKROD,
    TOWN_CENTRE.key: TOWN_CENTRE,
}
