"""Per-app caches kept in ``app.extensions``: the directory snapshot, the online geocoder
and the postcodes already placed."""

from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy.orm import Session

from hub.request_cache import per_request, remember, remembered
from hub.settings import settings_of
from hub.unit_of_work import session as request_session
from routing.engine import Weights
from routing.gazetteer.lookup import KnownPlaces, OnlineGeocoder
from routing.snapshot import SnapshotCache, SnapshotEntry

# The directory's (version, capacity_seq) as read with the signed-in user.
_POSITION = "directory_position_at_sign_in"


def snapshot_cache(app: Flask | None = None) -> SnapshotCache:
    """This app's directory snapshot cache, created on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    cache: SnapshotCache | None = app.extensions.get("family_hub_snapshot")
    if cache is None:
        from hub.extensions import db
        from routing.referrals.history import measured_waits

        settings = settings_of(app)
        weights = Weights.from_mapping(settings.routing_weights)
        with app.app_context():
            engine = db.engine
        # Structural changes are read by a background thread with a session of its own.
        background = None if settings.directory_rebuild_inline else lambda: Session(engine)
        # setdefault: two first requests racing keep the same cache.
        cache = app.extensions.setdefault(
            "family_hub_snapshot", SnapshotCache(weights, measured_waits, background))
    return cache


def directory_snapshot(session: Session | None = None, *,
                       fresh_from_sign_in: bool = False) -> SnapshotEntry:
    """The directory snapshot for this request: its position is read once a request
    (one indexed query) and any capacity change committed since is patched in.

    ``fresh_from_sign_in``: the position read with the signed-in user at the start of
    this request (``position_read_at_sign_in``) stands for that query, for a page that
    writes nothing first (a change this request made would not be in it). Its views
    (``index()``, ``lookups``, ``view(build)``) are built once per version.
    """
    def get() -> SnapshotEntry:
        position = remembered(_POSITION) if fresh_from_sign_in else None
        return snapshot_cache().get(
            session if session is not None else request_session(), position)

    return per_request("directory_snapshot", get)


def position_read_at_sign_in(version: int | None, capacity_seq: int | None) -> None:
    """Keep the directory's position read with the signed-in user (hub.auth.session),
    for this request only."""
    remember(_POSITION, (version, capacity_seq))


def online_geocoder(app: Flask | None = None) -> OnlineGeocoder | None:
    """Nominatim through geopy, rate-limited to one request a second; None when off."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    settings = settings_of(app)
    if not settings.online_geocoder:
        return None
    geocoder: OnlineGeocoder | None = app.extensions.get("family_hub_geocoder")
    if geocoder is None:
        from geopy.extra.rate_limiter import RateLimiter
        from geopy.geocoders import Nominatim

        nominatim = Nominatim(user_agent=settings.geocoder_user_agent, timeout=5)
        limited = RateLimiter(nominatim.geocode, min_delay_seconds=1.0, max_retries=1)

        def lookup(postcode: str) -> tuple[float, float] | None:
            location = limited({"postalcode": postcode, "country": "gb"})
            return (location.latitude, location.longitude) if location else None

        geocoder = lookup
        app.extensions["family_hub_geocoder"] = geocoder
    return geocoder


def known_places(app: Flask | None = None) -> KnownPlaces:
    """Postcodes this app has placed from the gazetteer in the last hour (a search then
    places its postcode without a database read)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    known: KnownPlaces | None = app.extensions.get("family_hub_known_places")
    if known is None:
        known = app.extensions.setdefault("family_hub_known_places", KnownPlaces())
    return known
