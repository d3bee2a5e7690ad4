"""The HTML report is self-contained (plotly inlined, no CDN) and shows Rally's content."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from twinstack.bench.engine import Engine
from twinstack.bench.report.exports import to_json, to_junit
from twinstack.bench.report.html import plotly_js, render_html
from twinstack.bench.task import loads

TASK = json.dumps(
    {
        "version": 2,
        "title": "report",
        "subtasks": [
            {
                "title": "a",
                "scenario": {"Dummy.dummy_random_fail_in_atomic": {"exception_probability": 0.5}},
                "runner": {"constant": {"times": 30, "concurrency": 3}},
                "sla": {"failure_rate": {"max": 100}},
            },
            {
                "title": "b",
                "scenario": {"Dummy.dummy_output": {}},
                "runner": {"serial": {"times": 3}},
                "hooks": [
                    {"action": {"sys_call": "echo 1"}, "trigger": {"event": {"unit": "iteration", "at": [1]}}}
                ],
            },
        ],
    }
)


def _run() -> dict:
    return Engine(loads(TASK)).run()


def test_html_is_offline_and_has_rally_sections() -> None:
    html = render_html([_run()])
    assert plotly_js() in html  # plotly.js is inlined from the installed package
    page = html.replace(plotly_js(), "")
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=", page)
    assert "http://" not in page and "https://" not in page
    assert "Plotly.newPlot" in page
    html = page
    for text in (
        "Task overview",
        "Service-level agreement",
        "Total durations",
        "Load Profile",
        "Histogram",
        "Atomic Action Durations",
        "Failures",
        "Input task",
        "Scenario Data",
        "Hooks",
        "90%ile",
        "95%ile",
        "dummy_fail_inner_test",
        "KeyError",
    ):
        assert text in html, text
    figures = json.loads(
        re.search(r'<script type="application/json" id="figures">(.*?)</script>', html, re.S).group(1)
    )
    assert any(k.endswith("-hist") for k in figures)


def test_json_export_has_rally_layout() -> None:
    data = json.loads(to_json([_run()]))
    assert data["info"]["format_version"] == "1.2"
    w = data["tasks"][0]["subtasks"][0]["workloads"][0]
    assert w["scenario"] == {"Dummy.dummy_random_fail_in_atomic": {"exception_probability": 0.5}}
    assert w["runner"] == {"constant": {"times": 30, "concurrency": 3}}
    assert w["total_iteration_count"] == 30 and len(w["data"]) == 30


def test_junit_marks_sla_failures() -> None:
    run = Engine(loads("Dummy.dummy_exception:\n  - args: {sleep: 0}\n")).run()
    suite = ET.fromstring(to_junit([run])).find("testsuite")
    assert suite.get("failures") == "1"
    case = suite.find("testcase")
    assert (case.get("classname"), case.get("name")) == ("Dummy", "dummy_exception")
    assert "Failure rate" in case.find("failure").get("message")
