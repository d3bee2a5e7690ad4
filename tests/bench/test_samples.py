"""Every sample task validates; those whose services twinstack already emulates also run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from twinstack.bench.cloud import Env, Poll
from twinstack.bench.engine import EXIT_OK, Engine, exit_code, needs_cloud
from twinstack.bench.task import load
from twinstack.bench.validation import validate

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted((ROOT / "samples" / "tasks" / "scenarios").rglob("*.[jy]*"))
SHORT = {"times": 2, "concurrency": 1, "duration": 0.3, "sleep": 0}
# Sample directories whose services exist in twinstack today; add more as services land.
RUNNABLE = {"dummy", "keystone", "authenticate/keystone.yaml"}


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT / "samples" / "tasks" / "scenarios"))


def test_there_are_samples() -> None:
    assert len(SAMPLES) >= 40


@pytest.mark.parametrize("path", SAMPLES, ids=_id)
def test_sample_validates(path: Path) -> None:
    task = load(path)
    assert validate(task) == []


@pytest.fixture(scope="module")
def env() -> Iterator[Env]:
    server = pytest.importorskip("twinstack.testing.server")
    handle = server.start_cloud(ephemeral=True)
    yield Env(dict(handle.cloud_config), source="test", poll=Poll(interval=0.05))
    handle.stop()


RUN = [p for p in SAMPLES if _id(p).split("/")[0] in RUNNABLE or _id(p) in RUNNABLE]


@pytest.mark.parametrize("path", RUN, ids=_id)
def test_sample_runs(path: Path, request: pytest.FixtureRequest) -> None:
    task = load(path, SHORT)
    env = request.getfixturevalue("env") if needs_cloud(task) else None
    run = Engine(task, env=env).run()
    workloads = [w for s in run["subtasks"] for w in s["workloads"]]
    errors = [i["error"][:2] for w in workloads for i in w["data"] if i["error"]]
    crashed = [w["error"] for w in workloads if w.get("error")]
    assert not crashed
    if "failure_rate: {max: 100}" not in path.read_text():
        assert exit_code(run) == EXIT_OK, errors
