"""The HTML report opens in headless Chromium, offline, and draws its charts.

Skipped when no chromium binary is installed (``apt-get install -y chromium``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from twinstack.bench.engine import Engine
from twinstack.bench.report.html import render_html
from twinstack.bench.task import loads

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")

TASK = json.dumps(
    {
        "version": 2,
        "title": "browser",
        "subtasks": [
            {
                "title": "a",
                "scenario": {"Dummy.dummy_random_fail_in_atomic": {"exception_probability": 0.3}},
                "runner": {"constant": {"times": 40, "concurrency": 4}},
                "sla": {"failure_rate": {"max": 100}},
            }
        ],
    }
)


def _chromium(*args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-dev-shm-usage",
            "--virtual-time-budget=10000",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_html([Engine(loads(TASK)).run()]))
    return path


def test_charts_are_drawn(report: Path) -> None:
    # The workload page is opened through its #anchor; plotly draws each chart as an SVG.
    proc = _chromium("--dump-dom", f"file://{report}#r0s0w0")
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    assert dom.count('class="main-svg"') >= 4, "plotly did not draw the overview charts"
    assert "Total durations" in dom and "Load Profile" in dom


def test_screenshot_is_not_blank(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    proc = _chromium(f"--screenshot={shot}", "--window-size=1400,1800", f"file://{report}#r0s0w0")
    assert proc.returncode == 0 and shot.exists(), proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 30_000  # a page with tables and charts, not an empty white image
