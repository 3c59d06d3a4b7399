"""A clock tests can move: the app reads the time through its settings' ``clock``."""

from __future__ import annotations

from datetime import datetime

from services.db import utcnow


class MovableClock:
    """Real time until ``set``; then the time it was set to."""

    def __init__(self) -> None:
        self.at: datetime | None = None

    def __call__(self) -> datetime:
        return self.at or utcnow()

    def set(self, at: datetime) -> None:
        self.at = at
