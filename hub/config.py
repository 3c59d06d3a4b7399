"""Configuration from environment variables, with safe defaults.

Demo mode (``FAMILY_HUB_DEMO=1``, set by ``make run``) allows a generated
secret key and an SQLite file in ``instance/``. Outside demo mode the app
refuses to start without ``SECRET_KEY``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = PROJECT_ROOT / "instance" / "family_hub.db"


class ConfigError(RuntimeError):
    """Raised when the environment lacks something production needs."""


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def from_environment(secret: str | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from the process environment.

    ``secret`` wins over ``SECRET_KEY`` (tests pass one). Raises ConfigError
    when no secret is given outside demo mode.
    """
    demo = _flag("FAMILY_HUB_DEMO")
    secret = secret or os.environ.get("SECRET_KEY")
    if not secret:
        if not demo:
            raise ConfigError(
                "SECRET_KEY must be set (or FAMILY_HUB_DEMO=1 for a local demo)."
            )
        secret = _demo_secret()
    database_url = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE}")
    )
    weights = os.environ.get("ROUTING_WEIGHTS")
    notify_key = os.environ.get("NOTIFY_API_KEY")
    public_url = os.environ.get("PUBLIC_BASE_URL", "").strip()
    if notify_key and not public_url:
        # Links in emails must not be built from a request's Host header, which a
        # client chooses.
        raise ConfigError("PUBLIC_BASE_URL must be set when NOTIFY_API_KEY is set.")
    return {
        "SECRET_KEY": secret,
        "DEMO_MODE": demo,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Demo runs on plain http://127.0.0.1; production sits behind TLS.
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", default=not demo),
        "SESSION_COOKIE_NAME": "family_hub_session",
        "REMEMBER_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", default=not demo),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": _int("SESSION_LIFETIME_MINUTES", 480) * 60,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        "LOGIN_MAX_FAILURES": _int("LOGIN_MAX_FAILURES", 5),
        "LOGIN_WINDOW_MINUTES": _int("LOGIN_WINDOW_MINUTES", 15),
        "MAP_TILE_URL": os.environ.get(
            "MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        ),
        "MAP_TILE_ATTRIBUTION": os.environ.get(
            "MAP_TILE_ATTRIBUTION", "&copy; OpenStreetMap contributors"
        ),
        "ONLINE_GEOCODER": _flag("ONLINE_GEOCODER"),
        "GEOCODER_USER_AGENT": os.environ.get("GEOCODER_USER_AGENT", "family-hub"),
        "ROUTING_WEIGHTS": json.loads(weights) if weights else {},
        "PUBLIC_BASE_URL": public_url,
        "NOTIFY_API_KEY": notify_key,
        "NOTIFY_API_URL": os.environ.get("NOTIFY_API_URL", ""),
        # NOTIFY_TEMPLATE_REFERRAL_SENT=<id> gives the "referral_sent" message its template.
        "NOTIFY_TEMPLATES": {
            key.removeprefix("NOTIFY_TEMPLATE_").lower(): value
            for key, value in os.environ.items()
            if key.startswith("NOTIFY_TEMPLATE_") and value
        },
    }


def engine_options(database_url: str) -> dict[str, Any]:
    """Connection options per backend."""
    # hide_parameters keeps query values (children's names, postcodes) out of
    # error messages, which end up in logs.
    if database_url.startswith("sqlite"):
        # WAL and busy_timeout are set per connection in hub.database.
        return {"connect_args": {"timeout": 15}, "hide_parameters": True}
    return {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 10, "hide_parameters": True}


def _demo_secret() -> str:
    """A per-install secret for demo mode, kept in instance/ so sessions survive restarts."""
    path = PROJECT_ROOT / "instance" / "demo_secret_key"
    if path.exists():
        return path.read_text().strip()
    import secrets

    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
