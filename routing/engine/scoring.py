"""The ranking score: named parts, each with points and a plain reason.

The score is summed in one fixed order (capacity, wait, freshness, distance,
at_school, continuity) using only ``+ - * /`` so that the numpy versions below give
bit-identical totals to the scalar ones, and the index ranks exactly as the
reference scan does.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from routing.engine import reasons
from routing.engine.records import HubRecord, ServiceRecord
from routing.engine.results import ScorePart
from routing.engine.weights import Weights

EPOCH = datetime(1970, 1, 1)
SECONDS_PER_DAY = 86400.0
FloatArray = npt.NDArray[np.float64]


def epoch_seconds(moment: datetime) -> float:
    """Seconds since 1970 of a naive UTC datetime (the one conversion both paths use)."""
    return (moment - EPOCH) / timedelta(seconds=1)


def age_days(updated_at: datetime | None, now: datetime) -> float | None:
    """Days since capacity was last updated, or None if never."""
    if updated_at is None:
        return None
    return (epoch_seconds(now) - epoch_seconds(updated_at)) / SECONDS_PER_DAY


def capacity_points(service: ServiceRecord, w: Weights) -> float:
    """Free places earn points (capped); with none free, the wait-list costs points."""
    if service.free_places > 0:
        return w.capacity * min(float(service.free_places), w.full_capacity_places) / (
            w.full_capacity_places
        )
    waiting = max(float(service.waitlist_length), 0.0)
    return 0.0 - w.waitlist_penalty * min(waiting, w.waitlist_cap) / w.waitlist_cap


def capacity_array(free: FloatArray, waiting: FloatArray, w: Weights) -> FloatArray:
    """``capacity_points`` over arrays of free places and wait-list lengths."""
    with_places = w.capacity * np.minimum(free, w.full_capacity_places) / w.full_capacity_places
    listed = 0.0 - w.waitlist_penalty * np.minimum(np.maximum(waiting, 0.0), w.waitlist_cap) / (
        w.waitlist_cap)
    return np.where(free > 0, with_places, listed)


def capacity_reason(service: ServiceRecord) -> str:
    """'3 places free' or 'no places free: 4 on the wait-list'."""
    if service.free_places > 0:
        return f"{reasons.plural(service.free_places, 'place')} free"
    if service.waitlist_length > 0:
        return f"no places free: {service.waitlist_length} on the wait-list"
    return "no places free"


def wait_days(service: ServiceRecord) -> tuple[float | None, bool]:
    """(days, measured): our measured median is preferred to the provider's figure."""
    if service.measured_wait_days is not None:
        return float(service.measured_wait_days), True
    if service.typical_wait_days is not None:
        return float(service.typical_wait_days), False
    return None, False


def wait_points(service: ServiceRecord, w: Weights) -> float:
    """Shorter waits earn more: ``wait * scale / (scale + days)``; unknown earns 0."""
    days, _ = wait_days(service)
    if days is None:
        return 0.0
    return w.wait * w.wait_scale_days / (w.wait_scale_days + max(days, 0.0))


def wait_array(days: FloatArray, w: Weights) -> FloatArray:
    """``wait_points`` over an array of waiting days (NaN = not known)."""
    points = w.wait * w.wait_scale_days / (w.wait_scale_days + np.maximum(days, 0.0))
    return np.where(np.isnan(days), 0.0, points)


def wait_reason(service: ServiceRecord) -> str:
    """'typical wait 3 weeks (from our referrals)' or '... (provider's estimate)'."""
    days, measured = wait_days(service)
    if days is None:
        return "waiting time not known"
    source = "from our referrals" if measured else "provider's estimate"
    return f"typical wait {reasons.duration(days)} ({source})"


def freshness_points(age: float | None, w: Weights) -> float:
    """Fresh capacity figures earn points, falling to 0 when stale; unknown earns 0."""
    if age is None:
        return 0.0
    return w.freshness * max(0.0, 1.0 - max(age, 0.0) / w.stale_after_days)


def freshness_array(updated_s: FloatArray, now_s: float, w: Weights) -> FloatArray:
    """``freshness_points`` over epoch seconds (NaN = never updated)."""
    age = (now_s - updated_s) / SECONDS_PER_DAY
    points = w.freshness * np.maximum(0.0, 1.0 - np.maximum(age, 0.0) / w.stale_after_days)
    return np.where(np.isnan(updated_s), 0.0, points)


def freshness_reason(age: float | None) -> str:
    """'updated 2 days ago' or 'capacity never updated'."""
    return "capacity never updated" if age is None else f"updated {reasons.ago(age)}"


