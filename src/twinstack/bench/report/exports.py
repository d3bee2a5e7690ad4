"""JSON (Rally's ``task report --json`` layout, format 1.2) and JUnit XML exports."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from typing import Any

from twinstack import __name__ as _pkg


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(ts, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _workload(w: dict[str, Any]) -> dict[str, Any]:
    return {
        "uuid": w["uuid"],
        "description": w["description"],
        "runner": {w["runner_type"]: w["runner"]},
        "hooks": w["hooks"],
        "scenario": {w["name"]: w["args"]},
        "min_duration": w["min_duration"],
        "max_duration": w["max_duration"],
        "start_time": w["start_time"],
        "load_duration": w["load_duration"],
        "full_duration": w["full_duration"],
        "statistics": w["statistics"],
        "data": w["data"],
        "failed_iteration_count": w["failed_iteration_count"],
        "total_iteration_count": w["total_iteration_count"],
        "created_at": _iso(w["created_at"]),
        "updated_at": _iso(w.get("updated_at")),
        "contexts": w["contexts"],
        "contexts_results": w.get("contexts_results", []),
        "position": w["position"],
        "pass_sla": w["pass_sla"],
        "sla_results": w["sla_results"],
        "sla": w["sla"],
    }


def to_json(runs: list[dict[str, Any]]) -> str:
    tasks = []
    for run in runs:
        tasks.append(
            {
                "uuid": run["uuid"],
                "title": run["title"],
                "description": run["description"],
                "status": run["status"],
                "tags": run.get("tags", []),
                "env_uuid": None,
                "env_name": (run.get("env") or {}).get("source"),
                "created_at": _iso(run["created_at"]),
                "updated_at": _iso(run.get("updated_at")),
                "pass_sla": run.get("pass_sla"),
                "input_task": run.get("input_task", ""),
                "subtasks": [
                    {
                        "uuid": s["uuid"],
                        "title": s["title"],
                        "description": s["description"],
                        "status": s.get("status"),
                        "created_at": _iso(s.get("created_at")),
                        "updated_at": _iso(s.get("created_at")),
                        "sla": {},
                        "workloads": [_workload(w) for w in s["workloads"]],
                    }
                    for s in run["subtasks"]
                ],
            }
        )
    info = {
        "generated_at": dt.datetime.now(tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "format_version": "1.2",
        "generator": f"{_pkg} bench",
    }
    return json.dumps({"info": info, "tasks": tasks}, indent=2, default=str)


def to_junit(runs: list[dict[str, Any]]) -> str:
    """One testsuite per run, one testcase per workload; failed SLAs and crashes are failures."""
    root = ET.Element("testsuites")
    for run in runs:
        workloads = [w for s in run["subtasks"] for w in s["workloads"]]
        failures = sum(1 for w in workloads if not w["pass_sla"])
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "id": run["uuid"],
                "name": run["title"],
                "tests": str(len(workloads)),
                "failures": str(failures),
                "errors": "0",
                "skipped": "0",
                "time": f"{sum(w['full_duration'] for w in workloads):.2f}",
                "timestamp": _iso(run["created_at"]) or "",
            },
        )
        for w in workloads:
            group, _, name = w["name"].partition(".")
            case = ET.SubElement(
                suite,
                "testcase",
                {
                    "classname": group,
                    "name": name or group,
                    "id": w["uuid"],
                    "time": f"{w['full_duration']:.2f}",
                    "timestamp": _iso(w["created_at"]) or "",
                },
            )
            if w.get("error"):
                ET.SubElement(case, "failure", {"message": f"{w['error'][0]}: {w['error'][1]}"}).text = w[
                    "error"
                ][2]
            elif not w["pass_sla"]:
                failed = [s["detail"] for s in w["sla_results"]["sla"] if not s["success"]]
                ET.SubElement(case, "failure", {"message": "; ".join(failed)}).text = "\n".join(failed)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
