"""What the router returns: ranked matches, explained exclusions and a team.

The three records made many times per query (``ScorePart``, ``Match`` and
``Exclusion``) are immutable named tuples, which are much cheaper to build than
frozen dataclasses; the rest are frozen dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from routing.engine.records import HubRecord, NeedRequest, ServiceRecord


class ScorePart(NamedTuple):
    """One named contribution to a match's score, with its plain-language reason."""

    name: str
    points: float
    reason: str


class Match(NamedTuple):
    """An eligible service for one need, with how its score was made up."""

    service: ServiceRecord
    need_code: str
    score: float
    parts: tuple[ScorePart, ...]
    reasons: tuple[str, ...]
    distance_m: float | None
    at_school: HubRecord | None


class Exclusion(NamedTuple):
    """A nearby service that meets the need but fails a hard rule."""

    service: ServiceRecord
    need_code: str
    rule: str
    reason: str
    distance_m: float | None


@dataclass(frozen=True, slots=True)
class NeedResult:
    """The outcome for one requested need."""

    need: NeedRequest
    matches: tuple[Match, ...]
    excluded: tuple[Exclusion, ...]
    eligible_count: int


@dataclass(frozen=True, slots=True)
class TeamMember:
    """A service proposed for the team and the needs it is proposed for."""

    service: ServiceRecord
    need_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TeamProposal:
    """The smallest set of services covering every need that can be met."""

    members: tuple[TeamMember, ...]
    unmet: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RoutingResult:
    """Everything the router found for one family query."""

    needs: tuple[NeedResult, ...]
    team: TeamProposal
    snapshot_version: int
