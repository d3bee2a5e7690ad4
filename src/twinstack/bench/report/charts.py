"""Plotly figure specs (plain dicts) for the HTML report, one function per chart."""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from typing import Any

from twinstack.bench import atomic, stats

MAX_POINTS = 1000
_FONT = {"family": "system-ui, sans-serif", "size": 12}


def _layout(title: str, xaxis: str, yaxis: str, **extra: Any) -> dict[str, Any]:
    return {
        "title": {"text": title, "font": {"size": 14}},
        "font": _FONT,
        "height": 320,
        "margin": {"l": 60, "r": 20, "t": 40, "b": 45},
        "xaxis": {"title": {"text": xaxis}},
        "yaxis": {"title": {"text": yaxis}},
        "legend": {"orientation": "h", "y": -0.25},
        **extra,
    }


def _compress(xs: list[float], ys: list[float]) -> tuple[list[float], list[float]]:
    """Average consecutive points so a chart has at most MAX_POINTS (as Rally's report does)."""
    if len(xs) <= MAX_POINTS:
        return xs, ys
    size = len(xs) / MAX_POINTS
    ox, oy = [], []
    for k in range(MAX_POINTS):
        a, b = int(k * size), max(int((k + 1) * size), int(k * size) + 1)
        ox.append(xs[b - 1])
        oy.append(sum(ys[a:b]) / (b - a))
    return ox, oy


def total_durations(data: list[dict[str, Any]]) -> dict[str, Any]:
    n = list(range(1, len(data) + 1))
    dur = [0.0 if it["error"] else it["duration"] for it in data]
    idle = [it.get("idle_duration", 0.0) for it in data]
    failed = [it["duration"] if it["error"] else 0.0 for it in data]
    traces = []
    for name, ys in (("duration", dur), ("idle_duration", idle), ("failed_duration", failed)):
        x, y = _compress(n, ys)
        traces.append({"type": "scatter", "mode": "lines", "stackgroup": "one", "name": name, "x": x, "y": y})
    return {"data": traces, "layout": _layout("Total durations", "Iteration sequence number", "Duration (s)")}


def load_profile(data: list[dict[str, Any]]) -> dict[str, Any]:
    x, y = stats.load_profile(data)
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines",
                "fill": "tozeroy",
                "name": "parallel iterations",
                "x": x,
                "y": y,
            }
        ],
        "layout": _layout("Load Profile", "Timeline (s)", "Iterations running in parallel"),
    }


def distribution(data: list[dict[str, Any]]) -> dict[str, Any]:
    errors = sum(1 for it in data if it["error"])
    return {
        "data": [
            {
                "type": "pie",
                "labels": ["success", "errors"],
                "values": [len(data) - errors, errors],
                "hole": 0.4,
                "marker": {"colors": ["#2ca02c", "#d62728"]},
            }
        ],
        "layout": {**_layout("Distribution", "", ""), "height": 300},
    }


def histogram(values: list[float], title: str) -> dict[str, Any]:
    """Duration histogram with buttons for Rally's three bin rules (bins counted here, so the
    report stays small however many iterations ran)."""
    rules = (("Square Root Choice", "sqrt"), ("Sturges Formula", "sturges"), ("Rice Rule", "rice"))
    traces, buttons = [], []
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    for k, (label, rule) in enumerate(rules):
        bins = stats.histogram_bins(len(values), rule)
        size = (hi - lo) / bins if hi > lo else 1.0
        counts = [0] * bins
        for v in values:
            counts[min(int((v - lo) / size), bins - 1)] += 1
        traces.append(
            {
                "type": "bar",
                "name": label,
                "visible": k == 0,
                "x": [round(lo + size * (i + 0.5), 6) for i in range(bins)],
                "y": counts,
                "width": [size * 0.95] * bins,
            }
        )
        buttons.append(
            {"label": label, "method": "update", "args": [{"visible": [j == k for j in range(len(rules))]}]}
        )
    layout = _layout(title, "Duration (s)", "Iterations")
    layout["updatemenus"] = [
        {
            "type": "buttons",
            "direction": "right",
            "x": 1,
            "xanchor": "right",
            "y": 1.25,
            "buttons": buttons,
            "showactive": True,
        }
    ]
    return {"data": traces, "layout": layout}


def atomic_series(data: list[dict[str, Any]]) -> OrderedDict[str, list[float]]:
    """Top-level merged atomic action durations per iteration (0 where absent)."""
    series: OrderedDict[str, list[float]] = OrderedDict()
    for k, it in enumerate(data):
        for name, entry in atomic.merge(it.get("atomic_actions", []), depth=0).items():
            series.setdefault(name, [0.0] * len(data))[k] = entry["duration"]
    return series


