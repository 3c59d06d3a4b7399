"""Values computed at most once per request, kept in ``g`` and dropped when the next starts.

``g`` lives in the app context, which a test or a CLI task may hold open across
several requests, so a value cached on it must not outlive its request. Each
cache names its own key here; the one hook below empties this namespace only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, g

T = TypeVar("T")
_NAMESPACE = "_per_request"


def per_request(key: str, build: Callable[[], T]) -> T:
    """The value under ``key`` for this request, built by ``build`` on first use."""
    store: dict[str, Any] = g.setdefault(_NAMESPACE, {})
    if key not in store:
        store[key] = build()
    value: T = store[key]
    return value


def remember(key: str, value: object) -> None:
    """Keep ``value`` under ``key`` for the rest of this request."""
    store: dict[str, Any] = g.setdefault(_NAMESPACE, {})
    store[key] = value


def remembered(key: str) -> Any:
    """What this request keeps under ``key``; None when nothing."""
    store: dict[str, Any] | None = g.get(_NAMESPACE)
    return None if store is None else store.get(key)


def _start_request() -> None:
    g.pop(_NAMESPACE, None)


def init_app(app: Flask) -> None:
    app.before_request(_start_request)
