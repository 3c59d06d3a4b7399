"""Plain-language phrases used in score and exclusion reasons."""

from __future__ import annotations

from collections.abc import Iterable

METRES_PER_MILE = 1609.344

MODE_LABELS = {
    "school_hub": "at a school hub",
    "venue": "at a venue",
    "home_visit": "as home visits",
    "online": "online",
    "phone": "by phone",
}
_MODE_ORDER = tuple(MODE_LABELS)


def miles(metres: float | None) -> str:
    """A distance for people to read: '1.2 miles'; '' for None (no distance known).

    The one definition for the engine's reasons and the web pages. Rounds to one
    decimal, half to even on the exact binary value (Python's ``format``), so
    1931.2 m (1.19997 miles) reads '1.2 miles'. Anything under 0.05 miles (about
    80 m), which would round to '0.0', reads 'under 0.1 miles' ("0.0 miles away"
    reads as if the service were at the family's door), as do negative values.
    """
    if metres is None:
        return ""
    value = metres / METRES_PER_MILE
    if value >= 0.05:
        return f"{value:.1f} miles"
    return "under 0.1 miles"


def mile_limit(metres: float) -> str:
    """'5.0-mile', as in 'the 5.0-mile limit'."""
    return f"{metres / METRES_PER_MILE:.1f}-mile"


def join_words(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def weekdays(days: Iterable[str]) -> str:
    """('Tuesday', 'Thursday') -> 'Tuesdays and Thursdays'."""
    return join_words([f"{day}s" for day in days])


def modes(codes: Iterable[str]) -> str:
    """{'online', 'phone'} -> 'online and by phone', in a fixed order."""
    codes = set(codes)
    known = [MODE_LABELS[c] for c in _MODE_ORDER if c in codes]
    return join_words(known + sorted(codes - set(MODE_LABELS)))


def ago(days: float) -> str:
    """How long ago, from a number of days: 'today', '2 days ago', '3 weeks ago'."""
    whole = int(days)
    if whole <= 0:
        return "today"
    if whole == 1:
        return "yesterday"
    if whole < 14:
        return f"{whole} days ago"
    if whole < 60:
        return f"{round(whole / 7)} weeks ago"
    months = round(whole / 30.44)
    return f"{months} months ago" if months < 24 else f"{round(whole / 365.25)} years ago"


def duration(days: float) -> str:
    """A waiting time: '4 days', '3 weeks', '2 months'."""
    whole = round(days)
    if whole <= 1:
        return "1 day" if whole == 1 else "under a day"
    if whole < 14:
        return f"{whole} days"
    if whole < 60:
        return f"{round(whole / 7)} weeks"
    return f"{round(whole / 30.44)} months"


def plural(count: int, word: str) -> str:
    """'1 place', '3 places'."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def age_range(min_age: int | None, max_age: int | None) -> str:
    """'ages 5 to 11', 'ages 11 and over', 'ages up to 5' or 'ages not stated' (None:
    the provider has not stated that bound)."""
    if min_age is None and max_age is None:
        return "ages not stated"
    if max_age is None:
        return f"ages {min_age} and over"
    if min_age is None:
        return f"ages up to {max_age}"
    return f"ages {min_age} to {max_age}"


# Facts a provider may leave unstated (``parts.Unstated``), as the reason names them.
UNSTATED_FACTS = ("ages", "how it is delivered", "languages")


def not_stated(facts: Iterable[str]) -> str:
    """('ages', 'languages') -> 'ages and languages not stated by the provider'."""
    return f"{join_words(list(facts))} not stated by the provider"
