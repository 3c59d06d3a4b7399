"""How pages show the facts a provider may leave not stated: ages, cost, ways of
delivery and languages. Each unknown reads "Not stated", never a guess."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

NOT_STATED = "Not stated"


def ages_text(min_age: int | None, max_age: int | None) -> str:
    """'5 to 11 years', '11 years and over', 'Up to 5 years' or 'Not stated'."""
    if min_age is None and max_age is None:
        return NOT_STATED
    if max_age is None:
        return f"{min_age} years and over"
    if min_age is None:
        return f"Up to {max_age} years"
    return f"{min_age} to {max_age} years"


def cost_text(cost: str | None) -> str:
    """The fees as the provider gave them, or 'Not stated'."""
    return (cost or "").strip() or NOT_STATED


def modes_text(modes: Iterable[str]) -> str:
    """'At a venue, Online' in the labels and order of the provider form, or 'Not
    stated'."""
    from hub.templating import mode_label
    from services.listings import DeliveryMode

    order = list(DeliveryMode._value2member_map_)
    ordered = sorted(modes, key=lambda m: (order.index(m) if m in order else len(order), m))
    return ", ".join(mode_label(mode) for mode in ordered) or NOT_STATED


def languages_text(languages: Iterable[str]) -> str:
    """'English, Urdu' (a set sorted, a list as given), or 'Not stated'."""
    shown = languages if isinstance(languages, list | tuple) else sorted(languages)
    return ", ".join(shown) or NOT_STATED


def stated_facts(service: Any) -> list[tuple[str, str]]:
    """(label, text) of the four facts of a service, for result cards and lists: a
    ``Service``, or the engine's ``ServiceRecord`` (its fees from the listing)."""
    if hasattr(service, "cost"):
        cost = service.cost
    else:
        from hub.caches import directory_snapshot

        listing = directory_snapshot().read.listings.get(service.id)
        cost = listing.cost if listing is not None else None
    return [
        ("Ages", ages_text(service.min_age, service.max_age)),
        ("Cost", cost_text(cost)),
        ("Delivered", modes_text(service.delivery_modes or ())),
        ("Languages", languages_text(service.languages or ())),
    ]
