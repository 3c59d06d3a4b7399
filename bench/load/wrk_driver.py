"""Drive one scenario with wrk, Debian's C load generator.

The load generator shares the machine's two cores with gunicorn, so a cheap one
leaves more of them to the app: wrk spends well under a tenth of a millisecond of
CPU a request where Python threads spend most of one. Each request is drawn at
random from prepared ones (method, path, cookie, form body); a Lua ``response``
hook checks every answer's status and a marker in its body, so a wrong page counts
as an error, as in the Python driver.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.load.results import Result

# Lua for wrk 4: requests chosen at random per connection thread; counts of bad
# answers gathered from every thread in done(), printed as one JSON line.
SCRIPT = r"""
local items = %(items)s
local marker = %(marker)s
local want_status = %(status)d
local threads = {}
local count = 0
bad = 0
non_matching = 0

function setup(thread)
  count = count + 1
  thread:set("id", count)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(id * 7919 + os.time())
end

function request()
  local it = items[math.random(#items)]
  return wrk.format(it[1], it[2], it[3], it[4])
end

function response(status, headers, body)
  if status ~= want_status then
    bad = bad + 1
  elseif marker ~= "" and not string.find(body, marker, 1, true) then
    non_matching = non_matching + 1
  end
end

function done(summary, latency, requests)
  local b, n = 0, 0
  for _, t in ipairs(threads) do
    b = b + t:get("bad")
    n = n + t:get("non_matching")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %%d, "duration_us": %%d, "bad_status": %%d, "wrong_page": %%d, ' ..
    '"connect": %%d, "read": %%d, "write": %%d, "timeout": %%d, ' ..
    '"p50": %%d, "p95": %%d, "p99": %%d}\n',
    summary.requests, summary.duration, b, n, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class WrkRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: str = ""


def available() -> bool:
    return shutil.which("wrk") is not None


def _lua_string(text: str) -> str:
    # JSON string escapes are valid Lua escapes for the ASCII we send.
    return json.dumps(text, ensure_ascii=True)


def _lua_items(requests: list[WrkRequest]) -> str:
    rows = []
    for r in requests:
        headers = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in r.headers.items())
        rows.append(f"{{{_lua_string(r.method)}, {_lua_string(r.path)}, {{{headers}}}, "
                    f"{_lua_string(r.body) if r.body else 'nil'}}}")
    return "{\n" + ",\n".join(rows) + "\n}"


def _run(base_url: str, script: Path, seconds: float, connections: int,
         ) -> tuple[dict[str, int], float]:
    """One wrk run; (its summary, wrk's own CPU seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        ["wrk", "-t", "1", "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
         "--timeout", "30s", "-s", str(script), base_url],
        capture_output=True, text=True, check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRK ")), None)
    if done.returncode or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    summary: dict[str, int] = json.loads(line[4:])
    return summary, cpu


def drive_wrk(name: str, base_url: str, requests: list[WrkRequest], *, marker: str,
              seconds: float, connections: int, status: int = 200,
              warmup: float = 2.0) -> Result:
    """Run ``requests`` (chosen at random) for ``seconds`` after a warm-up run."""
    with tempfile.TemporaryDirectory(prefix="family-hub-wrk-") as folder:
        script = Path(folder) / "scenario.lua"
        script.write_text(SCRIPT % {"items": _lua_items(requests),
                                    "marker": _lua_string(marker), "status": status})
        if warmup > 0:
            _run(base_url, script, warmup, connections)
        summary, cpu = _run(base_url, script, seconds, connections)
    elapsed = summary["duration_us"] / 1e6
    errors = {key: summary[key] for key in
              ("bad_status", "wrong_page", "connect", "read", "write", "timeout") if summary[key]}
    good = summary["requests"] - summary["bad_status"] - summary["wrong_page"]
    return Result(
        name, elapsed, errors=errors, count=good,
        percentiles={0.5: summary["p50"] / 1000, 0.95: summary["p95"] / 1000,
                     0.99: summary["p99"] / 1000},
        generator="wrk", driver_cpu_ms=cpu * 1000 / max(summary["requests"], 1),
    )
