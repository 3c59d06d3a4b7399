"""The hard eligibility rules, each defined once, in a fixed order.

Each rule is one small class holding its test twice, side by side: ``reason``
for one service (``None`` when it passes, else the plain-language reason it
excludes the service) and a vectorised form over numpy columns. For most rules
that is ``passes_array`` (``None`` when the query does not use the rule, so every
row passes); the referrals, accepting and (for ages up to MAX_PACKED_AGE) age
rules, and the audience rule, are packed instead into bits of one integer per
service (``rule_flags``, ``required_flags``), so all four are one mask test. Both the index and the
benchmark's full scan use these forms; tests/routing/engine/test_rules.py holds
every form to the scalar one on random inputs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from routing.engine import help, reasons
from routing.engine.areas import AreaCatalogue
from routing.engine.records import FamilyQuery, HubRecord, ServiceRecord

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

REMOTE_MODES = frozenset({"online", "phone"})
# Bits of ``rule_flags``: two booleans, then whether the service passes the
# audience rule for help for a child and for a parent, then one bit per age the
# service takes (bit AGE_SHIFT + a for age a, up to MAX_PACKED_AGE). Bits 2 and 5
# to 7 are left for the caller's own flags.
REFERRALS = 1
ACCEPTING = 2
FOR_CHILD = 8
FOR_PARENT = 16
AGE_SHIFT = 8
MAX_PACKED_AGE = 54
MAX_MODES = 62


@dataclass(frozen=True, slots=True)
class QueryContext:
    """What the rules need to know about a query, worked out once per query."""

    query: FamilyQuery
    point: tuple[float, float] | None
    areas: AreaCatalogue
    language: str | None
    # Slots of the areas holding the point, when already worked out (the index does).
    inside_slots: frozenset[int] | None = None
    # Whom all the help is for (``FamilyQuery.subject``), worked out once.
    subject: str = ""

    @classmethod
    def build(cls, query: FamilyQuery, areas: AreaCatalogue, *,
              find_areas: bool = False) -> QueryContext:
        """Context for ``query``: the family's point is the home, else the school.

        With ``find_areas``, every area holding the point is found up front, so the
        area rule is a set lookup. Raises ValueError if the point is not finite.
        """
        point = query.home if query.home is not None else query.school_point
        if point is not None and not (math.isfinite(point[0]) and math.isfinite(point[1])):
            raise ValueError("the family's location must be finite grid coordinates")
        language = query.language.casefold() if query.language else None
        inside = None
        if find_areas and point is not None:
            inside = frozenset(areas.slots_containing(point))
        return cls(query=query, point=point, areas=areas, language=language,
                   inside_slots=inside, subject=query.subject)

    def in_area(self, wkt: str) -> bool:
        """Whether the family's point lies in the area (True with no point).

        Raises KeyError for an area missing from the catalogue.
        """
        if self.point is None:
            return True
        if self.inside_slots is not None:
            return self.areas.slot(wkt) in self.inside_slots
        return self.areas.contains(wkt, self.point)


def service_points(service: ServiceRecord) -> list[tuple[float, float]]:
    """The places a service is delivered: its venue, then each hub."""
    points = [] if service.venue is None else [service.venue]
    points.extend((hub.easting, hub.northing) for hub in service.hubs)
    return points


def distance_m(service: ServiceRecord, point: tuple[float, float] | None) -> float | None:
    """Straight-line metres from ``point`` to the nearest place of the service.

    ``None`` when there is no point or the service has no places. Written as
    ``sqrt(dx*dx + dy*dy)`` (not ``hypot``), as ``distances_array`` computes it:
    both square roots are correctly rounded, so the two give identical bits.
    """
    if point is None:
        return None
    best: float | None = None
    for x, y in service_points(service):
        dx = x - point[0]
        dy = y - point[1]
        d = math.sqrt(dx * dx + dy * dy)
        if best is None or d < best:
            best = d
    return best


def distances_array(xs: FloatArray, ys: FloatArray, x: float, y: float) -> FloatArray:
    """``distance_m``'s arithmetic from (x, y) to places at arrays (any shape) of
    eastings ``xs`` and northings ``ys``; NaN places give NaN."""
    dx = xs - x
    dy = ys - y
    return np.sqrt(dx * dx + dy * dy)


def hub_at_school(service: ServiceRecord, school_id: int | None) -> HubRecord | None:
    """The service's hub at the child's school, if it has one."""
    if school_id is None:
        return None
    for hub in service.hubs:
        if hub.school_id == school_id:
            return hub
    return None


def is_distance_free(service: ServiceRecord) -> bool:
    """Not limited by distance: only online or by phone, or no places at all when it
    says how it is delivered or where (its area). A service stating neither a place,
    a way of delivery nor an area is not known to reach anyone: unknown is not
    "online", so it does not match every postcode."""
    modes = service.delivery_modes
    if modes and modes <= REMOTE_MODES:
        return True
    return service.venue is None and not service.hubs and bool(
        modes or service.area_wkt is not None)


class Placement(NamedTuple):
    """Where a service stands for one query, as the distance rule reads it (a named
    tuple, as the index makes one per exclusion)."""

    distance: float | None  # metres to the nearest place; None with no point or place
    at_school: bool  # has a hub at the child's school
    distance_free: bool  # ``is_distance_free``
    # The family's point is in the service area (True with no area or no point);
    # None: not known, the area rule tests it (a polygon test, so only if reached).
    in_area: bool | None = None

    @classmethod
    def of(cls, service: ServiceRecord, ctx: QueryContext) -> Placement:
        """Work the placement out from the record (the index knows it from columns)."""
        return cls(distance_m(service, ctx.point),
                   hub_at_school(service, ctx.query.school_id) is not None,
                   is_distance_free(service))


class NeedRule:
    """The need: the service declares one of the codes that meet the request
    (``Taxonomy.matching_codes``). A service failing it is simply not a candidate,
    so it has no reason."""

    @staticmethod
    def meets(service: ServiceRecord, matching_codes: frozenset[str]) -> bool:
        return not service.need_codes.isdisjoint(matching_codes)

    @staticmethod
    def meets_array(matching_codes: Iterable[str], rows_by_code: Mapping[str, IntArray],
                    n: int) -> BoolArray:
        """``meets`` for rows 0..n-1, from the rows declaring each code."""
        mask = np.zeros(n, dtype=np.bool_)
        for code in matching_codes:
            rows = rows_by_code.get(code)
            if rows is not None:
                mask[rows] = True
        return mask


class Rule:
    """One hard rule: its name and the scalar test; subclasses add the vectorised form."""

    name = ""

    def reason(self, service: ServiceRecord, ctx: QueryContext,
               placement: Placement) -> str | None:
        """None when ``service`` passes, else why it is excluded."""
        raise NotImplementedError


class AgeRule(Rule):
    """Age: the service's range holds the child's age; a query with no age passes.

    An approximate age (``FamilyQuery.ages``, from a year of birth) passes when the
    two ranges overlap: the child may be of an age the service takes.
    """

    name = "age"

    # The bounds an unstated youngest or oldest age stands for: no limit that way
    # (unknown is not "no"; ``parts.Unstated`` ranks it lower instead).
    NO_LOWER = 0
    NO_UPPER = 2**31

    def reason(self, service: ServiceRecord, ctx: QueryContext,
               placement: Placement) -> str | None:
        ages = ctx.query.ages
        if ages is None:
            return None
        low, high = self.bounds(service)
        if low <= ages[1] and ages[0] <= high:
            return None
        return _too_young_or_old(service.min_age, service.max_age, *ages)

    @classmethod
    def bounds(cls, service: ServiceRecord) -> tuple[int, int]:
        """(youngest, oldest) the rule tests, an unstated bound being no limit."""
        low = cls.NO_LOWER if service.min_age is None else service.min_age
        high = cls.NO_UPPER if service.max_age is None else service.max_age
        return low, high

    @staticmethod
    def passes_array(ctx: QueryContext, min_age: IntArray, max_age: IntArray) -> BoolArray | None:
        """Over columns of ``bounds``."""
        ages = ctx.query.ages
        if ages is None:
            return None
        return (min_age <= ages[1]) & (max_age >= ages[0])

    @staticmethod
    @lru_cache(maxsize=4096)
    def bits(min_age: int | None, max_age: int | None) -> int:
        """The packed form: one bit per age taken, up to MAX_PACKED_AGE (an unstated
        bound takes every age that way)."""
        low = AgeRule.NO_LOWER if min_age is None else min_age
        high = MAX_PACKED_AGE if max_age is None else max_age
        return sum(1 << (AGE_SHIFT + a) for a in range(max(low, 0),
                                                        min(high, MAX_PACKED_AGE) + 1))

    @staticmethod
    def packable(age: int | None) -> bool:
        """Whether ``required_flags`` covers the age rule for this age."""
        return age is None or 0 <= age <= MAX_PACKED_AGE

    @staticmethod
    def packs(query: FamilyQuery) -> bool:
        """Whether ``required_flags`` covers the age rule for ``query``: an exact age
        (one bit to require), not a range."""
        ages = query.ages
        return ages is None or (ages[0] == ages[1] and AgeRule.packable(ages[0]))


class AudienceRule(Rule):
    """Audience: a service only for parents or carers is not for a child's help, and
    one only for children is not for a parent's; whole-family services, services for
    both and those that do not say (unknown is not "no") fit everyone. Applies when
    all the help asked is for one person (``FamilyQuery.subject``)."""

    name = "audience"
    APPLIES = frozenset({"child", "parent"})

    @staticmethod
    def fitting(subject: str) -> int:
        """The audience bits of which a service needs one to pass for ``subject``."""
        return help.AUDIENCE_BIT[subject] | help.AUDIENCE_BIT["family"]

    @staticmethod
    def passes(bits: int, subject: str) -> bool:
        """Whether a service with audience mask ``bits`` passes for ``subject`` (one
        of ``APPLIES``)."""
        return bits == 0 or bits & AudienceRule.fitting(subject) != 0

    def reason(self, service: ServiceRecord, ctx: QueryContext,
               placement: Placement) -> str | None:
        subject = ctx.subject
        if subject not in self.APPLIES or self.passes(
                help.audience_bits_of(service.audiences), subject):
            return None
        return NOT_FOR[subject]

    @staticmethod
    def passes_array(ctx: QueryContext, audiences: IntArray) -> BoolArray | None:
        """Over the services' audience masks (``help.audience_bits``). (The index
        uses its packed form, ``rule_flags``.)"""
        subject = ctx.subject
        if subject not in AudienceRule.APPLIES:
            return None
        return (audiences == 0) | ((audiences & AudienceRule.fitting(subject)) != 0)


# Why a service is not for the person the help is for (each the only other audience).
NOT_FOR = {
    "child": "for parents or carers, not children",
    "parent": "for children and young people, not parents or carers",
}


class AreaRule(Rule):
    """Area: the family's point lies in the service area (no area, or no point, passes)."""

    name = "area"

    def reason(self, service: ServiceRecord, ctx: QueryContext,
               placement: Placement) -> str | None:
        inside = placement.in_area
        if inside is None:
            inside = service.area_wkt is None or ctx.in_area(service.area_wkt)
        return None if inside else _outside(service.area_name)

    @staticmethod
    def slot_passes(slot: int, ctx: QueryContext) -> bool:
        """``Placement.in_area`` from the area's catalogue slot (0 = no area), when
        ``ctx`` was built with ``find_areas``."""
        return ctx.point is None or slot == 0 or slot in (ctx.inside_slots or ())

    @staticmethod
    def passes_array(ctx: QueryContext, area_slot: IntArray, inside_slots: Iterable[int],
                     area_count: int) -> BoolArray | None:
        """Over area slots (0 = no area; ``AreaCatalogue`` numbers areas from 1), given
        the slots of the areas holding the family's point."""
        if ctx.point is None:
            return None
        return AreaRule.slots_table(inside_slots, area_count)[area_slot]

    @staticmethod
    def slots_table(inside_slots: Iterable[int], area_count: int) -> BoolArray:
        """Whether each slot (0 to ``area_count``) passes, given the slots of the
        areas holding the family's point (``passes_array`` is a lookup in it)."""
        # As slot_passes: slot 0 (no area) passes.
        inside = np.zeros(area_count + 1, dtype=np.bool_)
        inside[0] = True
        inside[list(inside_slots)] = True
        return inside


