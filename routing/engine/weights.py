"""Tunable weights of the ranking score."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

# Settings that divide: zero or negative would break the score formulas.
_POSITIVE = ("distance_scale_m", "full_capacity_places", "waitlist_cap", "wait_scale_days",
             "stale_after_days")


@dataclass(frozen=True, slots=True)
class Weights:
    """Points and scales of each score part.

    Defaults:
      at_school = 30: delivered at the child's own school.
      distance = 25, distance_scale_m = 3218.688 (2 miles): points are
        ``distance * scale / (scale + metres)``, so half of them at 2 miles.
      remote = 10: distance points for services not tied to a place (online, phone,
        home visits).
      capacity = 20, full_capacity_places = 5: free places earn points up to 5 places.
      waitlist_penalty = 10, waitlist_cap = 20: with no places free, the wait-list
        costs up to 10 points at 20 families.
      wait = 15, wait_scale_days = 28: ``wait * scale / (scale + days)``.
      freshness = 10, stale_after_days = 90: falls linearly to 0 at 90 days old.
      continuity = 15: the organisation already works with this child.
      specificity = 40: the service declares the need asked for itself (half for
        declaring a narrower need of a broad request; none for meeting it only
        through a broader need).
      kind = 20: the kind of help fits (``help.KIND_FIT``, or the kinds asked for).
      audience = 15: the service is for whom the help is for (``help.AUDIENCES``).
      severity = 30: the service's level fits how serious the need is
        (``help.SEVERITY_FIT``).
      urgent_factor = 2: for a need that needs help now, the capacity and wait
        points count this many times (the extra shows as the ``urgency`` part).
      unstated = 5: each fact the query asks about (age, ways of delivery, language)
        that the provider has not stated costs this many points (``Unstated``).
      priority_urgent = 1.5, priority_normal = 1.0, priority_low = 0.5: how much a
        need counts when the team's total score breaks ties.

    The formulas using them are in ``parts.py``.
    """

    at_school: float = 30.0
    distance: float = 25.0
    distance_scale_m: float = 3218.688
    remote: float = 10.0
    capacity: float = 20.0
    full_capacity_places: float = 5.0
    waitlist_penalty: float = 10.0
    waitlist_cap: float = 20.0
    wait: float = 15.0
    wait_scale_days: float = 28.0
    freshness: float = 10.0
    stale_after_days: float = 90.0
    continuity: float = 15.0
    specificity: float = 40.0
    kind: float = 20.0
    audience: float = 15.0
    severity: float = 30.0
    urgent_factor: float = 2.0
    unstated: float = 5.0
    priority_urgent: float = 1.5
    priority_normal: float = 1.0
    priority_low: float = 0.5

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> Weights:
        """Weights from a settings mapping; missing keys keep their defaults.

        Raises ValueError for an unknown key, a non-numeric value or a scale that
        is not positive.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown routing weight(s): {', '.join(unknown)}")
        parsed: dict[str, float] = {}
        for key, value in values.items():
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise ValueError(f"routing weight {key} must be a number")
            try:
                parsed[key] = float(value)
            except ValueError:
                raise ValueError(f"routing weight {key} must be a number") from None
            if key in _POSITIVE and parsed[key] <= 0:
                raise ValueError(f"routing weight {key} must be positive")
        return cls(**parsed)

    def priority_factor(self, priority: int) -> float:
        """How much a need of this priority counts in the team's total score."""
        if priority <= 1:
            return self.priority_urgent
        if priority >= 3:
            return self.priority_low
        return self.priority_normal
