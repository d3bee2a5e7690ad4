"""The self-contained HTML report: Rally's report content, plotly.js inlined (no CDN)."""

from __future__ import annotations

import datetime as dt
import json
from collections import OrderedDict
from functools import lru_cache
from typing import Any

import jinja2

from twinstack.bench.report import charts


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """plotly.js from the installed plotly package (so the report works offline)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("twinstack.bench.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
    )
    env.filters["sec"] = lambda v: "n/a" if v is None else f"{v:.3f}"
    env.filters["ts"] = lambda v: (
        "" if v is None else dt.datetime.fromtimestamp(v).strftime("%Y-%m-%d %H:%M:%S")
    )
    env.filters["pct"] = lambda v: "" if v is None else f"{v:+.1f}%"
    return env


def _script_json(value: Any) -> str:
    """JSON safe to place inside a <script> element."""
    return json.dumps(value, default=str).replace("</", "<\\/")


def _workload_view(run: dict[str, Any], w: dict[str, Any], wid: str, figs: dict[str, Any]) -> dict[str, Any]:
    data = w["data"]

    def fig(name: str, spec: dict[str, Any]) -> str:
        key = f"{wid}-{name}"
        figs[key] = spec
        return key

    ok = [it["duration"] for it in data if not it["error"]]
    overview = [
        fig("total", charts.total_durations(data)),
        fig("load", charts.load_profile(data)),
        fig("pie", charts.distribution(data)),
        fig("hist", charts.histogram(ok, "Histogram")),
    ]
    details = []
    if any(it.get("atomic_actions") for it in data):
        details = [
            fig("atomic", charts.atomic_durations(data)),
            fig("atomic-pie", charts.atomic_pie(data)),
            fig("atomic-hist", charts.atomic_histogram(data)),
        ]
    additive = []
    for n, item in enumerate(charts.additive_outputs(data)):
        if item["kind"] == "figure":
            item["id"] = fig(f"add{n}", item.pop("figure"))
        additive.append(item)
    complete = []
    for k, it in enumerate(data[:50]):
        items = []
        for n, item in enumerate(it.get("output", {}).get("complete", [])):
            view = charts.complete_output(item)
            if view["kind"] == "figure":
                view["id"] = fig(f"it{k}-c{n}", view.pop("figure"))
            items.append(view)
        if items:
            complete.append({"iteration": k + 1, "items": items})
    failures = [
        {
            "iteration": k + 1,
            "type": it["error"][0],
            "message": it["error"][1],
            "traceback": it["error"][2] if len(it["error"]) > 2 else "",
        }
        for k, it in enumerate(data)
        if it["error"]
    ]
    config = {
        "scenario": {w["name"]: w["args"]},
        "runner": {w["runner_type"]: w["runner"]},
        "contexts": w["contexts"],
        "sla": w["sla"],
        "hooks": [h["config"] for h in w.get("hooks", [])],
    }
    return {
        "id": wid,
        "run": run,
        "w": w,
        "name": w["name"],
        "group": w["name"].split(".")[0],
        "overview": overview,
        "details": details,
        "additive": additive,
        "complete": complete,
        "failures": failures,
        "input": json.dumps(config, indent=2, default=str),
        "hooks": w.get("hooks", []),
        "contexts": w.get("contexts_results", []),
        "stats": w["statistics"]["durations"]["rows"],
    }


def build(runs: list[dict[str, Any]]) -> dict[str, Any]:
    figs: dict[str, Any] = {}
    workloads = []
    for r, run in enumerate(runs):
        for s, sub in enumerate(run["subtasks"]):
            for k, w in enumerate(sub["workloads"]):
                workloads.append(_workload_view(run, w, f"r{r}s{s}w{k}", figs))
    groups: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
    for view in workloads:
        groups.setdefault(view["group"], []).append(view)
    title = runs[0]["title"] if len(runs) == 1 else f"{len(runs)} runs"
    return {
        "title": title,
        "runs": runs,
        "workloads": workloads,
        "groups": groups,
        "figures": _script_json(figs),
        "generated": dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
    }


def render_html(runs: list[dict[str, Any]]) -> str:
    model = build(runs)
    return _env().get_template("report.html.j2").render(**model, plotly_js=plotly_js())


def render_compare_html(a: dict[str, Any], b: dict[str, Any], comparison: list[dict[str, Any]]) -> str:
    figs: dict[str, Any] = {}
    for n, w in enumerate(comparison):
        names = [("  " * act["depth"]) + act["name"] for act in w["actions"]]
        traces = []
        for side, label in (("a", f"A {a['uuid']}"), ("b", f"B {b['uuid']}")):
            for metric in ("median", "95%ile"):
                traces.append(
                    {
                        "type": "bar",
                        "name": f"{label} {metric}",
                        "y": names,
                        "x": [act["metrics"][metric][side] for act in w["actions"]],
                        "orientation": "h",
                    }
                )
        figs[f"cmp{n}"] = {
            "data": traces,
            "layout": {
                "title": {"text": w["scenario"]},
                "barmode": "group",
                "height": 120 + 60 * len(names),
                "margin": {"l": 160, "r": 20, "t": 40, "b": 40},
                "xaxis": {"title": {"text": "seconds"}},
                "yaxis": {"autorange": "reversed"},
            },
        }
        w["figure"] = f"cmp{n}"
    return (
        _env()
        .get_template("compare.html.j2")
        .render(
            a=a,
            b=b,
            comparison=comparison,
            figures=_script_json(figs),
            plotly_js=plotly_js(),
            generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
        )
    )