def distance_points(distance: float | None, distance_free: bool, w: Weights) -> float:
    """Closer earns more: ``distance * scale / (scale + metres)``.

    Services not tied to a place get the flat ``remote`` points.
    """
    if distance_free or distance is None:
        return w.remote
    return w.distance * w.distance_scale_m / (w.distance_scale_m + distance)


def distance_array(distance: FloatArray, distance_free: npt.NDArray[np.bool_],
                   w: Weights) -> FloatArray:
    """``distance_points`` over arrays (NaN distance = no place)."""
    points = w.distance * w.distance_scale_m / (w.distance_scale_m + distance)
    return np.where(distance_free | np.isnan(distance), w.remote, points)


def distance_reason(service: ServiceRecord, distance: float | None, distance_free: bool) -> str:
    """'1.2 miles away', or how a service with no fixed place is delivered."""
    if not distance_free and distance is not None:
        return f"{reasons.miles(distance)} away"
    if "home_visit" in service.delivery_modes and service.venue is None and not service.hubs:
        return "visits families at home"
    remote = service.delivery_modes & {"online", "phone"}
    if remote:
        return f"offered {reasons.modes(remote)}"
    return "no fixed venue"


def school_reason(hub: HubRecord) -> str:
    """'runs at Castle Hill Primary on Tuesdays'."""
    if hub.days:
        return f"runs at {hub.school_name} on {reasons.weekdays(hub.days)}"
    return f"runs at {hub.school_name}"


def static_points(service: ServiceRecord, w: Weights) -> float:
    """The query-independent head of the sum: capacity + wait."""
    return capacity_points(service, w) + wait_points(service, w)


def total(static: float, freshness: float, distance: float, school: float,
          continuity: float) -> float:
    """The score, summed in the one fixed order the index also uses."""
    return static + freshness + distance + school + continuity


def static_parts(service: ServiceRecord, w: Weights) -> tuple[ScorePart, ScorePart]:
    """The capacity and wait parts, which do not depend on the query."""
    return (
        ScorePart("capacity", capacity_points(service, w), capacity_reason(service)),
        ScorePart("wait", wait_points(service, w), wait_reason(service)),
    )


def score_parts(
    service: ServiceRecord,
    *,
    w: Weights,
    age: float | None,
    static: tuple[ScorePart, ScorePart],
    distance: float | None,
    has_point: bool,
    distance_free: bool,
    hub: HubRecord | None,
    continuing: bool,
) -> tuple[float, tuple[ScorePart, ...], tuple[str, ...]]:
    """(score, parts, reasons) of one eligible service.

    ``age`` is days since the capacity update (``age_days``) and ``static`` comes
    from ``static_parts``; the caller may have them cached. ``parts`` are in display
    order; ``reasons`` join capacity and freshness into one phrase ("3 places free,
    updated 2 days ago"). Never raises.
    """
    capacity, wait = static
    if age is None:
        fresh = ScorePart("freshness", 0.0, "capacity never updated")
    else:
        fresh = ScorePart("freshness", freshness_points(age, w), f"updated {reasons.ago(age)}")
    together = f"{capacity.reason}, {fresh.reason}"
    if has_point:
        if distance_free or distance is None:
            distance_pts = w.remote
            why = distance_reason(service, distance, distance_free)
        else:
            distance_pts = w.distance * w.distance_scale_m / (w.distance_scale_m + distance)
            why = f"{reasons.miles(distance)} away"
        placed = ScorePart("distance", distance_pts, why)
        if hub is None and not continuing:
            # The common case, spelled out: no school or continuity part.
            score = total(capacity.points + wait.points, fresh.points, distance_pts, 0.0, 0.0)
            return score, (placed, capacity, wait, fresh), (why, together, wait.reason)
    parts: list[ScorePart] = []
    phrases: list[str] = []
    school_pts = 0.0
    if hub is not None:
        school_pts = w.at_school
        parts.append(ScorePart("at_school", school_pts, school_reason(hub)))
        phrases.append(parts[-1].reason)
    distance_pts = 0.0
    if has_point:
        distance_pts = placed.points
        parts.append(placed)
        phrases.append(placed.reason)
    parts += (capacity, wait, fresh)
    phrases += (together, wait.reason)
    continuity_pts = 0.0
    if continuing:
        continuity_pts = w.continuity
        parts.append(ScorePart("continuity", continuity_pts, "already working with this child"))
        phrases.append(parts[-1].reason)
    score = total(capacity.points + wait.points, fresh.points, distance_pts, school_pts,
                  continuity_pts)
    return score, tuple(parts), tuple(phrases)
