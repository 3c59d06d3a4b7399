"""Demo schools acting as family hubs in Bolton.

The schools, their URNs and street addresses are made up; every postcode is a real
Bolton postcode from OS Code-Point Open, chosen near the named neighbourhood, so that
distances and service areas behave as they would for real schools.
"""

from __future__ import annotations

from hub.demo.dataset_orgs import TRUST
from hub.demo.specs import SchoolSpec

HALLIWELL = "halliwell-fold"
HEATON = "heaton-brook"
ASTLEY_BRIDGE = "astley-bridge"
TONGE_MOOR = "tonge-moor"
BREIGHTMET_FOLD = "breightmet-fold"
HARWOOD = "harwood-meadows"
DAUBHILL = "daubhill-st-helens"
GREAT_LEVER = "great-lever-park"
LITTLE_LEVER = "little-lever"
FARNWORTH_PARK = "farnworth-park"
KEARSLEY_VALE = "kearsley-vale"
HORWICH_WALLSUCHES = "horwich-wallsuches"
BLACKROD = "blackrod-church-street"
WESTHOUGHTON_PRIMARY = "westhoughton-hart-common"
BROMLEY_CROSS = "bromley-cross"
DEANE_BROOK = "deane-brook"
MOORLAND_PRIMARY = "moorland-primary"
SMITHILLS = "smithills-moor"
CENTRAL_ACADEMY = "bolton-central-academy"
FARNWORTH_ACADEMY = "farnworth-kearsley-academy"
BREIGHTMET_ACADEMY = "breightmet-academy"
RIVINGTON = "rivington-park"
WESTHOUGHTON_HIGH = "westhoughton-high"
TURTON_EDGE = "turton-edge"
LEVER_EDGE = "lever-edge-academy"
PATHWAYS = "bolton-pathways"

SCHOOLS: tuple[SchoolSpec, ...] = (
    # Primary schools.
    SchoolSpec(HALLIWELL, "105201", "Halliwell Fold Primary School", "primary",
               "Hatfield Road, Halliwell, Bolton", "BL1 3QA", phone="01204 000 701"),
    SchoolSpec(HEATON, "105202", "Heaton Brook Primary School", "primary",
               "New Hall Lane, Heaton, Bolton", "BL1 4JX", phone="01204 000 702"),
    SchoolSpec(ASTLEY_BRIDGE, "105203", "Astley Bridge Church of England Primary School",
               "primary", "Blackburn Road, Astley Bridge, Bolton", "BL1 8AH",
               phone="01204 000 703"),
    SchoolSpec(TONGE_MOOR, "105204", "Tonge Moor Primary School", "primary",
               "Tonge Moor Road, Bolton", "BL2 2NL", phone="01204 000 704"),
    SchoolSpec(BREIGHTMET_FOLD, "105205", "Breightmet Fold Primary School", "primary",
               "Breightmet Fold Lane, Breightmet, Bolton", "BL2 6AB", phone="01204 000 705"),
    SchoolSpec(HARWOOD, "105206", "Harwood Meadows Primary School", "primary",
               "Gate Fold, Harwood, Bolton", "BL2 3EE", phone="01204 000 706"),
    SchoolSpec(DAUBHILL, "105207", "Daubhill St Helens Primary School", "primary",
               "St Helens Road, Daubhill, Bolton", "BL3 5JE", phone="01204 000 707"),
    SchoolSpec(GREAT_LEVER, "105208", "Great Lever Park Primary School", "primary",
               "Lever Edge Lane, Great Lever, Bolton", "BL3 2HQ", phone="01204 000 708"),
    SchoolSpec(LITTLE_LEVER, "105209", "Little Lever Coronation Primary School", "primary",
               "Coronation Square, Little Lever, Bolton", "BL3 1RD", phone="01204 000 709"),
    SchoolSpec(FARNWORTH_PARK, "105210", "Farnworth Park Primary School", "primary",
               "Market Street, Farnworth, Bolton", "BL4 7AR", phone="01204 000 710"),
    SchoolSpec(KEARSLEY_VALE, "105211", "Kearsley Vale Primary School", "primary",
               "Manchester Road, Kearsley, Bolton", "BL4 8SA", phone="01204 000 711"),
    SchoolSpec(HORWICH_WALLSUCHES, "105212", "Wallsuches Primary School, Horwich", "primary",
               "Lee Lane, Horwich, Bolton", "BL6 7FP", phone="01204 000 712"),
    SchoolSpec(BLACKROD, "105213", "Blackrod Church Street Primary School", "primary",
               "Church Street, Blackrod, Bolton", "BL6 5AZ", phone="01204 000 713"),
    SchoolSpec(WESTHOUGHTON_PRIMARY, "105214", "Hart Common Primary School", "primary",
               "Market Street, Westhoughton, Bolton", "BL5 3DA", phone="01204 000 714"),
    SchoolSpec(BROMLEY_CROSS, "105215", "Bromley Cross Primary School", "primary",
               "The Crescent, Bromley Cross, Bolton", "BL7 9HZ", phone="01204 000 715"),
    SchoolSpec(DEANE_BROOK, "105216", "Deane Brook Primary School", "primary",
               "Deane Road, Deane, Bolton", "BL3 4QE", phone="01204 000 716"),
    SchoolSpec(MOORLAND_PRIMARY, "140320", "Moorland Primary Academy", "primary",
               "Derby Street, Bolton", "BL3 6SP", trust=TRUST, phone="01204 000 717"),
    # Secondary schools.
    SchoolSpec(SMITHILLS, "105300", "Smithills Moor High School", "secondary",
               "Smithills Dean Road, Bolton", "BL1 6LQ", phone="01204 000 720"),
    SchoolSpec(CENTRAL_ACADEMY, "140321", "Bolton Central Academy", "secondary",
               "St George's Road, Bolton", "BL1 1EX", trust=TRUST, phone="01204 000 721"),
    SchoolSpec(FARNWORTH_ACADEMY, "140322", "Farnworth and Kearsley Academy", "secondary",
               "Plodder Lane, Farnworth, Bolton", "BL4 8BJ", trust=TRUST, phone="01204 000 722"),
    SchoolSpec(BREIGHTMET_ACADEMY, "140323", "Breightmet Academy", "secondary",
               "Bury Road, Breightmet, Bolton", "BL2 5PA", trust=TRUST, phone="01204 000 723"),
    SchoolSpec(RIVINGTON, "105301", "Rivington Park High School", "secondary",
               "Victoria Road, Horwich, Bolton", "BL6 6BJ", phone="01204 000 724"),
    SchoolSpec(WESTHOUGHTON_HIGH, "105302", "Westhoughton Community High School", "secondary",
               "Bolton Road, Westhoughton, Bolton", "BL5 3LL", phone="01204 000 725"),
    SchoolSpec(TURTON_EDGE, "105303", "Turton Edge High School", "secondary",
               "Darwen Road, Bromley Cross, Bolton", "BL7 9AP", phone="01204 000 726"),
    # The trust's special and alternative provision schools.
    SchoolSpec(LEVER_EDGE, "140324", "Lever Edge Academy (SEMH)", "special",
               "Lever Edge Lane, Great Lever, Bolton", "BL3 2NF", trust=TRUST,
               phone="01204 000 730"),
    SchoolSpec(PATHWAYS, "140325", "Bolton Pathways Academy", "alternative_provision",
               "Deane Road, Bolton", "BL3 5NQ", trust=TRUST, phone="01204 000 731"),
)