class DistanceRule(Rule):
    """Distance: the nearest place is within the limit.

    Services at the child's own school, with no places, or only online or by phone
    always pass, as does a query with no limit or no point.
    """

    name = "distance"

    def reason(self, service: ServiceRecord, ctx: QueryContext,
               placement: Placement) -> str | None:
        limit = ctx.query.max_distance_m
        d = placement.distance
        if (limit is None or ctx.point is None or placement.distance_free
                or placement.at_school or (d is not None and d <= limit)):
            return None
        if d is None:
            # No place, and not distance-free: it states no way of delivery or area.
            return NO_PLACE
        return f"{reasons.miles(d)} away, beyond the {reasons.mile_limit(limit)} limit"

    @staticmethod
    def passes_array(ctx: QueryContext, distance: FloatArray, distance_free: BoolArray,
                     at_school: BoolArray) -> BoolArray | None:
        """Over arrays of distances (NaN = none), ``is_distance_free`` and school hubs."""
        limit = ctx.query.max_distance_m
        if limit is None or ctx.point is None:
            return None
        # NaN (no place) compares False: as None, it fails unless distance-free.
        return distance_free | at_school | (distance <= limit)


# Why a service with no place, no way of delivery and no area fails a distance limit.
NO_PLACE = "no place, way of delivery or area stated by the provider"


