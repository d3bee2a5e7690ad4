"""Statistics over iterations: Rally's stats table, durations, load profile, histograms."""

from __future__ import annotations

import math
from typing import Any

from twinstack.bench import atomic

STAT_COLS = [
    "Action",
    "Min (sec)",
    "Median (sec)",
    "90%ile (sec)",
    "95%ile (sec)",
    "Max (sec)",
    "Avg (sec)",
    "Success",
    "Count",
]


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Linear-interpolated percentile (p in 0..1) of an already sorted list."""
    if not sorted_values:
        return None
    k = (len(sorted_values) - 1) * p
    lo, hi = math.floor(k), math.ceil(k)
    if lo == hi:
        return sorted_values[int(k)]
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def summary(durations: list[float], success: int, count: int) -> dict[str, Any]:
    values = sorted(durations)
    return {
        "min": values[0] if values else None,
        "median": percentile(values, 0.5),
        "90%ile": percentile(values, 0.9),
        "95%ile": percentile(values, 0.95),
        "max": values[-1] if values else None,
        "avg": sum(values) / len(values) if values else None,
        "success": f"{100.0 * success / count:.1f}%" if count else "n/a",
        "iteration_count": count,
    }


def stats_table(iterations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for each atomic action (children after parents, ``depth`` set) and ``total``."""
    rows: dict[tuple[str, ...], dict[str, Any]] = {}
    total: list[float] = []
    ok = 0
    for it in iterations:
        for path, entry in atomic.flatten(atomic.merge(it.get("atomic_actions", []))):
            row = rows.setdefault(path, {"durations": [], "success": 0, "count": 0})
            row["count"] += 1
            if not entry.get("failed"):
                row["success"] += 1
                row["durations"].append(entry["duration"])
        if not it.get("error"):
            ok += 1
            total.append(it["duration"])
    out = [
        {
            "name": path[-1],
            "path": list(path),
            "depth": len(path) - 1,
            **summary(r["durations"], r["success"], r["count"]),
        }
        for path, r in rows.items()
    ]
    out.append({"name": "total", "path": ["total"], "depth": 0, **summary(total, ok, len(iterations))})
    return out


def load_profile(iterations: list[dict[str, Any]], buckets: int = 100) -> tuple[list[float], list[float]]:
    """How many iterations ran in parallel over time: (x seconds since start, y concurrency)."""
    if not iterations:
        return [], []
    start = min(it["timestamp"] for it in iterations)
    end = max(it["timestamp"] + it["duration"] + it.get("idle_duration", 0) for it in iterations)
    span = max(end - start, 1e-9)
    step = span / buckets
    load = [0.0] * (buckets + 1)
    for it in iterations:
        a = it["timestamp"] - start
        b = a + it["duration"] + it.get("idle_duration", 0)
        first, last = int(a // step), min(int(b // step), buckets)
        for i in range(first, last + 1):
            lo, hi = max(a, i * step), min(b, (i + 1) * step)
            if hi > lo:
                load[i] += (hi - lo) / step
    return [round(i * step, 6) for i in range(buckets + 1)], load


def histogram_bins(n: int, method: str) -> int:
    """Bin count by Rally's three rules."""
    if n <= 1:
        return 1
    if method == "sturges":
        return int(math.ceil(math.log2(n) + 1))
    if method == "rice":
        return int(math.ceil(2 * n ** (1 / 3)))
    return int(math.ceil(math.sqrt(n)))  # square root choice


def workload_numbers(iterations: list[dict[str, Any]]) -> dict[str, Any]:
    """min/max duration, load duration, counts, as Rally stores them on a workload."""
    ok = [it["duration"] for it in iterations if not it.get("error")]
    if iterations:
        start = min(it["timestamp"] for it in iterations)
        end = max(it["timestamp"] + it["duration"] + it.get("idle_duration", 0) for it in iterations)
    else:
        start = end = 0.0
    return {
        "min_duration": min(ok) if ok else None,
        "max_duration": max(ok) if ok else None,
        "load_duration": end - start,
        "total_iteration_count": len(iterations),
        "failed_iteration_count": sum(1 for it in iterations if it.get("error")),
    }