def atomic_durations(data: list[dict[str, Any]]) -> dict[str, Any]:
    n = list(range(1, len(data) + 1))
    traces = []
    for name, ys in atomic_series(data).items():
        x, y = _compress(n, ys)
        traces.append({"type": "scatter", "mode": "lines", "stackgroup": "one", "name": name, "x": x, "y": y})
    return {
        "data": traces,
        "layout": _layout("Atomic Action Durations", "Iteration sequence number", "Duration (s)"),
    }


def atomic_pie(data: list[dict[str, Any]]) -> dict[str, Any]:
    series = atomic_series(data)
    return {
        "data": [
            {
                "type": "pie",
                "labels": list(series),
                "values": [sum(v) / max(len(v), 1) for v in series.values()],
                "hole": 0.4,
            }
        ],
        "layout": {**_layout("Average atomic action durations", "", ""), "height": 300},
    }


def atomic_histogram(data: list[dict[str, Any]]) -> dict[str, Any]:
    traces = [
        {"type": "histogram", "x": [v for v in ys if v > 0][:5000], "name": name, "opacity": 0.7}
        for name, ys in atomic_series(data).items()
    ]
    layout = _layout("Atomic Action Histogram", "Duration (s)", "Iterations")
    layout["barmode"] = "overlay"
    return {"data": traces, "layout": layout}


# -- scenario output (add_output) ------------------------------------------------------------


def additive_outputs(data: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Aggregate each additive chart over iterations: a figure, or a table for StatsTable."""
    charts: OrderedDict[str, dict[str, Any]] = OrderedDict()
    for k, it in enumerate(data):
        for item in it.get("output", {}).get("additive", []):
            chart = charts.setdefault(item["title"], {"item": item, "series": defaultdict(dict)})
            for name, value in item["data"]:
                chart["series"][name][k + 1] = value
    out = []
    for title, chart in charts.items():
        item, series = chart["item"], chart["series"]
        plugin = item["chart_plugin"]
        if plugin in ("StatsTable", "Table"):
            rows = []
            for name, points in series.items():
                values = sorted(points.values())
                s = stats.summary(values, len(values), len(values))
                rows.append(
                    [name]
                    + [s[c] for c in ("min", "median", "90%ile", "95%ile", "max", "avg")]
                    + [len(values)]
                )
            out.append(
                {
                    "kind": "table",
                    "title": title,
                    "description": item.get("description", ""),
                    "cols": ["Action", "Min", "Median", "90%ile", "95%ile", "Max", "Avg", "Count"],
                    "rows": rows,
                }
            )
            continue
        if plugin == "Pie":
            fig = {
                "data": [
                    {
                        "type": "pie",
                        "labels": list(series),
                        "values": [sum(p.values()) for p in series.values()],
                    }
                ],
                "layout": {**_layout(title, "", ""), "height": 300},
            }
        else:
            stacked = plugin == "StackedArea"
            fig = {
                "data": [
                    {
                        "type": "scatter",
                        "mode": "lines",
                        "name": name,
                        **({"stackgroup": "one"} if stacked else {}),
                        "x": list(points),
                        "y": list(points.values()),
                    }
                    for name, points in series.items()
                ],
                "layout": _layout(title, "Iteration sequence number", item.get("label", "")),
            }
        out.append(
            {"kind": "figure", "title": title, "description": item.get("description", ""), "figure": fig}
        )
    return out


def complete_output(item: dict[str, Any]) -> dict[str, Any]:
    """One complete chart of one iteration."""
    plugin, title = item["chart_plugin"], item["title"]
    base = {"title": title, "description": item.get("description", "")}
    if plugin == "TextArea":
        return {**base, "kind": "text", "text": item["data"]}
    if plugin == "Table":
        return {**base, "kind": "table", "cols": item["data"]["cols"], "rows": item["data"]["rows"]}
    if plugin in ("EmbeddedChart", "EmbeddedExternalChart"):
        return {**base, "kind": "text", "text": [str(item["data"])]}
    if plugin in ("Pie", "StatsTable"):
        return {
            **base,
            "kind": "figure",
            "figure": {
                "data": [
                    {
                        "type": "pie",
                        "labels": [d[0] for d in item["data"]],
                        "values": [d[1] for d in item["data"]],
                    }
                ],
                "layout": {**_layout(title, "", ""), "height": 300},
            },
        }
    stacked = plugin == "StackedArea"
    return {
        **base,
        "kind": "figure",
        "figure": {
            "data": [
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": name,
                    **({"stackgroup": "one"} if stacked else {}),
                    "x": [p[0] for p in points],
                    "y": [p[1] for p in points],
                }
                for name, points in item["data"]
            ],
            "layout": _layout(title, item.get("axis_label", ""), item.get("label", "")),
        },
    }
