"""The ranking score: named parts, each defined once, and their sums.

Each part is one small class holding its formula twice, side by side: ``points``
for one service (the reference scan and the returned matches) and
``points_array`` over numpy columns (the index's candidates and the benchmark's
full scan), plus its plain-language reason. Both bodies use only ``+ - * /``,
min and max, which numpy and Python round alike, so they give the same bits;
tests/routing/engine/test_parts.py holds them to it on random inputs. ``total``
adds the parts in one fixed order for both.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from routing.engine import help, reasons
from routing.engine.records import FamilyQuery, HubRecord, NeedRequest, ServiceRecord
from routing.engine.results import ScorePart, new_record
from routing.engine.taxonomy import EXACT, NARROWER, Taxonomy
from routing.engine.weights import Weights

EPOCH = datetime(1970, 1, 1)
SECONDS_PER_DAY = 86400.0
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
# A float, or an array of them: for formulas of plain arithmetic, written once for both.
Num = TypeVar("Num", float, FloatArray)


def epoch_seconds(moment: datetime) -> float:
    """Seconds since 1970 of a naive UTC datetime (the one conversion every path uses)."""
    return (moment - EPOCH) / timedelta(seconds=1)


def total(capacity: Num, wait: Num, freshness: Num, distance: Num | float,
          at_school: Num | float, continuity: Num | float,
          unstated: Num | float = 0.0) -> Num:
    """The score: the parts summed in one fixed order, for one service or for arrays.

    A part a service does not have counts 0.0 (a scalar 0.0 added to an array gives
    the same bits as an array of zeros).
    """
    return capacity + wait + freshness + distance + at_school + continuity + unstated


class Capacity:
    """Free places earn points (capped); with none free, the wait-list costs points."""

    name = "capacity"

    @staticmethod
    def points(service: ServiceRecord, w: Weights) -> float:
        if service.free_places > 0:
            return w.capacity * min(float(service.free_places), w.full_capacity_places) / (
                w.full_capacity_places)
        waiting = max(float(service.waitlist_length), 0.0)
        # ``0.0 -`` rather than a minus sign: an empty wait-list scores 0.0, not -0.0.
        return 0.0 - w.waitlist_penalty * min(waiting, w.waitlist_cap) / w.waitlist_cap

    @staticmethod
    def points_array(free: FloatArray, waiting: FloatArray, w: Weights) -> FloatArray:
        """``points`` over arrays of free places and wait-list lengths."""
        with_places = w.capacity * np.minimum(free, w.full_capacity_places) / (
            w.full_capacity_places)
        listed = 0.0 - w.waitlist_penalty * np.minimum(np.maximum(waiting, 0.0), w.waitlist_cap) / (
            w.waitlist_cap)
        return np.where(free > 0, with_places, listed)

    @staticmethod
    def reason(service: ServiceRecord) -> str:
        """'3 places free' or 'no places free: 4 on the wait-list'."""
        if service.free_places > 0:
            return f"{reasons.plural(service.free_places, 'place')} free"
        if service.waitlist_length > 0:
            return f"no places free: {service.waitlist_length} on the wait-list"
        return "no places free"

    @classmethod
    def part(cls, service: ServiceRecord, w: Weights) -> ScorePart:
        return new_record(ScorePart, (cls.name, cls.points(service, w), cls.reason(service)))


class Wait:
    """Shorter waits earn more: ``wait * scale / (scale + days)``; unknown earns 0.

    Our measured median is preferred to the provider's own figure.
    """

    name = "wait"

    @staticmethod
    def days(service: ServiceRecord) -> tuple[float | None, bool]:
        """(days, measured): the measured median if known, else the provider's figure."""
        if service.measured_wait_days is not None:
            return float(service.measured_wait_days), True
        if service.typical_wait_days is not None:
            return float(service.typical_wait_days), False
        return None, False

    @classmethod
    def points(cls, service: ServiceRecord, w: Weights) -> float:
        days, _ = cls.days(service)
        if days is None:
            return 0.0
        return w.wait * w.wait_scale_days / (w.wait_scale_days + max(days, 0.0))

    @staticmethod
    def points_array(days: FloatArray, w: Weights) -> FloatArray:
        """``points`` over an array of waiting days (NaN = not known)."""
        points = w.wait * w.wait_scale_days / (w.wait_scale_days + np.maximum(days, 0.0))
        return np.where(np.isnan(days), 0.0, points)

    @classmethod
    def reason(cls, service: ServiceRecord) -> str:
        """'typical wait 3 weeks (from our referrals)' or '... (provider's estimate)'."""
        days, measured = cls.days(service)
        if days is None:
            return "waiting time not known"
        source = "from our referrals" if measured else "provider's estimate"
        return f"typical wait {reasons.duration(days)} ({source})"

    @classmethod
    def part(cls, service: ServiceRecord, w: Weights) -> ScorePart:
        return new_record(ScorePart, (cls.name, cls.points(service, w), cls.reason(service)))


