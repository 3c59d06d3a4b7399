"""The API tests' app publishes absolute URLs under a PUBLIC_BASE_URL, as production must."""

from __future__ import annotations

import dataclasses

import pytest
from flask import Flask

from hub.settings import settings_of

PUBLIC_BASE_URL = "https://hub.example.test"


@pytest.fixture(autouse=True)
def public_base_url(app: Flask) -> str:
    settings = settings_of(app)
    key = next(k for k, v in app.extensions.items() if v is settings)
    app.extensions[key] = dataclasses.replace(settings, public_base_url=PUBLIC_BASE_URL)
    return PUBLIC_BASE_URL
