"""Venues used by demo services that are not delivered at a school hub.

Names and street names are illustrative; every postcode is a real Bolton postcode
present in the packaged OS Code-Point Open data.
"""

from __future__ import annotations

from hub.demo.specs import VenueSpec

TOWN_HALL = VenueSpec("Bolton Town Hall", "Victoria Square, Bolton", "BL1 1RU")
CENTRAL_LIBRARY = VenueSpec("Central Library", "Le Mans Crescent, Bolton", "BL1 1SE")
ADVICE_CENTRE = VenueSpec("Deansgate advice centre", "Deansgate, Bolton", "BL1 1HU")
YOUTH_CENTRE = VenueSpec("Town centre youth centre", "St George's Road, Bolton", "BL1 2BZ")
BREIGHTMET_HUB = VenueSpec("Breightmet Family Hub", "Breightmet Fold Lane, Bolton", "BL2 6NT")
FARNWORTH_HUB = VenueSpec("Farnworth Family Hub", "Market Street, Farnworth, Bolton", "BL4 7PG")
HORWICH_HUB = VenueSpec("Horwich Family Hub", "Jones Street, Horwich, Bolton", "BL6 7AJ")
WESTHOUGHTON_HUB = VenueSpec(
    "Westhoughton Family Hub", "Library Street, Westhoughton, Bolton", "BL5 3AT"
)
HEATON_HUB = VenueSpec("Heaton and Lostock Family Hub", "New Hall Lane, Bolton", "BL1 5LF")
OLDHAMS_HUB = VenueSpec("Oldhams Family Hub", "Forfar Street, Bolton", "BL1 6RN")
HOSPITAL = VenueSpec(
    "Royal Bolton Hospital, children's outpatients", "Minerva Road, Farnworth, Bolton", "BL4 0JR"
)
HEALTH_CENTRE = VenueSpec("Bolton One health centre", "Moor Lane, Bolton", "BL3 5BN")
FOOD_BANK_CENTRE = VenueSpec("Salop Street food bank centre", "Salop Street, Bolton", "BL2 1DZ")
FARNWORTH_CENTRE = VenueSpec(
    "Farnworth community rooms", "Trafford Street, Farnworth, Bolton", "BL4 7PQ"
)
BRACKLEY_STREET = VenueSpec(
    "Brackley Street youth rooms", "Brackley Street, Farnworth, Bolton", "BL4 9DR"
)
GREAT_LEVER_CENTRE = VenueSpec("Great Lever community centre", "Green Lane, Bolton", "BL3 2HP")
JOHNSON_FOLD = VenueSpec("Johnson Fold community hub", "Tattersall Avenue, Bolton", "BL1 5TE")
TONGE_CENTRE = VenueSpec("Tonge Moor community centre", "Tonge Moor Road, Bolton", "BL2 2LE")