class Freshness:
    """Fresh capacity figures earn points, falling to 0 when stale; never updated earns 0.

    Update times are epoch seconds, -inf for never updated, so a never-updated
    figure is infinitely old and its points are 0 by the formula itself.
    """

    name = "freshness"
    NEVER = -math.inf

    @staticmethod
    def updated_seconds(service: ServiceRecord) -> float:
        """When the capacity figure was updated, in epoch seconds (``NEVER`` if never)."""
        when = service.capacity_updated_at
        return Freshness.NEVER if when is None else epoch_seconds(when)

    @staticmethod
    def age(updated_s: Num, now_s: float) -> Num:
        """Days since the update, for one time or an array (inf when never updated)."""
        return (now_s - updated_s) / SECONDS_PER_DAY

    @staticmethod
    def points(age: float, w: Weights) -> float:
        return w.freshness * max(0.0, 1.0 - max(age, 0.0) / w.stale_after_days)

    @staticmethod
    def points_array(age: FloatArray, w: Weights) -> FloatArray:
        """``points`` over an array of ages in days."""
        return w.freshness * np.maximum(0.0, 1.0 - np.maximum(age, 0.0) / w.stale_after_days)

    @staticmethod
    def reason(age: float) -> str:
        """'updated 2 days ago' or 'capacity never updated'."""
        return "capacity never updated" if age == math.inf else f"updated {reasons.ago(age)}"

    @classmethod
    def part(cls, age: float, w: Weights) -> ScorePart:
        return new_record(ScorePart, (cls.name, cls.points(age, w), cls.reason(age)))


class Distance:
    """Closer earns more: ``distance * scale / (scale + metres)``.

    Services not tied to a place (``distance_free``, or with no distance) get the
    flat ``remote`` points.
    """

    name = "distance"

    @staticmethod
    def points(distance: float | None, distance_free: bool, w: Weights) -> float:
        if distance_free or distance is None:
            return w.remote
        return w.distance * w.distance_scale_m / (w.distance_scale_m + distance)

    @staticmethod
    def points_array(distance: FloatArray, distance_free: BoolArray, w: Weights) -> FloatArray:
        """``points`` over arrays (NaN distance = no place)."""
        points = w.distance * w.distance_scale_m / (w.distance_scale_m + distance)
        return np.where(distance_free | np.isnan(distance), w.remote, points)

    @staticmethod
    def reason(service: ServiceRecord, distance: float | None, distance_free: bool) -> str:
        """'1.2 miles away', or how a service with no fixed place is delivered."""
        if not distance_free and distance is not None:
            return f"{reasons.miles(distance)} away"
        if "home_visit" in service.delivery_modes and service.venue is None and not service.hubs:
            return "visits families at home"
        remote = service.delivery_modes & {"online", "phone"}
        if remote:
            return f"offered {reasons.modes(remote)}"
        if not service.delivery_modes and service.venue is None and not service.hubs:
            return "no place or way of delivery stated"
        return "no fixed venue"

    @classmethod
    def part(cls, service: ServiceRecord, distance: float | None, distance_free: bool,
             w: Weights) -> ScorePart:
        return new_record(ScorePart, (cls.name, cls.points(distance, distance_free, w),
                                      cls.reason(service, distance, distance_free)))


