"""Fetching feeds: retries on 5xx, 404s, gzip, the size limit and timeouts."""

from __future__ import annotations

import contextlib
import gzip
import json
import time
from collections.abc import Iterator

import pytest

from services.oruk import sources
from services.oruk.sources import NotFound, SourceError, fetch_json
from tests.local_http import JsonHandler, serving


class Flaky(JsonHandler):
    """``/flaky`` fails with 503 ``failures`` times, then answers; ``/gzip`` is gzipped."""

    failures = 0
    calls: list[str] = []

    def do_GET(self) -> None:
        self.calls.append(self.path)
        if self.path == "/flaky":
            if self.calls.count("/flaky") <= self.failures:
                self.reply_json(503, {"error": "busy"})
            else:
                self.reply_json(200, {"ok": True})
        elif self.path == "/gzip":
            payload = gzip.compress(json.dumps({"zipped": "x" * 1000}).encode())
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        elif self.path == "/slow":
            time.sleep(1.0)
            # The client has given up by now, as the test wants.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.reply_json(200, {})
        else:
            self.reply_json(404, {})


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, type[Flaky]]]:
    monkeypatch.setattr(sources, "RETRY_DELAYS", (0.0, 0.0, 0.0))
    handler = type("Handler", (Flaky,), {"failures": 0, "calls": []})
    with serving(handler) as url:
        yield url, handler


def test_it_retries_a_5xx_then_succeeds(server: tuple[str, type[Flaky]]) -> None:
    url, handler = server
    handler.failures = 3
    assert fetch_json(f"{url}/flaky") == {"ok": True}
    assert handler.calls.count("/flaky") == 4


def test_it_gives_up_after_the_last_retry(server: tuple[str, type[Flaky]]) -> None:
    url, handler = server
    handler.failures = 10
    with pytest.raises(SourceError, match="HTTP 503 \\(after 4 attempts\\)"):
        fetch_json(f"{url}/flaky")
    assert handler.calls.count("/flaky") == 4


def test_it_raises_not_found_for_a_404_without_retrying(
        server: tuple[str, type[Flaky]]) -> None:
    url, handler = server
    with pytest.raises(NotFound):
        fetch_json(f"{url}/missing")
    assert handler.calls == ["/missing"]


def test_it_reads_gzip_and_refuses_an_oversize_answer(
        server: tuple[str, type[Flaky]], monkeypatch: pytest.MonkeyPatch) -> None:
    url, _handler = server
    assert fetch_json(f"{url}/gzip") == {"zipped": "x" * 1000}
    monkeypatch.setattr(sources, "MAX_BYTES", 500)
    with pytest.raises(SourceError, match="larger than"):
        fetch_json(f"{url}/gzip")


def test_it_times_out(server: tuple[str, type[Flaky]]) -> None:
    url, handler = server
    with pytest.raises(SourceError, match="after 4 attempts"):
        fetch_json(f"{url}/slow", timeout=0.2)
    assert handler.calls.count("/slow") == 4
