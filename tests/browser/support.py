"""Machinery for the browser journeys: the served app, the browser, axe and screenshots.

Playwright is imported lazily so this module loads (and the journeys skip with a
reason) on a machine without it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Locator, Page, Route

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_REPORTS = ARTIFACTS / "axe"
CHROMIUM = Path(os.environ.get("BROWSER_TEST_CHROMIUM", "/usr/bin/chromium"))
# A full-page screenshot of every page checked costs about a third of a check; without
# this the journeys keep only the pages open when one fails.
EVERY_SCREENSHOT = os.environ.get("BROWSER_SCREENSHOTS", "") not in ("", "0")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Read by tests/browser/clock_app.py: the file holding the app clock's offset in seconds.
CLOCK_FILE_VARIABLE = "FAMILY_HUB_TEST_CLOCK_FILE"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
DEMO_PASSWORD = "demo-password"
# The demo's published authenticator secret (services/demo/dataset.py, README).
DEMO_TOTP_SECRET = "FAMILYHUBDEMOTOTPSECRETFORTESTS2"
# Stands in for the quick exit's destination: the tests never leave 127.0.0.1.
ELSEWHERE = (
    '<!doctype html><html lang="en"><head><title>Somewhere else</title></head>'
    "<body><h1>Somewhere else</h1></body></html>"
)


def skip_reason() -> str | None:
    """Why the journeys cannot run here, or None when they can."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return ("browser journeys share one app and run in order: run them in one process "
                "(make browser, or pytest tests/browser -p no:xdist)")
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed (pip install -e '.[dev]')"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is absent (apt-get install chromium)"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ServedApp:
    """The app under gunicorn on 127.0.0.1, on its own SQLite database with the demo loaded."""

    base_url: str
    workdir: Path
    clock_file: Path
    process: subprocess.Popen[bytes]

    @classmethod
    def start(cls, workdir: Path) -> ServedApp:
        clock_file = workdir / "clock-offset-seconds"
        clock_file.write_text("0")
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if k != "FAMILY_HUB_DEMO"}
        env.update(
            DATABASE_URL=f"sqlite:///{workdir / 'family_hub.db'}",
            PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
            SECRET_KEY=secrets.token_hex(32),
            SESSION_COOKIE_SECURE="0",
            FLASK_APP="wsgi:app",
            **{CLOCK_FILE_VARIABLE: str(clock_file)},
        )
        for command in (("db", "upgrade"), ("demo", "load")):
            done = subprocess.run(
                [sys.executable, "-m", "flask", *command], cwd=PROJECT_ROOT, env=env,
                capture_output=True, timeout=300, check=False,
            )
            if done.returncode:
                raise RuntimeError(f"flask {' '.join(command)} failed:\n{done.stderr.decode()}")
        log = (workdir / "gunicorn.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
             "--access-logfile", "-", "tests.browser.clock_app:app"],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        served = cls(f"http://127.0.0.1:{port}", workdir, clock_file, process)
        served._wait_until_up()
        return served

    def _wait_until_up(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.workdir / 'gunicorn.log'}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/login", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:  # refused, reset or timed out while workers boot
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 30 s")

    def shift_clock(self, delta: timedelta) -> None:
        """Move the app's clock (every worker) to real time plus ``delta``."""
        self.clock_file.write_text(str(delta.total_seconds()))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


@dataclass
class Violation:
    """One element failing one axe rule on one page."""

    page: str
    url: str
    rule: str
    impact: str
    help: str
    target: str
    html: str
    summary: str

    def describe(self) -> str:
        return (f"{self.page} ({self.url}): {self.rule} [{self.impact}] {self.help}: "
                f"{self.target} {self.html[:160]} -- {self.summary}")