class AtSchool:
    """Delivered at the child's own school: flat points."""

    name = "at_school"

    @staticmethod
    def points(w: Weights) -> float:
        return w.at_school

    @staticmethod
    def points_array(at_school: BoolArray, w: Weights) -> FloatArray:
        """``points`` where ``at_school``, else 0."""
        return np.where(at_school, w.at_school, 0.0)

    @staticmethod
    def reason(hub: HubRecord) -> str:
        """'runs at Castle Hill Primary on Tuesdays'."""
        if hub.days:
            return f"runs at {hub.school_name} on {reasons.weekdays(hub.days)}"
        return f"runs at {hub.school_name}"

    @classmethod
    def part(cls, hub: HubRecord, w: Weights) -> ScorePart:
        return new_record(ScorePart, (cls.name, cls.points(w), cls.reason(hub)))


class Continuity:
    """The organisation already works with this child: flat points."""

    name = "continuity"
    REASON = "already working with this child"

    @staticmethod
    def applies(service: ServiceRecord, provider_ids: frozenset[int]) -> bool:
        return service.organisation_id in provider_ids

    @staticmethod
    def applies_array(organisation: npt.NDArray[np.int64],
                      provider_ids: frozenset[int]) -> BoolArray:
        """``applies`` over an array of organisation ids."""
        continuing = np.zeros(len(organisation), dtype=np.bool_)
        # Few providers: comparisons beat np.isin, which sorts.
        for provider in provider_ids:
            continuing |= organisation == provider
        return continuing

    @staticmethod
    def points(w: Weights) -> float:
        return w.continuity

    @staticmethod
    def points_array(continuing: BoolArray, w: Weights) -> FloatArray:
        """``points`` where ``continuing``, else 0."""
        return np.where(continuing, w.continuity, 0.0)

    @classmethod
    def part(cls, w: Weights) -> ScorePart:
        return new_record(ScorePart, (cls.name, cls.points(w), cls.REASON))


class Unstated:
    """Facts the query asks about that the provider has not stated (ages, ways of
    delivery, languages) cost points each: the hard rules never exclude on an
    unknown, so this ranks the service below an otherwise-equal one that states
    the fact and passes."""

    name = "unstated"
    AGES = 1
    MODES = 2
    LANGUAGES = 4
    # How many facts each mask (0 to 7) holds, as floats for both forms.
    COUNTS = (0.0, 1.0, 1.0, 2.0, 1.0, 2.0, 2.0, 3.0)

    @classmethod
    def bits(cls, service: ServiceRecord) -> int:
        """The facts the service does not state, as a mask."""
        return ((cls.AGES if service.min_age is None or service.max_age is None else 0)
                | (0 if service.delivery_modes else cls.MODES)
                | (0 if service.languages else cls.LANGUAGES))

    @classmethod
    def asked(cls, query: FamilyQuery) -> int:
        """The facts ``query`` asks about, as a mask."""
        return ((cls.AGES if query.ages is not None else 0)
                | (cls.MODES if query.delivery_modes else 0)
                | (cls.LANGUAGES if query.language else 0))

    @classmethod
    def points(cls, bits: int, asked: int, w: Weights) -> float:
        # ``0.0 -`` rather than a minus sign: nothing unstated scores 0.0, not -0.0.
        return 0.0 - w.unstated * cls.COUNTS[bits & asked]

    @classmethod
    def points_array(cls, bits: IntArray, asked: int, w: Weights) -> FloatArray:
        """``points`` over an array of ``bits`` masks."""
        return 0.0 - w.unstated * _array(cls.COUNTS)[bits & asked]

    @staticmethod
    @lru_cache(maxsize=64)
    def points_table(asked: int, w: Weights) -> FloatArray:
        """``points`` of every mask (0 to 7) for the facts ``asked``, read-only: a
        row's points are then one lookup of its mask (the index scores a few hundred
        rows, so numpy's cost per call, not per element, is what counts)."""
        table = np.array([Unstated.points(bits, asked, w) for bits in range(8)],
                         dtype=np.float64)
        table.flags.writeable = False
        return table

    @staticmethod
    @lru_cache(maxsize=64)
    def reason(missing: int) -> str:
        """'ages not stated by the provider' and the like, for a non-zero mask."""
        return reasons.not_stated(
            fact for i, fact in enumerate(reasons.UNSTATED_FACTS) if missing & 1 << i)

    @classmethod
    def part(cls, service: ServiceRecord, asked: int, w: Weights) -> ScorePart | None:
        """The part, or None when the service states every fact ``asked`` about."""
        missing = cls.bits(service) & asked
        if not missing:
            return None
        return new_record(ScorePart, (cls.name, cls.points(missing, asked, w),
                                      cls.reason(missing)))


