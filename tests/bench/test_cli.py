"""The typer app as a user drives it: run, validate, list, show, report, compare, sla-check."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from twinstack.bench.cli import app

runner = CliRunner()

TASK = """
{% set times = times or 3 %}
version: 2
title: cli
subtasks:
  - title: ok
    scenario: {Dummy.dummy: {sleep: 0}}
    runner: {constant: {times: {{ times }}, concurrency: 2}}
  - title: maybe
    scenario: {Dummy.dummy_exception_probability: {exception_probability: {{ p | default(0) }}}}
    runner: {serial: {times: 4}}
"""


@pytest.fixture
def task_file(tmp_path: Path) -> Path:
    f = tmp_path / "task.yaml"
    f.write_text(TASK)
    return f


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    import twinstack.bench.cli as cli

    monkeypatch.setattr(cli, "out", Console(width=250))
    monkeypatch.setattr(cli, "err", Console(width=250, stderr=True))


def invoke(*args: str) -> object:
    return runner.invoke(app, [str(a) for a in args])


def test_validate_ok_and_invalid(task_file: Path, tmp_path: Path) -> None:
    result = invoke("validate", task_file)
    assert result.exit_code == 0, result.output
    assert "is valid: 2 workload(s)" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("Dummy.dummy:\n  - runner: {type: constant, times: -1}\n")
    result = invoke("validate", bad)
    assert result.exit_code == 1
    assert "Dummy.dummy[0].runner.times" in result.output


def test_run_list_show_and_sla_check(task_file: Path, results_dir: Path) -> None:
    result = invoke("run", task_file, "--task-args", '{"times": 5}', "--tag", "nightly")
    assert result.exit_code == 0, result.output
    (run_dir,) = results_dir.iterdir()
    data = json.loads((run_dir / "run.json").read_text())
    assert data["subtasks"][0]["workloads"][0]["total_iteration_count"] == 5
    assert data["tags"] == ["nightly"]
    listing = invoke("list")
    assert run_dir.name in listing.output and "nightly" in listing.output
    shown = invoke("show", "last")
    assert "Dummy.dummy" in shown.output and "total" in shown.output
    check = invoke("sla-check", run_dir.name[:12], "--json")
    assert check.exit_code == 0
    assert {r["criterion"] for r in json.loads(check.output)} == {"failure_rate"}


def test_run_exit_code_two_on_sla_failure(task_file: Path, results_dir: Path) -> None:
    result = invoke("run", task_file, "--task-args", "p: 1")
    assert result.exit_code == 2, result.output
    assert invoke("sla-check", "last").exit_code == 1


def test_run_invalid_task_exit_code_one(tmp_path: Path, results_dir: Path) -> None:
    f = tmp_path / "t.yaml"
    f.write_text("Dummy.nope:\n  - {}\n")
    result = invoke("run", f)
    assert result.exit_code == 1
    assert "no scenario plugin named 'Dummy.nope'" in result.output


def test_reports_and_compare(task_file: Path, results_dir: Path, tmp_path: Path) -> None:
    assert invoke("run", task_file).exit_code == 0
    assert invoke("run", task_file, "--task-args", "times: 6").exit_code == 0
    a, b = sorted(p.name for p in results_dir.iterdir())
    html, js, xml = tmp_path / "r.html", tmp_path / "r.json", tmp_path / "r.xml"
    result = invoke("report", a, b, "--html", html, "--json", js, "--junit-xml", xml)
    assert result.exit_code == 0, result.output
    assert "Task overview" in html.read_text()
    exported = json.loads(js.read_text())
    assert [t["uuid"] for t in exported["tasks"]] == [a, b]
    suites = ET.parse(xml).getroot().findall("testsuite")
    assert [s.get("tests") for s in suites] == ["2", "2"]
    cmp_html = tmp_path / "c.html"
    result = invoke("compare", a, b, "--html", cmp_html)
    assert result.exit_code == 0, result.output
    assert "Dummy.dummy" in result.output and "median" in result.output
    assert "Comparison" in cmp_html.read_text()


def test_unknown_run(results_dir: Path) -> None:
    result = invoke("show", "nope")
    assert result.exit_code == 1 and "no run 'nope'" in result.output


def test_plugins_listing_and_doc() -> None:
    result = invoke("plugins", "runner")
    assert all(n in result.output for n in ("constant", "constant_for_duration", "rps", "serial"))
    result = invoke("plugins", "sla", "outliers")
    assert "sigmas" in result.output
