"""Which rule a failing row breaks first, read from plain per-row lists.

``rules.first_failure_at`` calls every rule function in turn; the index knows
most of their inputs as columns, so it finds the failing rule with a few list
lookups and calls only that rule for its reason. The rule order and the reasons
are those of ``rules.py``. Reasons that depend on little (the age rule's on the
age range and the child's age, the area rule's on the area name, the mode
rule's on the modes offered) are kept across queries, as formatting them is
most of the cost.
"""

from __future__ import annotations

from typing import TypeVar

from routing.engine import reasons
from routing.engine.columns import ACCEPTING, REFERRALS, ServiceColumns
from routing.engine.records import ServiceRecord
from routing.engine.rules import (
    QueryContext,
    Rule,
    check_accepting,
    check_age,
    check_area,
    check_language,
    check_mode,
    check_referrals,
    first_failure_at,
    hub_at_school,
)

_K = TypeVar("_K")


class FailureFinder:
    """First failing rule of a row of one index's columns."""

    __slots__ = ("_age_reasons", "_area_reasons", "_cols", "_flags", "_free", "_max_age",
                 "_min_age", "_mode_reasons", "_modes", "_slot")

    def __init__(self, cols: ServiceColumns) -> None:
        self._cols = cols
        self._min_age: list[int] = cols.min_age.tolist()
        self._max_age: list[int] = cols.max_age.tolist()
        self._slot: list[int] = cols.area_slot.tolist()
        self._flags: list[int] = cols.flags.tolist()
        self._modes: list[int] = cols.modes.tolist()
        self._free: list[bool] = cols.distance_free.tolist()
        # Reasons by what alone decides them (thread-safe: a race only formats an
        # equal reason twice).
        self._age_reasons: dict[tuple[int, int, int], str] = {}
        self._area_reasons: dict[str, str] = {}
        self._mode_reasons: dict[frozenset[str], str] = {}

    def first(self, row: int, ctx: QueryContext, distance: float | None) -> tuple[str, str]:
        """(rule, reason) of the first rule ``row`` breaks.

        ``distance`` is the row's distance from the family (None when unknown).
        Raises ValueError if the row in fact passes every rule.
        """
        query = ctx.query
        service = self._cols.services[row]
        found: tuple[str, str | None] | None = None
        age = query.age
        slot = self._slot[row]
        if ctx.point is not None and ctx.inside_slots is None:
            found = None  # areas not worked out up front: leave it to the rules
        elif age is not None and not self._min_age[row] <= age <= self._max_age[row]:
            found = ("age", _reason(self._age_reasons, (service.min_age, service.max_age, age),
                                    check_age, service, ctx))
        elif ctx.point is not None and slot and slot not in (ctx.inside_slots or ()):
            found = ("area", _reason(self._area_reasons, service.area_name, check_area,
                                     service, ctx))
        elif (query.max_distance_m is not None and ctx.point is not None
              and distance is not None and distance > query.max_distance_m
              and not self._free[row] and hub_at_school(service, query.school_id) is None):
            limit = reasons.mile_limit(query.max_distance_m)
            found = ("distance", f"{reasons.miles(distance)} away, beyond the {limit} limit")
        elif query.delivery_modes and not self._modes[row] & self._wanted_modes(ctx):
            found = ("mode", _reason(self._mode_reasons, service.delivery_modes, check_mode,
                                     service, ctx))
        else:
            found = self._last_rules(row, ctx)
        if found is not None and found[1] is not None:
            return found[0], found[1]
        # Only when the lists cannot tell, or disagree with the rules: the rules decide.
        failure = first_failure_at(service, ctx, distance,
                                   hub_at_school(service, query.school_id) is not None,
                                   self._free[row])
        if failure is None:
            raise ValueError(f"service {service.id} is eligible, not excluded")
        return failure

    def _last_rules(self, row: int, ctx: QueryContext) -> tuple[str, str | None] | None:
        """The language, referrals or accepting rule, whichever fails first (or None)."""
        service = self._cols.services[row]
        if ctx.language is not None:
            reason = check_language(service, ctx)
            if reason is not None:
                return "language", reason
        flags = self._flags[row]
        if ctx.query.require_system_referrals and not flags & REFERRALS:
            return "referrals", check_referrals(service, ctx)
        if ctx.query.require_accepting and not flags & ACCEPTING:
            return "accepting", check_accepting(service, ctx)
        return None

    def _wanted_modes(self, ctx: QueryContext) -> int:
        bits = 0
        for mode in ctx.query.delivery_modes:
            bits |= self._cols.mode_bit.get(mode, 0)
        return bits


# Enough for every age range and age; past it, odd keys are not kept.
_MAX_KEPT = 20_000


def _reason(
    kept: dict[_K, str], key: _K, rule: Rule, service: ServiceRecord, ctx: QueryContext
) -> str | None:
    """``rule(service, ctx)``, kept under ``key``, which alone decides a failing
    service's reason."""
    reason = kept.get(key)
    if reason is None:
        reason = rule(service, ctx)
        if reason is not None and len(kept) < _MAX_KEPT:
            kept[key] = reason
    return reason