def score_parts(
    service: ServiceRecord,
    *,
    w: Weights,
    capacity: ScorePart,
    wait: ScorePart,
    fresh: ScorePart,
    distance: float | None,
    has_point: bool,
    distance_free: bool,
    hub: HubRecord | None,
    continuing: bool,
    unstated: ScorePart | None = None,
) -> tuple[float, tuple[ScorePart, ...], tuple[str, ...]]:
    """(score, parts, reasons) of one eligible service.

    ``capacity``, ``wait`` and ``fresh`` are its parts from ``Capacity.part``,
    ``Wait.part`` and ``Freshness.part`` (the caller may have them cached);
    ``unstated`` is its ``Unstated.part``, if any. ``parts`` are in display order;
    ``reasons`` join capacity and freshness into one phrase ("3 places free,
    updated 2 days ago"). Never raises.
    """
    together = f"{capacity.reason}, {fresh.reason}"
    if has_point and hub is None and not continuing and unstated is None:
        # The common case, without the list building below.
        placed = Distance.part(service, distance, distance_free, w)
        score = total(capacity.points, wait.points, fresh.points, placed.points, 0.0, 0.0)
        return score, (placed, capacity, wait, fresh), (placed.reason, together, wait.reason)
    parts: list[ScorePart] = []
    phrases: list[str] = []
    school_pts = 0.0
    if hub is not None:
        parts.append(AtSchool.part(hub, w))
        school_pts = parts[-1].points
        phrases.append(parts[-1].reason)
    distance_pts = 0.0
    if has_point:
        parts.append(Distance.part(service, distance, distance_free, w))
        distance_pts = parts[-1].points
        phrases.append(parts[-1].reason)
    parts += (capacity, wait, fresh)
    phrases += (together, wait.reason)
    continuity_pts = 0.0
    if continuing:
        parts.append(Continuity.part(w))
        continuity_pts = parts[-1].points
        phrases.append(parts[-1].reason)
    unstated_pts = 0.0
    if unstated is not None:
        parts.append(unstated)
        unstated_pts = unstated.points
        phrases.append(unstated.reason)
    score = total(capacity.points, wait.points, fresh.points, distance_pts, school_pts,
                  continuity_pts, unstated_pts)
    return score, tuple(parts), tuple(phrases)


# --- Parts that depend on the need asked ---------------------------------------------
# Each need of a query scores every eligible service again with these, added to the
# need-independent score above in one fixed order (``need_total``).

SPECIFICITY_FIT = (0.0, 0.5, 1.0)  # by taxonomy.BROADER, NARROWER, EXACT


@lru_cache(maxsize=1024)
def _array(table: tuple[float, ...]) -> FloatArray:
    """A fit table as a read-only numpy array, made once per table (tables are
    tuples of the same floats the scalar parts index, so both give the same bits)."""
    array = np.array(table, dtype=np.float64)
    array.flags.writeable = False
    return array