@dataclass
class Journey:
    """One user's journey: fresh browser contexts, a screenshot and an axe check per page.

    Every page the browser loads from the app must be checked (``check``) before the
    next one loads; ``finish`` fails the journey on a page left unchecked or on any
    serious or critical WCAG 2.2 AA violation.
    """

    name: str
    browser: Browser
    app: ServedApp
    axe_script: str
    contexts: list[BrowserContext] = field(default_factory=list)
    unchecked: dict[int, str] = field(default_factory=dict)
    skipped_loads: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    shots: int = 0
    finished: bool = False

    def page(self, width: int = 1280, height: int = 900) -> Page:
        context = self.browser.new_context(
            base_url=self.app.base_url, viewport={"width": width, "height": height},
            locale="en-GB", timezone_id="Europe/London",
        )
        # Generous: make test runs the journeys beside pytest on two cores.
        context.set_default_timeout(20_000)
        base = self.app.base_url
        context.route(lambda url: not url.startswith(base), self._elsewhere)
        self.contexts.append(context)
        page = context.new_page()
        page.on("load", self._on_load)
        return page

    @staticmethod
    def _elsewhere(route: Route) -> None:
        if route.request.resource_type == "document":
            route.fulfill(status=200, content_type="text/html", body=ELSEWHERE)
        else:
            route.abort()

    def _on_load(self, page: Page) -> None:
        if not page.url.startswith(self.app.base_url):
            return
        previous = self.unchecked.get(id(page))
        if previous is not None:
            self.skipped_loads.append(previous)
        self.unchecked[id(page)] = page.url

    def check(self, page: Page, label: str) -> None:
        """Run axe on the page (screenshot it too with ``BROWSER_SCREENSHOTS``)."""
        page.wait_for_load_state("load")
        self.shots += 1
        if EVERY_SCREENSHOT:
            self.screenshot(page, label)
        page.evaluate(self.axe_script)
        options = {"runOnly": {"type": "tag", "values": WCAG_TAGS},
                   "resultTypes": ["violations"]}
        results: dict[str, Any] = page.evaluate("options => axe.run(document, options)", options)
        for item in results["violations"]:
            for node in item["nodes"]:
                html, summary = str(node.get("html", "")), str(node.get("failureSummary", ""))
                self.violations.append(Violation(
                    page=label, url=page.url, rule=item["id"],
                    impact=node.get("impact") or item["impact"] or "", help=item["help"],
                    target=", ".join(map(str, node["target"])), html=html, summary=summary,
                ))
        self.unchecked.pop(id(page), None)

    def screenshot(self, page: Page, label: str) -> None:
        """Save a full-page screenshot, named by the journey, the check's number and ``label``."""
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{self.name}-{self.shots:02d}-{slug}.png",
                        full_page=True)

    def screenshot_open_pages(self) -> None:
        """Screenshot every page still open (a journey that failed part way)."""
        open_pages = [page for context in self.contexts for page in context.pages]
        for number, page in enumerate(open_pages, 1):
            if not page.is_closed():
                self.screenshot(page, f"failed-page-{number}")

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()

    def finish(self) -> None:
        """End the journey: write the axe report, then fail on anything unchecked or blocking."""
        self.finished = True
        self.close()
        AXE_REPORTS.mkdir(parents=True, exist_ok=True)
        (AXE_REPORTS / f"{self.name}.json").write_text(
            json.dumps([v.__dict__ for v in self.violations], indent=2)
        )
        left = self.skipped_loads + list(self.unchecked.values())
        assert not left, f"pages loaded but never checked with axe: {left}"
        blocking = [v for v in self.violations if v.impact in BLOCKING_IMPACTS]
        assert not blocking, "serious or critical accessibility violations:\n" + "\n".join(
            v.describe() for v in blocking
        )


def log_in(journey: Journey, page: Page, email: str) -> None:
    """Sign in through the form (the sign-in page is checked too)."""
    page.goto("/login")
    journey.check(page, f"sign in {email.split('@')[0]}")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/(search|login/code)?$"))
    if page.url.endswith("/login/code"):
        enter_code(journey, page, DEMO_TOTP_SECRET)
        page.wait_for_url(re.compile(r"/(search)?$"))


def app_code(app: ServedApp, secret: str, steps_ahead: int = 0) -> str:
    """The authenticator code for the served app's (possibly shifted) clock."""
    import pyotp

    offset = float(app.clock_file.read_text().strip() or 0)
    return pyotp.TOTP(secret).at(time.time() + offset + 30 * steps_ahead)


def enter_code(journey: Journey, page: Page, secret: str) -> None:
    """Answer the code step; a code is good once, so when an earlier journey used this
    30-second step's code, the next step's (accepted for clock drift) is given; when
    two earlier sign-ins of this person used both, the next step's code once that step
    has come (as a person would wait for their authenticator's next code)."""
    journey.check(page, "enter your code")
    for attempt, ahead in enumerate((0, 1, 1)):
        if attempt == 2:
            offset = float(journey.app.clock_file.read_text().strip() or 0)
            time.sleep(30.5 - (time.time() + offset) % 30)
        page.get_by_label("Code").fill(app_code(journey.app, secret, ahead))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
        if not page.url.endswith("/login/code"):
            return
        journey.check(page, "code refused")
    raise AssertionError("the authenticator code was refused three times")


def tab_until(page: Page, selector: str, presses: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the keyboard focus."""
    for _ in range(presses):
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def is_focused(page: Page, selector: str) -> bool:
    return bool(page.evaluate("s => document.activeElement?.matches(s) ?? false", selector))


JourneyFactory = Callable[[str], Journey]


def fill_carer(page: Page, name: str, relationship: str, phone: str, index: int = 0) -> None:
    """Fill one parent or carer on the "Parents and carers" step, with parental
    responsibility answered "Yes"."""
    page.locator(f"#f-carer-{index}-name").fill(name)
    page.locator(f"#f-carer-{index}-relationship").fill(relationship)
    page.locator(f"#f-carer-{index}-parental_responsibility-1").check()  # Yes
    label = page.locator(f"label[for='f-carer-{index}-parental_responsibility-1']")
    assert label.inner_text().strip() == "Yes"
    page.locator(f"#f-carer-{index}-phone").fill(phone)


def fill_contact(page: Page, carer: str, ways: tuple[str, ...], times: str) -> None:
    """Answer "Contacting the family": the carer the family agreed (by name), the ways
    (by label) and when."""
    page.get_by_label(re.compile(rf"^{re.escape(carer)} \(")).check()
    for way in ways:
        page.get_by_label(way, exact=True).check()
    page.get_by_label("When did they agree to be contacted?").fill(times)


def double_click(page: Page, target: Locator, gap_ms: int = 60) -> None:
    """Click ``target`` twice, ``gap_ms`` apart, as a person double-clicks a submit button:
    far enough apart that the browser sends the form again unless the page stops it
    (Playwright's own dblclick is so quick that Chromium sends it once anyway)."""
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    assert box is not None, "the button is not on the page"
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    page.wait_for_timeout(gap_ms)
    page.mouse.click(x, y)
