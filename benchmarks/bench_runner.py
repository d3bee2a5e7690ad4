"""Bench engine benchmarks: runner overhead per no-op iteration, and rps accuracy.

    python benchmarks/bench_runner.py [--iterations 100000] [--rps 500] [--rps-times 5000]

Writes benchmarks/results/bench_runner-<timestamp>.json with a machine description.
Targets: overhead <= 0.5 ms per iteration; achieved rps within 2 % of the requested rate.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from twinstack.bench import registry
from twinstack.bench.engine import Engine
from twinstack.bench.scenario import Scenario
from twinstack.bench.task import loads


@registry.register("scenario", "Bench.noop")
class Noop(Scenario):
    """Does nothing at all: measures the engine."""

    def run(self) -> None:
        return None


def _task(runner: dict[str, Any]) -> str:
    return json.dumps(
        {
            "version": 2,
            "title": "bench",
            "subtasks": [{"title": "noop", "scenario": {"Bench.noop": {}}, "runner": runner}],
        }
    )


def runner_overhead(iterations: int, concurrency: int) -> dict[str, Any]:
    task = loads(_task({"constant": {"times": iterations, "concurrency": concurrency}}))
    start = time.perf_counter()
    run = Engine(task).run()
    wall = time.perf_counter() - start
    w = run["subtasks"][0]["workloads"][0]
    assert w["total_iteration_count"] == iterations
    return {
        "iterations": iterations,
        "concurrency": concurrency,
        "wall_seconds": round(wall, 3),
        "load_seconds": round(w["load_duration"], 3),
        "overhead_ms_per_iteration": round(wall / iterations * 1000, 4),
        "target_ms": 0.5,
        "ok": wall / iterations * 1000 <= 0.5,
    }


def rps_accuracy(rps: float, times: int) -> dict[str, Any]:
    task = loads(_task({"rps": {"times": times, "rps": rps}}))
    run = Engine(task).run()
    data = run["subtasks"][0]["workloads"][0]["data"]
    starts = sorted(i["timestamp"] for i in data)
    achieved = (len(starts) - 1) / (starts[-1] - starts[0])
    error = abs(achieved - rps) / rps * 100
    gaps = sorted(b - a for a, b in zip(starts, starts[1:], strict=False))
    return {
        "requested_rps": rps,
        "iterations": times,
        "achieved_rps": round(achieved, 2),
        "error_percent": round(error, 3),
        "target_percent": 2.0,
        "ok": error <= 2.0,
        "gap_p50_ms": round(gaps[len(gaps) // 2] * 1000, 3),
        "gap_p99_ms": round(gaps[int(len(gaps) * 0.99)] * 1000, 3),
    }


def machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--rps", type=float, default=500.0)
    parser.add_argument("--rps-times", type=int, default=5000)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    result = {
        "benchmark": "bench_runner",
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "machine": machine(),
        "runner_overhead": [runner_overhead(args.iterations, c) for c in sorted({1, args.concurrency, 10})],
        "rps_accuracy": rps_accuracy(args.rps, args.rps_times),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"bench_runner-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