def need_total(base: Num, fit: Num, urgency: Num | float) -> Num:
    """The score for one need: the need-independent score, plus how well the service
    fits the need (``fit_total`` of the specificity, kind, audience and severity
    parts), plus the urgency part, in that order, for one service or for arrays (so
    the index looks a need's fit up in one table)."""
    return base + fit + urgency


IntNum = TypeVar("IntNum", int, npt.NDArray[np.int64])


def rank_tier(accepting: IntNum, specificity: IntNum, severity: IntNum,
              audience: IntNum) -> IntNum:
    """Ranking is by tier first, then score: accepting referrals (1 or 0) above all,
    then how specifically the service declares the need (``taxonomy`` level), then
    how its level fits how serious the need is (``Severity.rank``), then whether it
    is for whom the help is for (``HelpFor.rank``)."""
    return accepting * 1000 + specificity * 100 + severity * 10 + audience


def fit_total(specificity: Num, kind: Num, audience: Num, severity: Num) -> Num:
    """How well the service fits the need, ignoring where and when: the team only
    gives a service the needs it fits as well as the best eligible service does."""
    return specificity + kind + audience + severity


class Specificity:
    """Declaring the need asked for itself earns the most; declaring a narrower need
    of a broad request half; meeting it only through a broader need nothing."""

    name = "specificity"

    @staticmethod
    def points(level: int, w: Weights) -> float:
        return w.specificity * SPECIFICITY_FIT[level]

    @staticmethod
    def points_array(levels: npt.NDArray[np.int8], w: Weights) -> FloatArray:
        """``points`` over an array of ``taxonomy`` levels."""
        return w.specificity * _array(SPECIFICITY_FIT)[levels]

    @staticmethod
    @lru_cache(maxsize=4096)
    def reason(level: int, asked: str, via: str, names: Taxonomy) -> str:
        """'specialist: eating difficulties' or 'general: mental health and wellbeing'."""
        if level == EXACT:
            if names.is_parent(asked):
                return f"for {names.name(asked)}"
            return f"specialist: {names.name(asked)}"
        if level == NARROWER:
            return f"specialist: {names.name(via)}"
        return f"general: {names.name(via)}"

    @classmethod
    def part(cls, service: ServiceRecord, code: str, names: Taxonomy, w: Weights) -> ScorePart:
        level, via = names.specificity(code, service.need_codes)
        return cls.part_of(level, code, via, names, w)

    @classmethod
    def part_of(cls, level: int, code: str, via: str, names: Taxonomy, w: Weights) -> ScorePart:
        return new_record(ScorePart, (cls.name, cls.points(level, w),
                                      cls.reason(level, code, via, names)))


class KindOfHelp:
    """The kind of help fits: assessment, treatment and casework first unless other
    kinds are asked for (``help.kind_table``)."""

    name = "kind"

    @staticmethod
    def points(bits: int, asked: int, w: Weights) -> float:
        return w.kind * help.kind_table(asked)[bits]

    @staticmethod
    def points_array(bits: IntArray, asked: int, w: Weights) -> FloatArray:
        """``points`` over an array of kinds masks."""
        return w.kind * _array(help.kind_table(asked))[bits]

    @staticmethod
    @lru_cache(maxsize=4096)
    def reason(bits: int, asked: int) -> str:
        """'gives advice and information, below assessment and treatment' and the like."""
        if not bits:
            return "kind of help not stated"
        what = f"gives {help.kind_phrase(bits)}"
        fit = help.kind_table(asked)[bits]
        if asked:
            return f"{what}, as asked" if fit else f"{what}, not the kind asked for"
        return f"{what}, below assessment and treatment" if fit < 1.0 else what

    @classmethod
    def part(cls, service: ServiceRecord, asked: int, w: Weights) -> ScorePart:
        bits = help.kind_bits_of(service.help_kinds)
        return new_record(ScorePart, (cls.name, cls.points(bits, asked, w),
                                      cls.reason(bits, asked)))