class ModeRule(Rule):
    """Mode: the service offers at least one of the asked-for ways (none asked, or
    none stated, passes)."""

    name = "mode"

    def reason(self, service: ServiceRecord, ctx: QueryContext,
               placement: Placement) -> str | None:
        wanted = ctx.query.delivery_modes
        offered = service.delivery_modes
        # Modes not stated pass: unknown is not "no" (``parts.Unstated`` ranks them lower).
        if not wanted or not offered or not offered.isdisjoint(wanted):
            return None
        return _only_offered(offered)

    @staticmethod
    def bits(modes: frozenset[str], bit_of: dict[str, int]) -> int:
        """Bit mask of delivery modes; modes not in ``bit_of`` are given the next bit.

        Raises ValueError past ``MAX_MODES`` distinct modes (the mask is an int64).
        """
        bits = 0
        for mode in sorted(modes):
            if mode not in bit_of:
                if len(bit_of) >= MAX_MODES:
                    raise ValueError("too many distinct delivery modes")
                bit_of[mode] = 1 << len(bit_of)
            bits |= bit_of[mode]
        return bits

    @staticmethod
    def passes_array(ctx: QueryContext, mode_bits: IntArray,
                     bit_of: Mapping[str, int]) -> BoolArray | None:
        """Over the services' ``bits`` (made with the same ``bit_of``)."""
        if not ctx.query.delivery_modes:
            return None
        wanted = 0
        for mode in ctx.query.delivery_modes:
            wanted |= bit_of.get(mode, 0)
        return ((mode_bits & wanted) != 0) | (mode_bits == 0)


