"""Per-app caches kept in ``app.extensions``: the directory snapshot and the online geocoder."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from routing.engine import Weights
from routing.gazetteer.lookup import OnlineGeocoder
from routing.snapshot import SnapshotCache, SnapshotEntry
from services.db import db


def snapshot_cache(app: Flask | None = None) -> SnapshotCache:
    """This app's directory snapshot cache, created on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    cache: SnapshotCache | None = app.extensions.get("family_hub_snapshot")
    if cache is None:
        from routing.referrals.history import measured_waits

        weights = Weights.from_mapping(app.config.get("ROUTING_WEIGHTS") or {})
        # setdefault: two first requests racing keep the same cache.
        cache = app.extensions.setdefault(
            "family_hub_snapshot", SnapshotCache(weights, measured_waits))
    return cache


def directory_snapshot(session: Session | None = None) -> SnapshotEntry:
    """The directory snapshot for this request: the version is checked once a request.

    Its views (``index()``, ``lookups``, ``view(build)``) are built once per version.
    """
    entry: SnapshotEntry | None = g.get("directory_lookups")
    if entry is None:
        entry = snapshot_cache().get(session if session is not None else db.session())
        # The key predates the snapshot; hub.__init__ clears it before each request.
        g.directory_lookups = entry
    return entry


def online_geocoder(app: Flask | None = None) -> OnlineGeocoder | None:
    """Nominatim through geopy, rate-limited to one request a second; None when off."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("ONLINE_GEOCODER"):
        return None
    geocoder: OnlineGeocoder | None = app.extensions.get("family_hub_geocoder")
    if geocoder is None:
        from geopy.extra.rate_limiter import RateLimiter
        from geopy.geocoders import Nominatim

        nominatim = Nominatim(user_agent=app.config["GEOCODER_USER_AGENT"], timeout=5)
        limited = RateLimiter(nominatim.geocode, min_delay_seconds=1.0, max_retries=1)

        def lookup(postcode: str) -> tuple[float, float] | None:
            location = limited({"postalcode": postcode, "country": "gb"})
            return (location.latitude, location.longitude) if location else None

        geocoder = lookup
        app.extensions["family_hub_geocoder"] = geocoder
    return geocoder
