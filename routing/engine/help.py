"""What kind of help a service gives, who it is for and at what level of need.

The vocabulary is written once here, with its labels; the listing form, the search
and referral forms, the ORUK mapping (services/oruk/help_terms.py) and the score
parts (``parts.py``) all read it. Sets of kinds and audiences are kept as bit
masks in the index, so the fit tables below are indexed by mask: the scalar and
numpy score parts read the same table, so they give the same bits.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

# Kinds of help, in the order forms list them. Follows HSDS/ORUK service types and
# ORUK's deliverable types (mapped both ways in services/oruk/help_terms.py).
KINDS: dict[str, str] = {
    "assessment": "Assessment",
    "treatment": "Treatment or therapy",
    "support": "One-to-one or family support",
    "course": "Course or programme",
    "peer_support": "Peer support and groups",
    "advice": "Advice and information",
    "activities": "Activities",
    "practical": "Practical or financial help",
}
# Who a service is for.
AUDIENCES: dict[str, str] = {
    "child": "Child or young person",
    "parent": "Parent or carer",
    "family": "Whole family",
}
# The level of need a service is for.
LEVELS: dict[str, str] = {
    "universal": "Universal (anyone)",
    "early_help": "Early help (targeted)",
    "specialist": "Specialist or clinical",
}
# How serious the concern is, as the search and referral forms ask it.
SEVERITIES: dict[str, str] = {
    "early": "Early worry",
    "moderate": "Affecting daily life",
    "high": "Serious or at risk",
}

KIND_BIT = {kind: 1 << i for i, kind in enumerate(KINDS)}
AUDIENCE_BIT = {audience: 1 << i for i, audience in enumerate(AUDIENCES)}
LEVEL_SLOT = {level: i + 1 for i, level in enumerate(LEVELS)}  # 0 = not stated
SEVERITY_SLOT = {severity: i + 1 for i, severity in enumerate(SEVERITIES)}  # 0 = not given

# How well each kind fits a need when the practitioner has not asked for a kind:
# assessment, treatment and casework first; groups and practical help next; advice
# lines and activities last. A service giving several kinds counts its best.
KIND_FIT: dict[str, float] = {
    "assessment": 1.0, "treatment": 1.0, "support": 1.0, "course": 1.0,
    "peer_support": 0.5, "practical": 0.5,
    "advice": 0.0, "activities": 0.0,
}
# A service that does not say: between the two (unknown is neither good nor bad).
UNSTATED_FIT = 0.5

# How well a service's level fits the seriousness asked (rows: severity slot, 0 =
# not given; columns: level slot, 0 = not stated).
SEVERITY_FIT: tuple[tuple[float, ...], ...] = (
    # Not given: early help first, then universal, then specialist (most needs a school
    # raises are early help), as points only, never a tier (``parts.Severity.rank``).
    (0.5, 0.75, 1.0, 0.0),
    (0.5, 1.0, 1.0, 0.0),  # early worry: universal and early help first
    (0.5, 0.5, 1.0, 1.0),  # affecting daily life: early help and specialist first
    (0.5, 0.0, 0.5, 1.0),  # serious or at risk: specialist first, then early help
)

# Needs that are the parent's or carer's own (the help is for them by default);
# every other need is the child's. Housing help goes to the parent or carer, who
# holds the tenancy or the council application.
PARENT_NEEDS = frozenset({
    "MHW.PARENT", "PARENTING", "PARENTING.PROG", "PARENTING.TEEN", "PARENTING.CONFLICT",
    "DA.SUPPORT", "DA.PERP", "MONEY", "MONEY.DEBT", "MONEY.FUEL", "EARLY.CHILDCARE",
    "HOUSING", "HOUSING.HOMELESS", "HOUSING.CONDITION", "HOUSING.TEMP",
})


def kind_bits(kinds: Iterable[str]) -> int:
    """The mask of known kinds (unknown ones are ignored)."""
    bits = 0
    for kind in kinds:
        bits |= KIND_BIT.get(kind, 0)
    return bits


def audience_bits(audiences: Iterable[str]) -> int:
    """The mask of known audiences (unknown ones are ignored)."""
    bits = 0
    for audience in audiences:
        bits |= AUDIENCE_BIT.get(audience, 0)
    return bits


@lru_cache(maxsize=4096)
def kind_bits_of(kinds: frozenset[str]) -> int:
    """``kind_bits`` of a service's or a request's set, worked out once per set."""
    return kind_bits(kinds)


@lru_cache(maxsize=4096)
def audience_bits_of(audiences: frozenset[str]) -> int:
    """``audience_bits`` of a service's set, worked out once per set."""
    return audience_bits(audiences)


def default_audience(code: str) -> str:
    """Whom a request for ``code`` is for, when the practitioner does not say."""
    return "parent" if code in PARENT_NEEDS else "child"


def _kind_table(asked: int) -> tuple[float, ...]:
    """Fit of every kinds mask: asked kinds fit 1.0 and others 0.0; with none
    asked, the best ``KIND_FIT`` of the mask's kinds. Mask 0 is ``UNSTATED_FIT``."""
    table = [UNSTATED_FIT]
    for bits in range(1, 1 << len(KINDS)):
        if asked:
            table.append(1.0 if bits & asked else 0.0)
        else:
            table.append(max(KIND_FIT[k] for k, b in KIND_BIT.items() if bits & b))
    return tuple(table)


KIND_TABLES: dict[int, tuple[float, ...]] = {}


def kind_table(asked: int) -> tuple[float, ...]:
    """``_kind_table`` made once per asked mask (at most 256 of them)."""
    table = KIND_TABLES.get(asked)
    if table is None:
        table = KIND_TABLES[asked] = _kind_table(asked & ((1 << len(KINDS)) - 1))
    return table


def _audience_table(want: str) -> tuple[float, ...]:
    """Fit of every audience mask for help wanted for ``want``: a service for them
    fits 1.0, one for the whole family 0.75 (or, when the whole family is wanted, one
    for the child or the parent 0.5), any other 0.0; not stated 0.5."""
    table = [UNSTATED_FIT]
    for bits in range(1, 1 << len(AUDIENCES)):
        if bits & AUDIENCE_BIT[want]:
            table.append(1.0)
        elif want != "family" and bits & AUDIENCE_BIT["family"]:
            table.append(0.75)
        elif want == "family":
            table.append(0.5)
        else:
            table.append(0.0)
    return tuple(table)


AUDIENCE_TABLES: dict[str, tuple[float, ...]] = {a: _audience_table(a) for a in AUDIENCES}


def kind_phrase(bits: int) -> str:
    """'treatment or therapy and assessment' style list of a mask's kinds."""
    names = [label[0].lower() + label[1:] for kind, label in KINDS.items()
             if bits & KIND_BIT[kind]]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


AUDIENCE_WORDS = {"child": "the child", "parent": "the parent or carer",
                  "family": "the whole family"}
LEVEL_WORDS = {"universal": "universal service", "early_help": "early help service",
               "specialist": "specialist service"}


def audience_phrase(bits: int) -> str:
    """'children and young people' style phrase of a mask's audiences."""
    words = {"child": "children and young people", "parent": "parents and carers",
             "family": "whole families"}
    names = [words[a] for a in AUDIENCES if bits & AUDIENCE_BIT[a]]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