class HelpFor:
    """The service is for whom the help is for: a child's need goes first to
    services for children (``help.AUDIENCE_TABLES``)."""

    name = "audience"

    @staticmethod
    def points(bits: int, want: str, w: Weights) -> float:
        return w.audience * help.AUDIENCE_TABLES[want][bits]

    @staticmethod
    def points_array(bits: IntArray, want: str, w: Weights) -> FloatArray:
        """``points`` over an array of audience masks."""
        return w.audience * _array(help.AUDIENCE_TABLES[want])[bits]

    @staticmethod
    def rank(bits: int, want: str) -> int:
        """The audience's tier (``rank_tier``): four times the fit (0 to 4)."""
        return int(4.0 * help.AUDIENCE_TABLES[want][bits])

    @staticmethod
    def rank_array(bits: IntArray, want: str) -> IntArray:
        """``rank`` over an array of audience masks."""
        return (4.0 * _array(help.AUDIENCE_TABLES[want])[bits]).astype(np.int64)

    @staticmethod
    @lru_cache(maxsize=4096)
    def reason(bits: int, want: str) -> str:
        """'for parents and carers; help asked for the child' and the like."""
        if not bits:
            return "who it is for not stated"
        phrase = f"for {help.audience_phrase(bits)}"
        if help.AUDIENCE_TABLES[want][bits] == 1.0:
            return phrase
        return f"{phrase}; help asked for {help.AUDIENCE_WORDS[want]}"

    @classmethod
    def part(cls, service: ServiceRecord, want: str, w: Weights) -> ScorePart:
        bits = help.audience_bits_of(service.audiences)
        return new_record(ScorePart, (cls.name, cls.points(bits, want, w),
                                      cls.reason(bits, want)))


class Severity:
    """The service's level fits how serious the need is: specialist services first
    when serious, universal and early help first for an early worry
    (``help.SEVERITY_FIT``)."""

    name = "severity"

    @staticmethod
    def points(level_slot: int, severity_slot: int, w: Weights) -> float:
        return w.severity * help.SEVERITY_FIT[severity_slot][level_slot]

    @staticmethod
    def points_array(level_slots: IntArray, severity_slot: int, w: Weights) -> FloatArray:
        """``points`` over an array of level slots."""
        return w.severity * _array(help.SEVERITY_FIT[severity_slot])[level_slots]

    @staticmethod
    def rank(level_slot: int, severity_slot: int) -> int:
        """The severity's tier (``rank_tier``): 0, 1 or 2 as the fit is 0, 0.5 or 1;
        always 0 when how serious is not given."""
        if not severity_slot:
            return 0
        return int(2.0 * help.SEVERITY_FIT[severity_slot][level_slot])

    @staticmethod
    def rank_array(level_slots: IntArray, severity_slot: int) -> IntArray:
        """``rank`` over an array of level slots."""
        if not severity_slot:
            return np.zeros(len(level_slots), dtype=np.int64)
        return (2.0 * _array(help.SEVERITY_FIT[severity_slot])[level_slots]).astype(np.int64)

    @staticmethod
    @lru_cache(maxsize=4096)
    def reason(level: str, severity: str) -> str:
        """'specialist service; serious or at risk' and the like."""
        if severity not in help.SEVERITIES:
            return (f"{help.LEVEL_WORDS.get(level, 'level of need not stated')}; how serious "
                    "not given, so early help first")
        asked = help.SEVERITIES[severity].lower()
        if level not in help.LEVELS:
            return f"level of need not stated; {asked}"
        return f"{help.LEVEL_WORDS[level]}; {asked}"

    @classmethod
    def part(cls, service: ServiceRecord, severity: str, w: Weights) -> ScorePart:
        points = cls.points(help.LEVEL_SLOT.get(service.level, 0),
                            help.SEVERITY_SLOT.get(severity, 0), w)
        return new_record(ScorePart, (cls.name, points, cls.reason(service.level, severity)))


