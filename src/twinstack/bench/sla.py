"""SLA criteria, checked while the workload runs (``add_iteration``) and summarised at the end.

Each criterion's ``result()`` is ``{"criterion", "success", "detail"}`` (Rally's shape). When a run
is stopped early the checker adds the pseudo-criteria ``aborted_on_sla`` / ``aborted_manually``.
"""

from __future__ import annotations

import math
import threading
from typing import Any, ClassVar

from twinstack.bench import atomic
from twinstack.bench.registry import get as get_plugin
from twinstack.bench.registry import register


def _status(ok: bool) -> str:
    return "Passed" if ok else "Failed"


class SLA:
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {}
    plugin_name: ClassVar[str]

    def __init__(self, value: Any) -> None:
        self.value = value
        self.success = True

    def add_iteration(self, result: dict[str, Any]) -> bool:
        raise NotImplementedError

    def detail(self) -> str:
        raise NotImplementedError

    def result(self) -> dict[str, Any]:
        return {"criterion": self.plugin_name, "success": self.success, "detail": self.detail()}


@register("sla", "failure_rate")
class FailureRate(SLA):
    """The percentage of failed iterations must lie within [min, max] (defaults 0 and 100)."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "object",
        "minProperties": 1,
        "additionalProperties": False,
        "properties": {
            "min": {"type": "number", "minimum": 0.0, "maximum": 100.0},
            "max": {"type": "number", "minimum": 0.0, "maximum": 100.0},
        },
    }

    def __init__(self, value: dict[str, float]) -> None:
        super().__init__(value)
        self.min = float(value.get("min", 0))
        self.max = float(value.get("max", 100))
        self.total = 0
        self.errors = 0

    def rate(self) -> float:
        return self.errors * 100.0 / self.total if self.total else 0.0

    def add_iteration(self, result: dict[str, Any]) -> bool:
        self.total += 1
        if result.get("error"):
            self.errors += 1
        self.success = self.min <= self.rate() <= self.max
        return self.success

    def detail(self) -> str:
        return (
            f"Failure rate criteria {self.min:.2f}% <= {self.rate():.2f}% <= {self.max:.2f}%"
            f" - {_status(self.success)}"
        )


@register("sla", "max_seconds_per_iteration")
class MaxSecondsPerIteration(SLA):
    """The longest iteration (failed ones included) must take at most this many seconds."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {"type": "number", "exclusiveMinimum": 0}

    def __init__(self, value: float) -> None:
        super().__init__(value)
        self.max_seen = 0.0

    def add_iteration(self, result: dict[str, Any]) -> bool:
        self.max_seen = max(self.max_seen, result["duration"])
        self.success = self.max_seen <= self.value
        return self.success

    def detail(self) -> str:
        return (
            f"Maximum seconds per iteration {self.max_seen:.2f}s <= {self.value:.2f}s"
            f" - {_status(self.success)}"
        )


@register("sla", "max_avg_duration")
class MaxAverageDuration(SLA):
    """The mean duration of successful iterations must be at most this many seconds."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {"type": "number", "exclusiveMinimum": 0}

    def __init__(self, value: float) -> None:
        super().__init__(value)
        self.count = 0
        self.total = 0.0

    def avg(self) -> float:
        return self.total / self.count if self.count else 0.0

    def add_iteration(self, result: dict[str, Any]) -> bool:
        if not result.get("error"):
            self.count += 1
            self.total += result["duration"]
        self.success = self.avg() <= self.value
        return self.success

    def detail(self) -> str:
        return (
            f"Average duration of one iteration {self.avg():.2f}s <= {self.value:.2f}s"
            f" - {_status(self.success)}"
        )


@register("sla", "max_avg_duration_per_atomic")
class MaxAverageDurationPerAtomic(SLA):
    """The mean duration of each named atomic action (successful iterations) must stay below
    its limit: ``{"nova.boot_server": 5.0, ...}``."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "object",
        "minProperties": 1,
        "patternProperties": {".*": {"type": "number", "exclusiveMinimum": 0}},
    }

    def __init__(self, value: dict[str, float]) -> None:
        super().__init__(value)
        self.sums = dict.fromkeys(value, 0.0)
        self.counts = dict.fromkeys(value, 0)

    def add_iteration(self, result: dict[str, Any]) -> bool:
        if not result.get("error"):
            for name, entry in atomic.merge(result.get("atomic_actions", []), depth=0).items():
                if name in self.sums:
                    self.sums[name] += entry["duration"]
                    self.counts[name] += 1
        self.success = all(self.avg(n) <= limit for n, limit in self.value.items())
        return self.success

    def avg(self, name: str) -> float:
        return self.sums[name] / self.counts[name] if self.counts[name] else 0.0

    def detail(self) -> str:
        parts = [f"{n} {self.avg(n):.2f}s <= {limit:.2f}s" for n, limit in self.value.items()]
        return f"Average duration of atomic actions: {', '.join(parts)} - {_status(self.success)}"


