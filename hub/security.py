"""Security headers, a CSP nonce per request, and no caching of signed-in pages."""

from __future__ import annotations

import logging
import re
import secrets

from flask import Flask, Response, request
from flask_login import current_user

from hub.request_cache import per_request
from hub.settings import settings_of


def csp_nonce() -> str:
    """The nonce for this request's inline scripts (one per request)."""
    return per_request("csp_nonce", lambda: secrets.token_urlsafe(16))


# A family's progress link is a capability: whoever holds the URL can try dates of
# birth. Anything a logger writes about a request (Flask's "Exception on <path>",
# Werkzeug's and gunicorn's access lines) has the token masked.
_PROGRESS_TOKEN = re.compile(r"(/progress/)[^\s?/\"'#]+")
LOGGERS_WITH_PATHS = ("werkzeug", "gunicorn.access", "gunicorn.error")


class MaskProgressTokens(logging.Filter):
    """Replaces the token of any progress-link path in a log record with ``[token]``."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/progress/" in message:
            record.msg = _PROGRESS_TOKEN.sub(r"\1[token]", message)
            record.args = None
        return True


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(_set_headers)
    masking = MaskProgressTokens()
    for logger in (app.logger, *map(logging.getLogger, LOGGERS_WITH_PATHS)):
        if not any(isinstance(f, MaskProgressTokens) for f in logger.filters):
            logger.addFilter(masking)


def _tile_origin(app: Flask) -> str:
    url = settings_of(app).map_tile_url
    if "://" not in url:
        return ""
    scheme, rest = url.split("://", 1)
    host = rest.split("/", 1)[0]
    # Tile servers use {s} sub-domains; allow them with a wildcard.
    host = host.replace("{s}.", "*.")
    return f"{scheme}://{host}"


def _set_headers(response: Response) -> Response:
    from flask import current_app

    nonce = csp_nonce()
    img_src = "'self' data:"
    tiles = _tile_origin(current_app)
    if tiles and not request.path.startswith("/progress"):
        img_src += f" {tiles}"
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; "
        f"img-src {img_src}; "
        "font-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault(
        "Permissions-Policy", "geolocation=(), camera=(), microphone=(), payment=()"
    )
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if settings_of(current_app).session_cookie_secure:
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
        )
    # Pages for signed-in users may show children's data: never store them.
    if not request.path.startswith("/static/") and (
        current_user.is_authenticated or "Cache-Control" not in response.headers
    ):
        response.headers["Cache-Control"] = "no-store"
    return response
