"""Absolute URLs: the one way the app writes an address to be used outside the page.

Built from PUBLIC_BASE_URL (in demo mode, the configured host and port), never from
the request's Host header: a client chooses that header, and a link built from it
(in the API's JSON, cached publicly; in a progress link staff hand to a family)
would send people wherever the client said.
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from hub.settings import current_settings


def absolute_url(endpoint: str, **values: Any) -> str:
    """The endpoint's full address under the configured public base URL."""
    return current_settings().public_base_url + url_for(endpoint, **values)
