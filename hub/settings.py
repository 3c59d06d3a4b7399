"""Settings: one typed, frozen object read once from the environment.

Every variable read here is documented in the README's settings table. Demo mode
(``FAMILY_HUB_DEMO=1``, set by ``make run``) allows a generated secret key and an
SQLite file in ``instance/``; outside demo mode the app refuses to start without
``SECRET_KEY``.

``create_app`` takes overrides by the same names as the environment variables
(``{"DATABASE_URL": …, "TESTING": True}``), so a test states a setting exactly as
an operator would.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app

from routing.referrals.outbox import NOTIFY_API_URL
from services.db import utcnow

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = PROJECT_ROOT / "instance" / "family_hub.db"
_EXTENSION_KEY = "family_hub.settings"
_TRUE = frozenset({"1", "true", "yes", "on"})


class ConfigError(RuntimeError):
    """Raised when the environment lacks something production needs, or a value is malformed."""


@dataclass(frozen=True)
class FeedSync:
    """An ORUK feed imported every night: its URL, the name its records are known by
    (the URL when blank), an optional term mapping file, and whether the schools
    agreed to the co-location it states (else each is a request)."""

    url: str
    source_name: str = ""
    mapping: str = ""
    agree_hubs: bool = False


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment. Build with ``from_environment``."""

    secret_key: str
    database_url: str = f"sqlite:///{DEFAULT_SQLITE}"
    demo_mode: bool = False
    # Demo runs on plain http://127.0.0.1; production sits behind TLS.
    session_cookie_secure: bool = True
    session_lifetime_minutes: int = 480
    login_max_failures: int = 5
    login_window_minutes: int = 15
    # Per address: far higher than per account, so one school's shared address (its
    # DSL included) is not shut out by a colleague's mistakes.
    login_address_max_failures: int = 100
    # How many reverse proxies in front of the app set X-Forwarded-For/-Proto
    # (Werkzeug's ProxyFix); 0 trusts none, so a client cannot forge its address.
    trusted_proxies: int = 0
    map_tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    map_tile_attribution: str = "&copy; OpenStreetMap contributors"
    online_geocoder: bool = False
    geocoder_user_agent: str = "family-hub"
    routing_weights: Mapping[str, float] = field(default_factory=dict)
    # The site's address for every absolute URL (API, emails, progress links); never
    # the request's Host header. Required outside demo and testing mode.
    public_base_url: str = "http://localhost"
    # Demo mode only: where `make run` serves, so its links work without PUBLIC_BASE_URL.
    host: str = "127.0.0.1"
    port: int = 5000
    notify_api_key: str = ""
    notify_api_url: str = NOTIFY_API_URL
    # NOTIFY_TEMPLATE_REFERRAL_SENT=<id> gives the "referral_sent" message its template.
    notify_templates: Mapping[str, str] = field(default_factory=dict)
    referral_stuck_working_days: int = 5
    referral_decide_working_days: int = 5
    referral_answer_working_days: int = 3
    referral_contact_working_days: int = 5
    # A safeguarding stop or concern no lead has actioned after this many working days
    # goes to the coordinator and onto the stuck page.
    safeguarding_action_working_days: int = 1
    # A missing-education case still reported or being traced this many working days
    # after it was opened goes onto the stuck page.
    cme_trace_working_days: int = 10
    # How long an earlier school's safeguarding lead's grant of its referrals' details
    # to a child's new school lasts.
    earlier_details_grant_days: int = 30
    # How long a "forgot password" link works.
    password_reset_minutes: int = 30
    # Retention (README "Retention"): what the purge deletes or anonymises, and when.
    retention_closed_referral_years: int = 6
    retention_draft_days: int = 30
    retention_attempt_days: int = 90
    retention_message_days: int = 30
    retention_audit_years: int = 7
    # Read a structurally changed directory in the request that notices it, rather than
    # in the background while the old snapshot serves (tests that edit then search).
    directory_rebuild_inline: bool = False
    # Background jobs (hub/jobs): Redis in production, an SQLite file otherwise.
    redis_url: str = ""
    jobs_sqlite_path: str = str(PROJECT_ROOT / "instance" / "jobs.db")
    jobs_queue_name: str = "family-hub"
    # Run each job at once, inside whatever enqueued it (the tests; never production).
    jobs_immediate: bool = False
    jobs_workers: int = 2
    notify_retry_minutes: int = 10
    referral_chase_hour: int = 8
    retention_purge_hour: int = 2
    oruk_sync_hour: int = 3
    oruk_sync_feeds: tuple[FeedSync, ...] = ()
    # Test switches: TESTING lets exceptions reach the test; WTF_CSRF_ENABLED off lets
    # tests post forms without a token. Both stay at their safe defaults in production.
    testing: bool = False
    wtf_csrf_enabled: bool = True
    # The time operations use. Tests and the browser journeys pass a movable clock;
    # it is not read from the environment.
    clock: Callable[[], datetime] = utcnow

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
    ) -> Settings:
        """Read the settings from ``environ`` (the process environment by default).

        ``overrides`` are keyed by the environment variables' names and win over them.
        Raises ConfigError for a missing secret or PUBLIC_BASE_URL outside demo mode
        (and, for the address, testing), a malformed address, an unknown override or a
        malformed number.
        """
        env = dict(os.environ if environ is None else environ)
        given = dict(overrides or {})
        unknown = set(given) - _OVERRIDABLE
        if unknown:
            raise ConfigError(f"Unknown settings: {', '.join(sorted(unknown))}")
        # Overrides arrive typed (a test's True, a callable clock); the environment's are text.
        raw: dict[str, Any] = {**env, **given}
        demo = _flag(raw, "FAMILY_HUB_DEMO")
        secret = str(raw.get("SECRET_KEY") or "")
        if not secret:
            if not demo:
                raise ConfigError("SECRET_KEY must be set (or FAMILY_HUB_DEMO=1 for a local demo).")
            secret = _demo_secret()
        notify_key = str(raw.get("NOTIFY_API_KEY") or "")
        host = str(raw.get("HOST") or "127.0.0.1").strip()
        port = _int(raw, "PORT", 5000)
        public_url = _base_url(raw, demo=demo, testing=_flag(raw, "TESTING"),
                               host=host, port=port)
        templates = given.get("NOTIFY_TEMPLATES") or {
            key.removeprefix("NOTIFY_TEMPLATE_").lower(): value
            for key, value in env.items()
            if key.startswith("NOTIFY_TEMPLATE_") and value
        }
        defaults = cls(secret_key=secret)
        return cls(
            secret_key=secret,
            database_url=normalise_database_url(
                str(raw.get("DATABASE_URL") or defaults.database_url)),
            demo_mode=demo,
            session_cookie_secure=_flag(raw, "SESSION_COOKIE_SECURE", default=not demo),
            session_lifetime_minutes=_int(raw, "SESSION_LIFETIME_MINUTES", 480),
            login_max_failures=_int(raw, "LOGIN_MAX_FAILURES", 5),
            login_window_minutes=_int(raw, "LOGIN_WINDOW_MINUTES", 15),
            login_address_max_failures=_int(raw, "LOGIN_ADDRESS_MAX_FAILURES", 100),
            trusted_proxies=_int(raw, "TRUSTED_PROXIES", 0),
            map_tile_url=str(raw.get("MAP_TILE_URL") or defaults.map_tile_url),
            map_tile_attribution=str(
                raw.get("MAP_TILE_ATTRIBUTION") or defaults.map_tile_attribution),
            online_geocoder=_flag(raw, "ONLINE_GEOCODER"),
            geocoder_user_agent=str(raw.get("GEOCODER_USER_AGENT") or "family-hub"),
            routing_weights=_weights(raw.get("ROUTING_WEIGHTS")),
            public_base_url=public_url,
            host=host,
            port=port,
            notify_api_key=notify_key,
            notify_api_url=str(raw.get("NOTIFY_API_URL") or NOTIFY_API_URL),
            notify_templates=dict(templates),
            referral_stuck_working_days=_int(raw, "REFERRAL_STUCK_WORKING_DAYS", 5),
            referral_decide_working_days=_int(raw, "REFERRAL_DECIDE_WORKING_DAYS", 5),
            referral_answer_working_days=_int(raw, "REFERRAL_ANSWER_WORKING_DAYS", 3),
            referral_contact_working_days=_int(raw, "REFERRAL_CONTACT_WORKING_DAYS", 5),
            safeguarding_action_working_days=_int(raw, "SAFEGUARDING_ACTION_WORKING_DAYS", 1),
            cme_trace_working_days=_int(raw, "CME_TRACE_WORKING_DAYS", 10),
            earlier_details_grant_days=_positive(raw, "EARLIER_DETAILS_GRANT_DAYS", 30),
            password_reset_minutes=_positive(raw, "PASSWORD_RESET_MINUTES", 30),
            retention_closed_referral_years=_positive(
                raw, "RETENTION_CLOSED_REFERRAL_YEARS", 6),
            retention_draft_days=_positive(raw, "RETENTION_DRAFT_DAYS", 30),
            retention_attempt_days=_positive(raw, "RETENTION_ATTEMPT_DAYS", 90),
            retention_message_days=_positive(raw, "RETENTION_MESSAGE_DAYS", 30),
            retention_audit_years=_positive(raw, "RETENTION_AUDIT_YEARS", 7),
            directory_rebuild_inline=_flag(raw, "DIRECTORY_REBUILD_INLINE"),
            redis_url=str(raw.get("REDIS_URL") or "").strip(),
            jobs_sqlite_path=str(raw.get("JOBS_SQLITE_PATH") or defaults.jobs_sqlite_path),
            jobs_queue_name=str(raw.get("JOBS_QUEUE_NAME") or defaults.jobs_queue_name),
            jobs_immediate=_flag(raw, "JOBS_IMMEDIATE"),
            jobs_workers=_bounded(raw, "JOBS_WORKERS", 2, 1, 64),
            notify_retry_minutes=_bounded(raw, "NOTIFY_RETRY_MINUTES", 10, 1, 59),
            referral_chase_hour=_bounded(raw, "REFERRAL_CHASE_HOUR", 8, 0, 23),
            retention_purge_hour=_bounded(raw, "RETENTION_PURGE_HOUR", 2, 0, 23),
            oruk_sync_hour=_bounded(raw, "ORUK_SYNC_HOUR", 3, 0, 23),
            oruk_sync_feeds=_feeds(raw.get("ORUK_SYNC_FEEDS")),
            testing=_flag(raw, "TESTING"),
            wtf_csrf_enabled=_flag(raw, "WTF_CSRF_ENABLED", default=True),
            clock=given.get("CLOCK") or utcnow,
        )

    def flask_config(self) -> dict[str, Any]:
        """The Flask and extension keys these settings imply."""
        return {
            "SECRET_KEY": self.secret_key,
            "TESTING": self.testing,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options(self.database_url),
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.session_cookie_secure,
            "SESSION_COOKIE_NAME": "family_hub_session",
            "REMEMBER_COOKIE_SECURE": self.session_cookie_secure,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "PERMANENT_SESSION_LIFETIME": self.session_lifetime_minutes * 60,
            "WTF_CSRF_ENABLED": self.wtf_csrf_enabled,
            "WTF_CSRF_TIME_LIMIT": None,
            "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        }

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed (a second app in a test, say)."""
        return dataclasses.replace(self, **changes)


# The names create_app accepts as overrides: every environment variable read above,
# plus the two that only code can give.
_OVERRIDABLE = frozenset({
    "FAMILY_HUB_DEMO", "SECRET_KEY", "DATABASE_URL", "SESSION_COOKIE_SECURE",
    "SESSION_LIFETIME_MINUTES", "LOGIN_MAX_FAILURES", "LOGIN_WINDOW_MINUTES", "MAP_TILE_URL",
    "MAP_TILE_ATTRIBUTION", "ONLINE_GEOCODER", "GEOCODER_USER_AGENT", "ROUTING_WEIGHTS",
    "PUBLIC_BASE_URL", "NOTIFY_API_KEY", "NOTIFY_API_URL", "REFERRAL_STUCK_WORKING_DAYS",
    "REFERRAL_DECIDE_WORKING_DAYS", "REFERRAL_ANSWER_WORKING_DAYS",
    "REFERRAL_CONTACT_WORKING_DAYS", "SAFEGUARDING_ACTION_WORKING_DAYS",
    "CME_TRACE_WORKING_DAYS",
    "EARLIER_DETAILS_GRANT_DAYS",
    "DIRECTORY_REBUILD_INLINE", "REDIS_URL", "JOBS_SQLITE_PATH", "JOBS_QUEUE_NAME",
    "JOBS_IMMEDIATE", "JOBS_WORKERS", "NOTIFY_RETRY_MINUTES", "REFERRAL_CHASE_HOUR",
    "RETENTION_PURGE_HOUR", "ORUK_SYNC_HOUR", "ORUK_SYNC_FEEDS", "TESTING", "WTF_CSRF_ENABLED",
    "NOTIFY_TEMPLATES", "CLOCK",
    "HOST", "PORT",
    "PASSWORD_RESET_MINUTES", "RETENTION_CLOSED_REFERRAL_YEARS", "RETENTION_DRAFT_DAYS",
    "RETENTION_ATTEMPT_DAYS", "RETENTION_MESSAGE_DAYS", "RETENTION_AUDIT_YEARS",
    "LOGIN_ADDRESS_MAX_FAILURES", "TRUSTED_PROXIES",
})


def init_app(app: Flask, settings: Settings) -> None:
    app.extensions[_EXTENSION_KEY] = settings
    app.config.update(settings.flask_config())


def settings_of(app: Flask) -> Settings:
    """The settings an app was built with."""
    found: Settings = app.extensions[_EXTENSION_KEY]
    return found


def current_settings() -> Settings:
    """The settings of the app handling this request or command."""
    return settings_of(current_app)


def now() -> datetime:
    """Naive UTC now, from the app's clock (tests move it on)."""
    return current_settings().clock()


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def engine_options(database_url: str) -> dict[str, Any]:
    """Connection options per backend."""
    # hide_parameters keeps query values (children's names, postcodes) out of
    # error messages, which end up in logs.
    if database_url.startswith("sqlite"):
        # WAL and busy_timeout are set per connection in hub.database.
        return {"connect_args": {"timeout": 15}, "hide_parameters": True}
    # No pool_pre_ping: it costs a round trip on every checkout; hub.postgres pings
    # only a connection that sat idle, and begins transactions at the first write.
    return {"pool_size": 5, "max_overflow": 10, "hide_parameters": True}


def _flag(raw: Mapping[str, Any], name: str, default: bool = False) -> bool:
    value = raw.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in _TRUE


def _int(raw: Mapping[str, Any], name: str, default: int) -> int:
    value = raw.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from error


def _bounded(raw: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = _int(raw, name, default)
    if not low <= value <= high:
        raise ConfigError(f"{name} must be from {low} to {high}, not {value}")
    return value


def _feeds(value: Any) -> tuple[FeedSync, ...]:
    """ORUK_SYNC_FEEDS: a JSON list of feed URLs, or of objects with ``url`` and
    optionally ``source_name`` and ``mapping`` (a JSON mapping file's path)."""
    if not value:
        return ()
    if isinstance(value, (list, tuple)):
        parsed: Any = list(value)
    else:
        try:
            parsed = json.loads(value)
        except ValueError as error:
            raise ConfigError("ORUK_SYNC_FEEDS must be a JSON list") from error
    if not isinstance(parsed, list):
        raise ConfigError("ORUK_SYNC_FEEDS must be a JSON list")
    feeds: list[FeedSync] = []
    for item in parsed:
        if isinstance(item, FeedSync):
            feeds.append(item)
        elif isinstance(item, str) and item.startswith(("http://", "https://")):
            feeds.append(FeedSync(item))
        elif (isinstance(item, dict) and isinstance(item.get("url"), str)
              and item["url"].startswith(("http://", "https://"))):
            feeds.append(FeedSync(item["url"], str(item.get("source_name") or ""),
                                  str(item.get("mapping") or ""),
                                  item.get("agree_hubs") is True))
        else:
            raise ConfigError("ORUK_SYNC_FEEDS entries must be http(s) URLs or objects "
                              'with a "url"')
    return tuple(feeds)


def _base_url(raw: Mapping[str, Any], *, demo: bool, testing: bool, host: str,
              port: int) -> str:
    """PUBLIC_BASE_URL checked (http or https, a host, no query), without a final slash.

    Absolute URLs are never built from a request's Host header, which a client
    chooses; so outside demo mode (links to HOST:PORT) and testing (http://localhost)
    the setting is required. Raises ConfigError when missing or malformed.
    """
    value = str(raw.get("PUBLIC_BASE_URL") or "").strip()
    if not value:
        if demo:
            return f"http://{host}:{port}"
        if testing:
            return "http://localhost"
        raise ConfigError(
            "PUBLIC_BASE_URL must be set to the site's address, like "
            "https://familyhub.example.org (or FAMILY_HUB_DEMO=1 for a local demo).")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
            or parts.fragment or parts.username or parts.password:
        raise ConfigError(
            f"PUBLIC_BASE_URL must be an http(s) address like https://familyhub.example.org, "
            f"not {value!r}")
    return value.rstrip("/")


def _positive(raw: Mapping[str, Any], name: str, default: int) -> int:
    # A period of 0 would purge everything at once: refuse it at start rather than later.
    value = _int(raw, name, default)
    if value < 1:
        raise ConfigError(f"{name} must be 1 or more, not {value}")
    return value


def _weights(value: Any) -> dict[str, float]:
    if not value:
        return {}
    if isinstance(value, Mapping):
        return dict(value)
    try:
        parsed = json.loads(value)
    except ValueError as error:
        raise ConfigError("ROUTING_WEIGHTS must be a JSON object") from error
    if not isinstance(parsed, dict):
        raise ConfigError("ROUTING_WEIGHTS must be a JSON object")
    return parsed


def _demo_secret() -> str:
    """A per-install secret for demo mode, kept in instance/ so sessions survive restarts."""
    path = PROJECT_ROOT / "instance" / "demo_secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
