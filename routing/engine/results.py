"""What the router returns: ranked matches, explained exclusions and a team.

The three records made many times per query (``ScorePart``, ``Match`` and
``Exclusion``) are immutable named tuples, which are much cheaper to build than
frozen dataclasses; the rest are frozen dataclasses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from routing.engine.records import HubRecord, NeedRequest, ServiceRecord

_Record = TypeVar("_Record", bound=tuple[Any, ...])


def new_record(cls: type[_Record], fields: Iterable[Any]) -> _Record:
    """A ``ScorePart``, ``Match`` or ``Exclusion`` from all its fields, in order.

    The same record as calling the class, made without the Python-level
    ``__new__`` a named tuple adds: the index makes dozens per query.
    """
    return tuple.__new__(cls, fields)


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
