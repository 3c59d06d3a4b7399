"""The routing index cache and the optional online geocoder, per app."""

from __future__ import annotations

from flask import Flask, current_app

from routing.engine import Weights
from routing.gazetteer.lookup import OnlineGeocoder
from routing.snapshot import IndexCache


def index_cache(app: Flask | None = None) -> IndexCache:
    """This app's index cache, created on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    cache = app.extensions.get("family_hub_index")
    if cache is None:
        weights = Weights.from_mapping(app.config.get("ROUTING_WEIGHTS") or {})
        from routing.referrals.history import measured_waits

        cache = IndexCache(weights, measured_waits)
        app.extensions["family_hub_index"] = cache
    return cache


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
