"""The demo family-hub area around Bolton, as plain data: the same on every load.

Everything the loader creates is listed here or in the ``dataset_*`` modules this
one gathers; nothing touches a database or reads files at run time.
"""

from __future__ import annotations

from hub.demo import dataset_orgs as o
from hub.demo import dataset_schools as s
from hub.demo.dataset_areas import AREAS, AreaSpec
from hub.demo.dataset_orgs import ORGANISATIONS
from hub.demo.dataset_schools import SCHOOLS
from hub.demo.dataset_services import COUNCIL_SERVICES, NHS_SERVICES
from hub.demo.dataset_services_community import HOUSING_SERVICES, VOLUNTARY_SERVICES
from hub.demo.specs import (
    CapacitySpec,
    OrganisationSpec,
    SchoolSpec,
    ServiceSpec,
    UserSpec,
    VenueSpec,
)

# The one password every demo account shares; documented so that testers can log in.
DEMO_PASSWORD = "demo-password"  # noqa: S105

# Its e-mail marks the demo as loaded: the loader does nothing when this user exists.
COORDINATOR_EMAIL = "coordinator@demo.familyhub.test"

SERVICES: tuple[ServiceSpec, ...] = (
    COUNCIL_SERVICES + NHS_SERVICES + HOUSING_SERVICES + VOLUNTARY_SERVICES
)

USERS: tuple[UserSpec, ...] = (
    UserSpec(COORDINATOR_EMAIL, "Morgan Hale", "coordinator", o.COUNCIL),
    UserSpec("staff.tongemoor@demo.familyhub.test", "Jess Rowley", "school_staff", s.TONGE_MOOR),
    UserSpec("dsl.tongemoor@demo.familyhub.test", "Imran Dar", "safeguarding_lead", s.TONGE_MOOR),
    UserSpec(
        "staff.farnworth@demo.familyhub.test", "Ellie Brandwood", "school_staff",
        s.FARNWORTH_ACADEMY,
    ),
    UserSpec(
        "dsl.farnworth@demo.familyhub.test", "Gareth Pilling", "safeguarding_lead",
        s.FARNWORTH_ACADEMY,
    ),
    UserSpec("manager.nhs@demo.familyhub.test", "Dr Anita Kerr", "provider_manager", o.BOLTON_FT),
    UserSpec("worker.nhs@demo.familyhub.test", "Sam Okafor", "provider_worker", o.BOLTON_FT),
    UserSpec("manager.mhst@demo.familyhub.test", "Rachel Ashworth", "provider_manager", o.GMMH),
    UserSpec("manager.council@demo.familyhub.test", "Lee Whittle", "provider_manager", o.COUNCIL),
    UserSpec("worker.council@demo.familyhub.test", "Nadia Hussain", "provider_worker", o.COUNCIL),
    UserSpec(
        "manager.charity@demo.familyhub.test", "Kath Greenhalgh", "provider_manager",
        o.YOUNG_CARERS,
    ),
    UserSpec(
        "worker.charity@demo.familyhub.test", "Tomasz Nowak", "provider_worker", o.YOUNG_CARERS
    ),
)

__all__ = [
    "AREAS",
    "COORDINATOR_EMAIL",
    "DEMO_PASSWORD",
    "ORGANISATIONS",
    "SCHOOLS",
    "SERVICES",
    "USERS",
    "AreaSpec",
    "CapacitySpec",
    "OrganisationSpec",
    "SchoolSpec",
    "ServiceSpec",
    "UserSpec",
    "VenueSpec",
]
