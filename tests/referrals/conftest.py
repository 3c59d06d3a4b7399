"""Referral tests: a controllable clock, and the ``slow`` mark for the race test."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes several seconds (the capacity race)")
