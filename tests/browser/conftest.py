"""Fixtures for the browser journeys: one served app and one Chromium per test session.

The app runs under gunicorn on 127.0.0.1 from a fresh SQLite database (migrations
plus the Bolton demo) in a temporary directory; Chromium is Debian's
(/usr/bin/chromium), driven by Playwright. Nothing here uses the database-
parametrised fixtures of tests/conftest.py: the journeys run once.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, Journey, ServedApp

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture(scope="session")
def served_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApp]:
    app = ServedApp.start(tmp_path_factory.mktemp("browser-app"))
    try:
        yield app
    finally:
        app.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import expect, sync_playwright

    # As the pages' own limit (support.Journey.page): the journeys run beside pytest.
    expect.set_options(timeout=20_000)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def axe_script() -> str:
    """axe-core as bundled by the axe-playwright-python package (from the npm build)."""
    from axe_playwright_python.base import AXE_SCRIPT

    return str(AXE_SCRIPT)


_ORDER = itertools.count(1)


@pytest.fixture
def journey(
    request: pytest.FixtureRequest, browser: Browser, served_app: ServedApp, axe_script: str
) -> Iterator[Journey]:
    # Screenshots and axe reports are named "<order>-<test name>-<page number>-<page>".
    name = f"{next(_ORDER)}-{request.node.originalname.removeprefix('test_')[:40]}"
    current = Journey(name=name, browser=browser, app=served_app, axe_script=axe_script)
    yield current
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        current.screenshot_open_pages()
    current.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    # Keeps each phase's report on the test, so the journey knows whether it failed.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
