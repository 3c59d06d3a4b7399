"""What one load scenario measured, and the goals it is judged against."""

from __future__ import annotations

from dataclasses import dataclass, field

GOALS = {  # scenario: (requests a second at least, p95 below in ms)
    "search": (200, 150),
    # Also: p99 at most 100 ms and within 10% of search's rate (run.py compares them).
    "search+capacity": (200, 150),
    "family page": (300, 100),
    "provider inbox": (None, None),
    "send referral": (50, None),
}


@dataclass
class Result:
    name: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    # Set when the generator reports percentiles itself (wrk) instead of latencies.
    count: int | None = None
    percentiles: dict[float, float] = field(default_factory=dict)
    generator: str = "python"
    # This driver's own CPU per request (ms): the load generator shares the machine's
    # two cores with gunicorn, so its cost is shown beside the server's figures.
    driver_cpu_ms: float = float("nan")

    def percentile(self, share: float) -> float:
        if share in self.percentiles:
            return self.percentiles[share]
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(int(len(ordered) * share), len(ordered) - 1)]

    @property
    def rate(self) -> float:
        count = self.count if self.count is not None else len(self.latencies)
        return count / self.seconds

    def line(self) -> str:
        low, p95_under = GOALS[self.name]
        verdict = []
        if low is not None:
            verdict.append("ok" if self.rate >= low else f"below {low}/s")
        if p95_under is not None:
            verdict.append("ok" if self.percentile(0.95) < p95_under else f"p95 over {p95_under}")
        errors = sum(self.errors.values())
        done = self.count if self.count is not None else len(self.latencies)
        return (f"{self.name:<15} {self.rate:8.1f} req/s  p50 {self.percentile(0.5):6.1f} ms  "
                f"p95 {self.percentile(0.95):6.1f} ms  p99 {self.percentile(0.99):6.1f} ms  "
                f"{done:6d} ok  {errors} errors {self.errors or ''}  "
                f"{self.generator} {self.driver_cpu_ms:.2f} ms CPU/req  {' '.join(verdict)}")


