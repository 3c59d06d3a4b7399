"""Stable public identifiers for everything the ORUK API publishes.

Services and organisations carry their own ``uuid`` column. Every other published entity
gets a UUID derived with :func:`uuid.uuid5` from a fixed namespace and our own
stable keys (database ids, school URNs, need codes), so the same record always
gets the same identifier, release after release. Never change ``NAMESPACE``.
"""

from __future__ import annotations

import uuid

# Fixed for ever: changing it would change every published identifier.
NAMESPACE = uuid.UUID("5d0e3c1a-6f0b-4c55-9b0e-8f3e1f6a2b71")

TAXONOMY_KEY = "family-hub-needs"


def derive(*parts: object) -> str:
    """A UUID (as text) derived from ``parts``, for example ``derive("need", "MHW")``."""
    return str(uuid.uuid5(NAMESPACE, ":".join(str(part) for part in parts)))


def taxonomy_id() -> str:
    """The id of our needs taxonomy."""
    return derive("taxonomy", TAXONOMY_KEY)


def term_id(code: str) -> str:
    """The id of the taxonomy term for a need code such as ``MHW.ANX``."""
    return derive("need", code)


def venue_location_id(location_pk: int) -> str:
    """The id of a service's venue, from its location's database id."""
    return derive("location", location_pk)


def school_location_id(urn: str) -> str:
    """The id of a school hub as a location, from the school's URN."""
    return derive("school", urn)


def service_at_location_id(service_uuid: str, location_uuid: str) -> str:
    """The id of a service delivered at a location."""
    return derive("service_at_location", service_uuid, location_uuid)


def is_uuid(text: str) -> bool:
    """Whether ``text`` is a UUID in any of the usual spellings."""
    try:
        uuid.UUID(text)
    except (ValueError, AttributeError, TypeError):
        return False
    return True
