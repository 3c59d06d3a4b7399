"""The demo data files read into plain records; nothing here touches a database.

Enumerations stay the strings the files hold (for example ``"school_hub"`` or
``"provider_manager"``): the operations the loader calls check them as they
check what a user types.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).with_name("data")
# Read in this order, so services are created (and numbered) as they always were.
SERVICE_FILES = (
    "services_council.toml",
    "services_nhs.toml",
    "services_housing.toml",
    "services_voluntary.toml",
)

# The one password every demo account shares; documented so that testers can log in.
DEMO_PASSWORD = "demo-password"  # noqa: S105
# The authenticator secret of every demo account that must use a second factor
# (coordinator, safeguarding leads). Public on purpose: it is printed by `make run`.
DEMO_TOTP_SECRET = "FAMILYHUBDEMOTOTPSECRETFORTESTS2"  # noqa: S105

# Its e-mail marks the demo as loaded: the loader does nothing when this user exists.
COORDINATOR_EMAIL = "coordinator@demo.familyhub.test"


@dataclass(frozen=True)
class OrganisationSpec:
    """An organisation that provides services, runs schools or employs demo users."""

    key: str
    name: str
    kind: str
    website: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class SchoolSpec:
    """A school acting as a family hub; the loader also creates its own organisation."""

    key: str
    urn: str
    name: str
    phase: str
    address: str
    postcode: str
    trust: str | None = None
    phone: str = ""
    # The school office's email: families see it on their progress page.
    email: str = ""


@dataclass(frozen=True)
class VenueSpec:
    """Where a service is delivered when it is not at a school hub."""

    key: str
    name: str
    address: str
    postcode: str


@dataclass(frozen=True)
class AreaSpec:
    """A named service area: a GeoJSON Polygon in WGS84."""

    key: str
    name: str
    geometry: dict[str, Any]


@dataclass(frozen=True)
class CapacitySpec:
    """Capacity figures as a provider last reported them, ``updated_days_ago`` before now."""

    accepting: bool
    free_places: int
    waitlist_length: int
    updated_days_ago: float
    updated_by: str
    typical_wait_days: int | None = None


@dataclass(frozen=True)
class HubSpec:
    """A school hub where a service runs, and on which weekdays."""

    school: str
    days: tuple[str, ...]


@dataclass(frozen=True)
class ServiceSpec:
    """One directory listing; ``venue`` and ``area`` are keys, None when there is none."""

    organisation: str
    name: str
    description: str
    needs: tuple[str, ...]
    min_age: int
    max_age: int
    eligibility: str
    modes: tuple[str, ...]
    opening_times: str
    contact_name: str
    contact_email: str
    contact_phone: str
    referral_route: str
    capacity: CapacitySpec
    cost: str = "Free"
    languages: tuple[str, ...] = ("English",)
    website: str = ""
    venue: str | None = None
    area: str | None = None
    hubs: tuple[HubSpec, ...] = ()
    # Kinds of help, whom it is for and the level of need (``routing.engine.help``).
    kinds: tuple[str, ...] = ()
    help_for: tuple[str, ...] = ()
    level: str = ""


@dataclass(frozen=True)
class UserSpec:
    """A demo login; ``organisation`` is an organisation key or a school key."""

    email: str
    name: str
    role: str
    organisation: str
    # What the person does at their organisation, where the role alone does not say
    # (a SENCO is school staff): printed with the demo log-ins, not stored.
    title: str = ""


@dataclass(frozen=True)
class Dataset:
    organisations: tuple[OrganisationSpec, ...]
    schools: tuple[SchoolSpec, ...]
    venues: dict[str, VenueSpec]
    areas: dict[str, AreaSpec]
    services: tuple[ServiceSpec, ...]
    users: tuple[UserSpec, ...]


def _table(name: str, key: str) -> list[dict[str, Any]]:
    with (DATA / name).open("rb") as file:
        return list(tomllib.load(file)[key])


def _service(row: dict[str, Any]) -> ServiceSpec:
    hubs = tuple(HubSpec(hub["school"], tuple(hub["days"])) for hub in row.pop("hub", ()))
    capacity = CapacitySpec(**row.pop("capacity"))
    # TOML arrays arrive as lists; the records hold tuples, like every other sequence here.
    for name in ("needs", "modes", "languages", "kinds", "help_for"):
        if name in row:
            row[name] = tuple(row[name])
    return ServiceSpec(**row, capacity=capacity, hubs=hubs)


def _areas() -> dict[str, AreaSpec]:
    collection = json.loads((DATA / "areas.geojson").read_text(encoding="utf-8"))
    areas = (
        AreaSpec(feature["properties"]["key"], feature["properties"]["name"], feature["geometry"])
        for feature in collection["features"]
    )
    return {area.key: area for area in areas}


@cache
def read_dataset() -> Dataset:
    """The demo as the data files hold it (read once per process).

    Raises TypeError for a field a record does not have, and KeyError or
    tomllib.TOMLDecodeError for a file that is not in the expected shape.
    """
    venues = (VenueSpec(**row) for row in _table("venues.toml", "venue"))
    return Dataset(
        organisations=tuple(
            OrganisationSpec(**row) for row in _table("organisations.toml", "organisation")
        ),
        schools=tuple(SchoolSpec(**row) for row in _table("schools.toml", "school")),
        venues={venue.key: venue for venue in venues},
        areas=_areas(),
        services=tuple(
            _service(row) for name in SERVICE_FILES for row in _table(name, "service")
        ),
        users=tuple(UserSpec(**row) for row in _table("users.toml", "user")),
    )