class Urgency:
    """When a need needs help now, free places and short waits weigh more: the
    capacity and wait points again, ``urgent_factor - 1`` times."""

    name = "urgency"

    @staticmethod
    def points(capacity: float, wait: float, w: Weights) -> float:
        return (w.urgent_factor - 1.0) * (capacity + wait)

    @staticmethod
    def points_array(capacity: FloatArray, wait: FloatArray, w: Weights) -> FloatArray:
        """``points`` over arrays of capacity and wait points."""
        return (w.urgent_factor - 1.0) * (capacity + wait)

    @staticmethod
    def reason(w: Weights) -> str:
        return Urgency.phrase(w.urgent_factor)

    @staticmethod
    @lru_cache(maxsize=64)
    def phrase(factor: float) -> str:
        """'needs help now: places and waits count 2 times' (made once per factor)."""
        return f"needs help now: places and waits count {factor:g} times"

    @classmethod
    def part(cls, capacity: ScorePart, wait: ScorePart, w: Weights) -> ScorePart:
        return new_record(ScorePart, (cls.name, cls.points(capacity.points, wait.points, w),
                                      cls.reason(w)))


FitParts = tuple[tuple[ScorePart, ...], float, int]


def fit_parts(service: ServiceRecord, need: NeedRequest, names: Taxonomy,
              w: Weights) -> FitParts:
    """(parts, fit, tier) of a service for one need that do not depend on where the
    family is or on capacity figures (but for accepting, in the tier): the
    specificity, kind of help, audience and severity parts, ``fit_total`` and
    ``rank_tier``. The index caches them per service and need."""
    level, via = names.specificity(need.code, service.need_codes)
    specific = Specificity.part_of(level, need.code, via, names, w)
    kind = KindOfHelp.part(service, help.kind_bits_of(need.kinds), w)
    audience = HelpFor.part(service, need.audience, w)
    severity = Severity.part(service, need.severity, w)
    severity_slot = help.SEVERITY_SLOT.get(need.severity, 0)
    tier = rank_tier(int(service.accepting), level,
                     Severity.rank(help.LEVEL_SLOT.get(service.level, 0), severity_slot),
                     HelpFor.rank(help.audience_bits_of(service.audiences), need.audience))
    fit = fit_total(specific.points, kind.points, audience.points, severity.points)
    return (specific, kind, audience, severity), fit, tier


def need_parts(
    service: ServiceRecord, need: NeedRequest, base_score: float,
    base_parts: tuple[ScorePart, ...], base_reasons: tuple[str, ...],
    names: Taxonomy, w: Weights, fitted: FitParts | None = None,
) -> tuple[float, float, int, tuple[ScorePart, ...], tuple[str, ...]]:
    """(score, fit, tier, parts, reasons) of an eligible service for one need, from its
    need-independent score, parts and reasons (``score_parts``) and its
    ``fit_parts`` (worked out when not given). The need's parts come first, as they
    weigh most. Never raises for a known need."""
    fits, fit, tier = fitted or fit_parts(service, need, names, w)
    specific, kind, audience, severity = fits
    urgency = 0.0
    reasons = (specific.reason, kind.reason, audience.reason, *base_reasons)
    if need.severity:
        reasons += (severity.reason,)
    if need.urgent:
        capacity = wait = 0.0
        for p in base_parts:
            if p.name == Capacity.name:
                capacity = p.points
            elif p.name == Wait.name:
                wait = p.points
        urgent = new_record(ScorePart, (Urgency.name, Urgency.points(capacity, wait, w),
                                        Urgency.reason(w)))
        urgency = urgent.points
        fits = (*fits, urgent)
        reasons += (urgent.reason,)
    score = need_total(base_score, fit, urgency)
    return score, fit, tier, (*fits, *base_parts), reasons
