"""The routing index cache and the optional online geocoder, per app."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from flask import Flask, current_app
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.request_cache import per_request
from hub.settings import settings_of
from routing.engine import Weights
from routing.gazetteer.lookup import OnlineGeocoder
from routing.snapshot import IndexCache
from services.schools import School
from services.taxonomy import Need
from services.taxonomy_ops import NeedNode, choices_from_outline, needs_outline
from services.version import current_version

_lookups_lock = threading.Lock()


@dataclass(frozen=True)
class DirectoryLookups:
    """Small read-only lists every search page needs, for one directory version.

    Needs and schools only change through operations that bump the directory
    version, so a copy per worker keyed by that version is as fresh as a read.
    """

    version: int
    needs: tuple[NeedNode, ...]
    need_choices: tuple[tuple[str, str], ...]
    need_names: dict[str, str]
    school_choices: tuple[tuple[str, str], ...]
    # Rendered page fragments that depend only on this version and the key's
    # arguments (see hub.fragments); dropped with the rest when the version moves.
    fragments: dict[tuple[object, ...], Markup] = field(default_factory=dict, compare=False)


def _read_lookups(session: Session, version: int) -> DirectoryLookups:
    outline = needs_outline(session)
    names = {code: name for code, name in session.execute(select(Need.code, Need.name))}
    schools = session.execute(select(School.id, School.name).order_by(School.name)).all()
    return DirectoryLookups(
        version=version,
        needs=outline,
        need_choices=tuple(choices_from_outline(outline)),
        need_names=names,
        school_choices=(("", "Choose a school"), *((str(i), name) for i, name in schools)),
    )


def directory_lookups(session: Session, app: Flask | None = None) -> DirectoryLookups:
    """This worker's lookups for the directory's current version (read once a request)."""
    return per_request("directory_lookups", lambda: _lookups_now(session, app))


def _lookups_now(session: Session, app: Flask | None) -> DirectoryLookups:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    version = current_version(session)
    lookups = app.extensions.get("family_hub_lookups")
    if lookups is None or lookups.version != version:
        with _lookups_lock:
            lookups = app.extensions.get("family_hub_lookups")
            if lookups is None or lookups.version != version:
                lookups = _read_lookups(session, version)
                app.extensions["family_hub_lookups"] = lookups
    return lookups


def index_cache(app: Flask | None = None) -> IndexCache:
    """This app's index cache, created on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    cache = app.extensions.get("family_hub_index")
    if cache is None:
        weights = Weights.from_mapping(settings_of(app).routing_weights)
        from routing.referrals.history import measured_waits

        cache = IndexCache(weights, measured_waits)
        app.extensions["family_hub_index"] = cache
    return cache


def online_geocoder(app: Flask | None = None) -> OnlineGeocoder | None:
    """Nominatim through geopy, rate-limited to one request a second; None when off."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    if not settings_of(app).online_geocoder:
        return None
    geocoder: OnlineGeocoder | None = app.extensions.get("family_hub_geocoder")
    if geocoder is None:
        from geopy.extra.rate_limiter import RateLimiter
        from geopy.geocoders import Nominatim

        nominatim = Nominatim(user_agent=settings_of(app).geocoder_user_agent, timeout=5)
        limited = RateLimiter(nominatim.geocode, min_delay_seconds=1.0, max_retries=1)

        def lookup(postcode: str) -> tuple[float, float] | None:
            location = limited({"postalcode": postcode, "country": "gb"})
            return (location.latitude, location.longitude) if location else None

        geocoder = lookup
        app.extensions["family_hub_geocoder"] = geocoder
    return geocoder
