"""Plain records describing the demo data; no database imports, so the data stays pure.

Enumerations are written as their string values (for example ``"school_hub"`` or
``"provider_manager"``); the loader turns them into the model enums and fails loudly
on a value the models do not know.
"""

from __future__ import annotations

from dataclasses import dataclass

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class OrganisationSpec:
    """An organisation that provides services, runs schools or employs demo users."""

    key: str
    name: str
    kind: str
    website: str
    email: str
    phone: str


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


@dataclass(frozen=True)
class VenueSpec:
    """Where a service is delivered when it is not at a school hub."""

    name: str
    address: str
    postcode: str


@dataclass(frozen=True)
class CapacitySpec:
    """Capacity figures as a provider last reported them, ``updated_days_ago`` before now."""

    accepting: bool
    free_places: int
    waitlist_length: int
    typical_wait_days: int | None
    updated_days_ago: float
    updated_by: str


@dataclass(frozen=True)
class ServiceSpec:
    """One directory listing. ``hubs`` pairs a school key with the weekdays it runs there."""

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
    venue: VenueSpec | None = None
    hubs: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # A key of AREAS, or None for no area limit (national phone and online services).
    area: str | None = "bolton"
    website: str = ""


@dataclass(frozen=True)
class UserSpec:
    """A demo login; ``organisation`` is an organisation key or a school key."""

    email: str
    name: str
    role: str
    organisation: str


def cap(
    accepting: bool,
    free_places: int,
    waitlist_length: int,
    typical_wait_days: int | None,
    updated_days_ago: float,
    updated_by: str,
) -> CapacitySpec:
    """Shorthand for a CapacitySpec, to keep the service tables readable."""
    return CapacitySpec(
        accepting, free_places, waitlist_length, typical_wait_days, updated_days_ago, updated_by
    )