@register("sla", "outliers")
class Outliers(SLA):
    """At most ``max`` (default 0) successful iterations may exceed mean + ``sigmas`` (3.0) * std.

    The mean and std are streamed; checking starts after ``min_iterations`` (default 3, >= 3).
    Like Rally's, the count is an approximation: the threshold moves as iterations arrive.
    """

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "max": {"type": "integer", "minimum": 0},
            "min_iterations": {"type": "integer", "minimum": 3},
            "sigmas": {"type": "number", "exclusiveMinimum": 0},
        },
    }

    def __init__(self, value: dict[str, Any]) -> None:
        super().__init__(value)
        self.max = value.get("max", 0)
        self.min_iterations = value.get("min_iterations", 3)
        self.sigmas = float(value.get("sigmas", 3.0))
        self.n = 0
        self.mean = 0.0
        self.m2 = 0.0
        self.threshold: float | None = None
        self.outliers = 0

    def add_iteration(self, result: dict[str, Any]) -> bool:
        if not result.get("error"):
            d = result["duration"]
            self.n += 1
            if self.n >= self.min_iterations and self.threshold is not None and d > self.threshold:
                self.outliers += 1
            delta = d - self.mean  # Welford's streaming mean / variance
            self.mean += delta / self.n
            self.m2 += delta * (d - self.mean)
            if self.n >= 2:
                self.threshold = self.mean + self.sigmas * math.sqrt(self.m2 / (self.n - 1))
        self.success = self.outliers <= self.max
        return self.success

    def detail(self) -> str:
        return f"Maximum number of outliers {self.outliers} <= {self.max} - {_status(self.success)}"


@register("sla", "performance_degradation")
class PerformanceDegradation(SLA):
    """(max / min - 1) * 100 over successful iterations' durations must be <= max_degradation %."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["max_degradation"],
        "properties": {"max_degradation": {"type": "number", "minimum": 0.0}},
    }

    def __init__(self, value: dict[str, float]) -> None:
        super().__init__(value)
        self.limit = float(value["max_degradation"])
        self.min: float | None = None
        self.max: float | None = None

    def degradation(self) -> float:
        if not self.min or self.max is None:
            return 0.0
        return (self.max / self.min - 1) * 100.0

    def add_iteration(self, result: dict[str, Any]) -> bool:
        if not result.get("error"):
            d = result["duration"]
            self.min = d if self.min is None else min(self.min, d)
            self.max = d if self.max is None else max(self.max, d)
        self.success = self.degradation() <= self.limit
        return self.success

    def detail(self) -> str:
        return f"Current degradation: {self.degradation():.2f}% - {_status(self.success)}"


class SLAChecker:
    """Feeds every iteration to the workload's criteria; thread-safe."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.criteria: list[SLA] = [get_plugin("sla", name)(value) for name, value in config.items()]
        self._lock = threading.Lock()
        self.aborted_on_sla = False
        self.aborted_manually = False
        self.first_failure: str | None = None

    def add_iteration(self, result: dict[str, Any]) -> bool:
        with self._lock:
            ok = True
            for sla in self.criteria:
                if not sla.add_iteration(result):
                    ok = False
                    if self.first_failure is None:
                        self.first_failure = sla.detail()
            return ok

    def passed(self) -> bool:
        return (
            all(sla.success for sla in self.criteria)
            and not self.aborted_on_sla
            and not self.aborted_manually
        )

    def results(self) -> list[dict[str, Any]]:
        with self._lock:
            out = [sla.result() for sla in self.criteria]
        if self.aborted_on_sla:
            out.append(
                {
                    "criterion": "aborted_on_sla",
                    "success": False,
                    "detail": "Task was aborted due to SLA failure(s).",
                }
            )
        if self.aborted_manually:
            out.append(
                {
                    "criterion": "aborted_manually",
                    "success": False,
                    "detail": "Task was aborted due to abort signal.",
                }
            )
        return out
