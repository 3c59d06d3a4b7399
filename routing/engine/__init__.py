"""The routing engine: pure functions and an index over plain directory records.

Build a ``DirectoryIndex`` from a ``DirectorySnapshot`` and call ``route`` with a
``FamilyQuery``; ``scan_route`` is the slow reference implementation.
"""

from routing.engine.index import DirectoryIndex
from routing.engine.records import (
    DirectorySnapshot,
    FamilyQuery,
    HubRecord,
    NeedRequest,
    ServiceRecord,
    ranking_time,
)
from routing.engine.results import (
    Exclusion,
    Match,
    NeedResult,
    RoutingResult,
    ScorePart,
    TeamMember,
    TeamProposal,
)
from routing.engine.rules import RULE_NAMES
from routing.engine.scan import scan_route
from routing.engine.weights import Weights

__all__ = [
    "RULE_NAMES",
    "DirectoryIndex",
    "DirectorySnapshot",
    "Exclusion",
    "FamilyQuery",
    "HubRecord",
    "Match",
    "NeedRequest",
    "NeedResult",
    "RoutingResult",
    "ScorePart",
    "ServiceRecord",
    "TeamMember",
    "TeamProposal",
    "Weights",
    "ranking_time",
    "scan_route",
]
