"""The plain-data contract between the directory and the routing engine.

Other code builds these records from the database; the engine never reads the
database itself. Coordinates are British National Grid metres (EPSG:27700) and
datetimes are naive UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from routing.engine.help import AUDIENCES, default_audience


@dataclass(frozen=True, slots=True)
class HubRecord:
    """A school hub where a service is delivered."""

    school_id: int
    school_name: str
    easting: float
    northing: float
    days: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ServiceRecord:
    """One service in the directory, as the engine sees it."""

    id: int
    name: str
    organisation_id: int
    organisation_name: str
    need_codes: frozenset[str]
    # None: the provider has not stated that bound; empty modes or languages: not
    # stated. Unknown never excludes a service (``rules``) but ranks it lower
    # (``parts.Unstated``).
    min_age: int | None
    max_age: int | None
    delivery_modes: frozenset[str]
    languages: frozenset[str]
    takes_system_referrals: bool
    accepting: bool
    free_places: int
    waitlist_length: int
    typical_wait_days: int | None
    measured_wait_days: float | None
    capacity_updated_at: datetime | None
    venue: tuple[float, float] | None
    hubs: tuple[HubRecord, ...]
    area_wkt: str | None
    area_name: str = ""
    # What kind of help it gives, who it is for and the level of need it serves
    # (routing/engine/help.py); empty when the provider has not said.
    help_kinds: frozenset[str] = frozenset()
    audiences: frozenset[str] = frozenset()
    level: str = ""


@dataclass(frozen=True)
class DirectorySnapshot:
    """Every routable service at one moment, plus the need taxonomy."""

    version: int
    services: tuple[ServiceRecord, ...]
    need_parents: Mapping[str, str | None]
    taken_at: datetime
    # Need names by code, for the reasons ("specialist: eating difficulties").
    need_names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NeedRequest:
    """One need of the family; priority 1 = urgent (needs help now), 2 = normal, 3 = low.

    ``severity`` is how serious it is ("early", "moderate", "high"; "" not given),
    ``kinds`` the kinds of help asked for (none: any, assessment and treatment
    first) and ``help_for`` whom the help is for ("" = the need's default,
    ``help.default_audience``).
    """

    code: str
    priority: int = 2
    severity: str = ""
    kinds: frozenset[str] = frozenset()
    help_for: str = ""

    @property
    def urgent(self) -> bool:
        return self.priority <= 1

    @property
    def audience(self) -> str:
        """Whom the help is for: ``help_for`` if known, else the need's default."""
        return self.help_for if self.help_for in AUDIENCES else default_audience(self.code)


def ranking_time(moment: datetime) -> datetime:
    """The ``FamilyQuery.now`` of a query made at ``moment``: the start of its minute.

    Only freshness reads it, and freshness counts days, so the minute changes no
    reason and a score by millionths of a point, the same for every service; the
    queries of one minute then share what the index keeps for one ``now`` (freshness
    parts, explanations of distance-free services), and a page reloaded within the
    minute ranks exactly as before.
    """
    return moment.replace(second=0, microsecond=0)


@dataclass(frozen=True)
class FamilyQuery:
    """What a practitioner (or the public search page) asks the router."""

    needs: tuple[NeedRequest, ...]
    now: datetime
    home: tuple[float, float] | None = None
    school_id: int | None = None
    school_point: tuple[float, float] | None = None
    age: int | None = None
    delivery_modes: frozenset[str] = frozenset()
    language: str | None = None
    max_distance_m: float | None = None
    require_system_referrals: bool = True
    require_accepting: bool = True
    current_provider_ids: frozenset[int] = frozenset()
    limit_per_need: int = 10
    excluded_per_need: int = 5
    # With ``age``, an approximate age: the child is between ``age`` and ``age_upper``
    # (a year of birth known, not the date). None: ``age`` is exact (or not known).
    age_upper: int | None = None

    @property
    def ages(self) -> tuple[int, int] | None:
        """The child's youngest and oldest possible age; None when not known."""
        if self.age is None:
            return None
        upper = self.age if self.age_upper is None else max(self.age, self.age_upper)
        return self.age, upper

    @property
    def subject(self) -> str:
        """Whom all the help asked for is for (``help.AUDIENCES``), the audience rule's
        input: the needs' common audience (``NeedRequest.audience``), or "" when they
        are for different people (the audience score part still ranks each need)."""
        audiences = {need.audience for need in self.needs}
        return audiences.pop() if len(audiences) == 1 else ""