class LanguageRule(Rule):
    """Language: the service offers the asked-for language, ignoring case. A service
    that does not state its languages is not excluded: unknown is not "no"."""

    name = "language"
    # The ``offering`` mask of services that state no language.
    NOT_STATED = ""

    @staticmethod
    def offered(service: ServiceRecord) -> frozenset[str]:
        """The languages offered, in the form queries are compared in."""
        return _casefolded(service.languages)

    def reason(self, service: ServiceRecord, ctx: QueryContext,
               placement: Placement) -> str | None:
        if ctx.language is None:
            return None
        offered = self.offered(service)
        if not offered or ctx.language in offered:
            return None
        return f"not offered in {ctx.query.language}"

    @staticmethod
    def passes_array(ctx: QueryContext, offering: Mapping[str, BoolArray],
                     rows: IntArray) -> BoolArray | None:
        """Over ``rows``, given a mask of every row per language (``offered``)."""
        if ctx.language is None:
            return None
        mask = offering.get(ctx.language)
        unstated = offering.get(LanguageRule.NOT_STATED)
        if mask is None:
            mask = unstated
        elif unstated is not None:
            mask = mask | unstated
        return np.zeros(len(rows), dtype=np.bool_) if mask is None else mask[rows]


class ReferralsRule(Rule):
    """Referrals: takes referrals through this system, when the query requires it."""

    name = "referrals"

    def reason(self, service: ServiceRecord, ctx: QueryContext,
               placement: Placement) -> str | None:
        if not ctx.query.require_system_referrals or service.takes_system_referrals:
            return None
        return "does not take referrals through this system"


