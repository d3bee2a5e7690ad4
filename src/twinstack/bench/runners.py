"""Runners decide when iterations start: constant, constant_for_duration, rps, serial.

A runner gets ``execute(iteration)`` (which runs one iteration and records its result) and an
abort event. Iterations are numbered from 1. openstacksdk is synchronous, so concurrency is a
pool of threads: one thread per concurrent iteration.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, ClassVar

from twinstack.bench.registry import register

Execute = Callable[[int], None]


class Runner:
    """Base runner. ``config`` is the runner section without its type."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {"type": "object"}
    plugin_name: ClassVar[str]

    def __init__(self, config: dict[str, Any], execute: Execute, abort: threading.Event) -> None:
        self.config = config
        self.execute = execute
        self.abort = abort
        self._threads: list[threading.Thread] = []

    @classmethod
    def validate(cls, config: dict[str, Any]) -> list[tuple[str, str]]:
        """Checks beyond the schema, as (relative key path, message)."""
        return []

    @classmethod
    def total_iterations(cls, config: dict[str, Any]) -> int | None:
        """How many iterations will run (None if it depends on time)."""
        return config.get("times", 1)

    @classmethod
    def iteration_timeout(cls, config: dict[str, Any]) -> float:
        return float(config.get("timeout", 0) or 0)

    def run(self) -> None:
        raise NotImplementedError

    def _start_workers(self, count: int, target: Callable[[], None]) -> None:
        for n in range(count):
            thread = threading.Thread(target=target, name=f"bench-{self.plugin_name}-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for all workers; True if they have all finished."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in self._threads:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            thread.join(left)
            if thread.is_alive():
                return False
        return True


@register("runner", "constant")
class ConstantRunner(Runner):
    """Run ``times`` iterations, keeping ``concurrency`` of them running at once.

    times: total iterations (default 1). concurrency: iterations in flight (default 1).
    timeout: seconds after which an iteration is failed with TimeoutException (0: none).
    max_cpu_count: accepted for Rally compatibility; twinstack uses threads in one process.
    """

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "times": {"type": "integer", "minimum": 1},
            "concurrency": {"type": "integer", "minimum": 1},
            "timeout": {"type": "number", "minimum": 0},
            "max_cpu_count": {"type": "integer", "minimum": 1},
        },
    }

    def run(self) -> None:
        times = self.config.get("times", 1)
        counter = itertools.count(1)

        def worker() -> None:
            while not self.abort.is_set():
                i = next(counter)
                if i > times:
                    return
                self.execute(i)

        self._start_workers(min(self.config.get("concurrency", 1), times), worker)


@register("runner", "constant_for_duration")
class ConstantForDurationRunner(Runner):
    """Run iterations back to back for ``duration`` seconds with ``concurrency`` in flight.

    duration: seconds (required). concurrency: default 1. timeout: per iteration (default 600).
    """

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["duration"],
        "properties": {
            "duration": {"type": "number", "minimum": 0},
            "concurrency": {"type": "integer", "minimum": 1},
            "timeout": {"type": "number", "minimum": 1},
        },
    }

    @classmethod
    def total_iterations(cls, config: dict[str, Any]) -> int | None:
        return None

    @classmethod
    def iteration_timeout(cls, config: dict[str, Any]) -> float:
        return float(config.get("timeout", 600))

    def run(self) -> None:
        end = time.monotonic() + float(self.config["duration"])
        counter = itertools.count(1)

        def worker() -> None:
            while not self.abort.is_set() and time.monotonic() < end:
                self.execute(next(counter))

        self._start_workers(self.config.get("concurrency", 1), worker)


@register("runner", "serial")
class SerialRunner(Runner):
    """Run ``times`` iterations one after another in one thread (for debugging).

    times: total iterations (default 1). Other keys are accepted and ignored.
    """

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {"times": {"type": "integer", "minimum": 1}},
    }

    def run(self) -> None:
        def worker() -> None:
            for i in range(1, self.config.get("times", 1) + 1):
                if self.abort.is_set():
                    return
                self.execute(i)

        self._start_workers(1, worker)


@register("runner", "rps")
class RPSRunner(Runner):
    """Start iterations at a fixed rate, or a rate that ramps up.

    times: total iterations (required). rps: iterations started per second (required): a number,
    or ``{start, end, step, duration}`` to begin at ``start`` and add ``step`` every ``duration``
    seconds (default 1) up to ``end``. max_concurrency: at most this many iterations in flight
    (default: unlimited); a start is delayed while the limit is reached. timeout: per iteration.
    max_cpu_count: accepted for Rally compatibility.
    """

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["times", "rps"],
        "properties": {
            "times": {"type": "integer", "minimum": 1},
            "rps": {
                "anyOf": [
                    {"type": "number", "exclusiveMinimum": 0},
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["start", "end", "step"],
                        "properties": {
                            "start": {"type": "number", "minimum": 1},
                            "end": {"type": "number", "minimum": 1},
                            "step": {"type": "number", "minimum": 1},
                            "duration": {"type": "number", "minimum": 1},
                        },
                    },
                ]
            },
            "timeout": {"type": "number", "minimum": 0},
            "max_concurrency": {"type": "integer", "minimum": 1},
            "max_cpu_count": {"type": "integer", "minimum": 1},
        },
    }

    @classmethod
    def validate(cls, config: dict[str, Any]) -> list[tuple[str, str]]:
        rps = config.get("rps")
        if isinstance(rps, dict) and rps.get("end", 0) < rps.get("start", 0):
            return [("rps.end", "rps end value must not be less than rps start value")]
        return []

    def rate_at(self, elapsed: float) -> float:
        """Target iterations per second ``elapsed`` seconds after the start."""
        rps = self.config["rps"]
        if not isinstance(rps, dict):
            return float(rps)
        stage = int(elapsed // float(rps.get("duration", 1)))
        return float(min(rps["start"] + rps["step"] * stage, rps["end"]))

    def run(self) -> None:
        self._scheduler = threading.Thread(target=self._schedule, name="bench-rps", daemon=True)
        self._scheduler.start()

    def join(self, timeout: float | None = None) -> bool:
        self._scheduler.join(timeout)
        return not self._scheduler.is_alive()

    def _schedule(self) -> None:
        times = self.config["times"]
        limit = self.config.get("max_concurrency", times)
        jobs: queue.SimpleQueue[int | None] = queue.SimpleQueue()
        idle = threading.Semaphore(0)  # workers waiting for a job
        in_flight = threading.Semaphore(limit)

        def worker() -> None:
            while True:
                idle.release()
                i = jobs.get()
                if i is None:
                    return
                try:
                    self.execute(i)
                finally:
                    in_flight.release()

        workers: list[threading.Thread] = []
        start = time.perf_counter()
        due = start
        for i in range(1, times + 1):
            delay = due - time.perf_counter()
            if delay > 0 and self.abort.wait(delay):
                break
            while not in_flight.acquire(timeout=0.05):
                if self.abort.is_set():
                    break
            if self.abort.is_set():
                break
            if not idle.acquire(blocking=False):
                thread = threading.Thread(target=worker, name=f"bench-rps-{len(workers)}", daemon=True)
                thread.start()
                workers.append(thread)
                idle.acquire()
            jobs.put(i)
            due += 1.0 / self.rate_at(due - start)
        for _ in workers:
            jobs.put(None)
        for thread in workers:
            thread.join()
