"""Demo organisations around Bolton.

Bolton Council and the two NHS trusts are real bodies, named so the demo looks
familiar; their services here are generic, illustrative listings, not their actual
offer. The trust, the housing association and the charities are fictional. Every
phone number (01204 000 xxx) and e-mail address (example.* domains) is fictional.
"""

from __future__ import annotations

from hub.demo.specs import OrganisationSpec

TRUST = "moorland-trust"
COUNCIL = "bolton-council"
BOLTON_FT = "bolton-ft"
GMMH = "gmmh"
HOUSING = "croal-homes"
FOOD_BANK = "food-bank"
MONEY_ADVICE = "money-advice"
YOUNG_CARERS = "young-carers"
DOMESTIC_ABUSE = "safe-homes"
YOUTH_CLUBS = "youth-clubs"
BEREAVEMENT = "little-oaks"
PARENTING = "parenting-matters"
FAMILIES_TOGETHER = "families-together"
SUBSTANCE = "fresh-start"
AUTISM = "autism-network"
HELPLINE = "family-lines"
ONLINE_COUNSELLING = "open-door"
EXPLOITATION = "safe-streets"

ORGANISATIONS: tuple[OrganisationSpec, ...] = (
    OrganisationSpec(
        TRUST, "Moorland Learning Trust", "academy_trust",
        "https://www.example.org.uk/moorland-trust", "office@moorland-trust.example.org.uk",
        "01204 000 100",
    ),
    OrganisationSpec(
        COUNCIL, "Bolton Council", "local_authority",
        "https://www.bolton.gov.uk", "familyhubs@example.gov.uk", "01204 000 200",
    ),
    OrganisationSpec(
        BOLTON_FT, "Bolton NHS Foundation Trust", "nhs",
        "https://www.boltonft.nhs.uk", "childrens.services@example.nhs.uk", "01204 000 300",
    ),
    OrganisationSpec(
        GMMH, "Greater Manchester Mental Health NHS Foundation Trust", "nhs",
        "https://www.gmmh.nhs.uk", "bolton.childrens@example.nhs.uk", "01204 000 350",
    ),
    OrganisationSpec(
        HOUSING, "Croal Valley Homes", "housing",
        "https://www.example.org.uk/croal-valley-homes", "tenancy@croalvalley.example.org.uk",
        "01204 000 400",
    ),
    OrganisationSpec(
        FOOD_BANK, "Bolton Community Food Bank", "voluntary",
        "https://www.example.org.uk/bolton-food-bank", "info@boltonfoodbank.example.org.uk",
        "01204 000 500",
    ),
    OrganisationSpec(
        MONEY_ADVICE, "Bolton Money and Benefits Advice", "voluntary",
        "https://www.example.org.uk/bolton-money-advice", "advice@moneyadvice.example.org.uk",
        "01204 000 510",
    ),
    OrganisationSpec(
        YOUNG_CARERS, "Bolton Young Carers Project", "voluntary",
        "https://www.example.org.uk/bolton-young-carers", "hello@youngcarers.example.org.uk",
        "01204 000 520",
    ),
    OrganisationSpec(
        DOMESTIC_ABUSE, "Safe Homes Bolton", "voluntary",
        "https://www.example.org.uk/safe-homes-bolton", "support@safehomes.example.org.uk",
        "01204 000 530",
    ),
    OrganisationSpec(
        YOUTH_CLUBS, "Moorside Youth Clubs", "voluntary",
        "https://www.example.org.uk/moorside-youth", "clubs@moorside.example.org.uk",
        "01204 000 540",
    ),
    OrganisationSpec(
        BEREAVEMENT, "Little Oaks Bereavement Support", "voluntary",
        "https://www.example.org.uk/little-oaks", "support@littleoaks.example.org.uk",
        "01204 000 550",
    ),
    OrganisationSpec(
        PARENTING, "Parenting Matters Bolton", "voluntary",
        "https://www.example.org.uk/parenting-matters", "courses@parentingmatters.example.org.uk",
        "01204 000 560",
    ),
    OrganisationSpec(
        FAMILIES_TOGETHER, "Bolton Families Together", "voluntary",
        "https://www.example.org.uk/families-together", "team@familiestogether.example.org.uk",
        "01204 000 570",
    ),
    OrganisationSpec(
        SUBSTANCE, "Fresh Start Young People's Service", "voluntary",
        "https://www.example.org.uk/fresh-start", "referrals@freshstart.example.org.uk",
        "01204 000 580",
    ),
    OrganisationSpec(
        AUTISM, "Bolton Autism Parent Network", "voluntary",
        "https://www.example.org.uk/autism-parent-network", "hello@autismnetwork.example.org.uk",
        "01204 000 590",
    ),
    OrganisationSpec(
        HELPLINE, "Family Lines", "voluntary",
        "https://www.example.org.uk/family-lines", "help@familylines.example.org.uk",
        "0800 000 0600",
    ),
    OrganisationSpec(
        ONLINE_COUNSELLING, "Open Door Online Counselling", "voluntary",
        "https://www.example.org.uk/open-door", "team@opendoor.example.org.uk", "0800 000 0610",
    ),
    OrganisationSpec(
        EXPLOITATION, "Safe Streets Bolton", "voluntary",
        "https://www.example.org.uk/safe-streets", "team@safestreets.example.org.uk",
        "01204 000 620",
    ),
)
