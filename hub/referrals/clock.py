"""The time operations use: ``CLOCK`` in the app config lets tests move time on."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from services.db import utcnow


def now() -> datetime:
    """Naive UTC now, from ``current_app.config["CLOCK"]`` when set (a callable)."""
    clock = current_app.config.get("CLOCK")
    return clock() if clock else utcnow()