class AcceptingRule(Rule):
    """Accepting: open to referrals, when the query requires it (0 places is fine)."""

    name = "accepting"

    def reason(self, service: ServiceRecord, ctx: QueryContext,
               placement: Placement) -> str | None:
        if not ctx.query.require_accepting or service.accepting:
            return None
        return "not accepting referrals at the moment"


# Reasons and forms that depend on little, worked out once: services share few
# age ranges, areas, sets of modes and of languages.
@lru_cache(maxsize=4096)
def _too_young_or_old(min_age: int | None, max_age: int | None, age: int,
                      upper: int | None = None) -> str:
    taken = reasons.age_range(min_age, max_age)
    if upper is None or upper == age:
        return f"for {taken}; this child is {age}"
    joined = "or" if upper == age + 1 else "to"
    return f"for {taken}; this child is {age} {joined} {upper}"


@lru_cache(maxsize=4096)
def _outside(area_name: str) -> str:
    where = f" ({area_name})" if area_name else ""
    return f"the family lives outside its area{where}"


@lru_cache(maxsize=4096)
def _only_offered(modes: frozenset[str]) -> str:
    return f"only offered {reasons.modes(modes) or 'in no listed way'}"


@lru_cache(maxsize=4096)
def _casefolded(languages: frozenset[str]) -> frozenset[str]:
    return frozenset(lang.casefold() for lang in languages)


# The ``rule_flags`` bit of passing the audience rule, by subject.
AUDIENCE_FLAGS = {"child": FOR_CHILD, "parent": FOR_PARENT}


def rule_flags(service: ServiceRecord) -> int:
    """The packed form of the referrals, accepting, audience and age rules for one
    service."""
    audiences = help.audience_bits_of(service.audiences)
    return ((REFERRALS if service.takes_system_referrals else 0)
            | (ACCEPTING if service.accepting else 0)
            | (FOR_CHILD if AudienceRule.passes(audiences, "child") else 0)
            | (FOR_PARENT if AudienceRule.passes(audiences, "parent") else 0)
            | AgeRule.bits(service.min_age, service.max_age))


def required_flags(query: FamilyQuery, subject: str | None = None) -> int:
    """The ``rule_flags`` bits a service must all have to pass the referrals,
    accepting and audience rules and, when ``AgeRule.packs``, the age rule.
    ``subject`` is ``query.subject`` when already worked out (``QueryContext.subject``)."""
    if subject is None:
        subject = query.subject
    required = (REFERRALS if query.require_system_referrals else 0) | (
        ACCEPTING if query.require_accepting else 0) | AUDIENCE_FLAGS.get(subject, 0)
    age = query.age
    if age is not None and AgeRule.packs(query):
        required |= 1 << (AGE_SHIFT + age)
    return required


# The fixed order decides which failing rule explains an exclusion.
RULES: tuple[Rule, ...] = (
    AgeRule(), AudienceRule(), AreaRule(), DistanceRule(), ModeRule(), LanguageRule(),
    ReferralsRule(), AcceptingRule(),
)
RULE_NAMES: tuple[str, ...] = tuple(rule.name for rule in RULES)
_REASONS = tuple((rule.name, rule.reason) for rule in RULES)


def first_failure(
    service: ServiceRecord, ctx: QueryContext, placement: Placement | None = None
) -> tuple[str, str] | None:
    """(rule name, reason) of the first rule the service fails, or None if eligible.

    ``placement`` is worked out from the record when not given.
    """
    where = placement or Placement.of(service, ctx)
    for name, reason_of in _REASONS:
        reason = reason_of(service, ctx, where)
        if reason is not None:
            return name, reason
    return None
