"""Side-by-side comparison of two runs, workload by workload (matched by scenario and order)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.table import Table

METRICS = ("min", "median", "90%ile", "95%ile", "max", "avg")


def _keyed(run: dict[str, Any]) -> dict[tuple[str, int], dict[str, Any]]:
    seen: Counter[str] = Counter()
    out = {}
    for sub in run["subtasks"]:
        for w in sub["workloads"]:
            seen[w["name"]] += 1
            out[(w["name"], seen[w["name"]])] = w
    return out


def _change(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or a == 0:
        return None
    return (b - a) / a * 100.0


def _success(row: dict[str, Any] | None) -> float | None:
    if not row or row["success"] == "n/a":
        return None
    return float(row["success"].rstrip("%"))


def compare(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """Per workload and action row: values in A, in B and the change in percent."""
    ka, kb = _keyed(a), _keyed(b)
    out = []
    for key in list(ka) + [k for k in kb if k not in ka]:
        wa, wb = ka.get(key), kb.get(key)
        rows_a = {
            tuple(r["path"]): r for r in (wa or {}).get("statistics", {}).get("durations", {}).get("rows", [])
        }
        rows_b = {
            tuple(r["path"]): r for r in (wb or {}).get("statistics", {}).get("durations", {}).get("rows", [])
        }
        actions = []
        for path in list(rows_a) + [p for p in rows_b if p not in rows_a]:
            ra, rb = rows_a.get(path), rows_b.get(path)
            metrics = {
                m: {
                    "a": ra[m] if ra else None,
                    "b": rb[m] if rb else None,
                    "change": _change(ra[m] if ra else None, rb[m] if rb else None),
                }
                for m in METRICS
            }
            actions.append(
                {
                    "path": list(path),
                    "name": path[-1],
                    "depth": len(path) - 1,
                    "metrics": metrics,
                    "success": {"a": _success(ra), "b": _success(rb)},
                    "count": {
                        "a": ra["iteration_count"] if ra else None,
                        "b": rb["iteration_count"] if rb else None,
                    },
                }
            )
        out.append(
            {
                "scenario": key[0],
                "occurrence": key[1],
                "in_a": wa is not None,
                "in_b": wb is not None,
                "pass_sla": {"a": wa["pass_sla"] if wa else None, "b": wb["pass_sla"] if wb else None},
                "load_duration": {
                    "a": wa["load_duration"] if wa else None,
                    "b": wb["load_duration"] if wb else None,
                },
                "actions": actions,
            }
        )
    return out


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _pct(value: float | None) -> str:
    if value is None:
        return ""
    colour = "red" if value > 5 else "green" if value < -5 else "white"
    return f"[{colour}]{value:+.1f}%[/]"


def compare_table(comparison: list[dict[str, Any]]) -> Table:
    table = Table(title="A vs B (seconds; change relative to A)")
    for col in (
        "workload",
        "action",
        "median A",
        "median B",
        "Δ",
        "95%ile A",
        "95%ile B",
        "Δ",
        "avg A",
        "avg B",
        "Δ",
        "success A",
        "success B",
    ):
        table.add_column(col, justify="left" if col in ("workload", "action") else "right")
    for w in comparison:
        label = w["scenario"] + (f" #{w['occurrence']}" if w["occurrence"] > 1 else "")
        if not (w["in_a"] and w["in_b"]):
            label += " (only in A)" if w["in_a"] else " (only in B)"
        for n, act in enumerate(w["actions"]):
            m = act["metrics"]
            sa, sb = act["success"]["a"], act["success"]["b"]
            table.add_row(
                label if n == 0 else "",
                "  " * act["depth"] + act["name"],
                _fmt(m["median"]["a"]),
                _fmt(m["median"]["b"]),
                _pct(m["median"]["change"]),
                _fmt(m["95%ile"]["a"]),
                _fmt(m["95%ile"]["b"]),
                _pct(m["95%ile"]["change"]),
                _fmt(m["avg"]["a"]),
                _fmt(m["avg"]["b"]),
                _pct(m["avg"]["change"]),
                "-" if sa is None else f"{sa:.1f}%",
                "-" if sb is None else f"{sb:.1f}%",
            )
    return table
