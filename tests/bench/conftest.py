from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from twinstack.bench import registry
from twinstack.bench.scenario import Scenario
from twinstack.bench.task import loads


class ConcurrencyProbe(Scenario):
    """Test scenario: records how many iterations run at once."""

    lock = threading.Lock()
    running = 0
    peak = 0
    seen: list[int] = []

    def run(self, hold: float = 0.0) -> None:
        cls = type(self)
        with cls.lock:
            cls.running += 1
            cls.peak = max(cls.peak, cls.running)
            cls.seen.append(self.context["iteration"])
        try:
            with self.atomic("probe.hold"):
                threading.Event().wait(hold)
        finally:
            with cls.lock:
                cls.running -= 1

    @classmethod
    def reset(cls) -> None:
        cls.running = cls.peak = 0
        cls.seen = []


registry.register("scenario", "Test.probe")(ConcurrencyProbe)


@pytest.fixture
def probe() -> type[ConcurrencyProbe]:
    ConcurrencyProbe.reset()
    return ConcurrencyProbe


@pytest.fixture
def results_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "results"
    monkeypatch.setenv("TWINSTACK_BENCH_DIR", str(d))
    return d


def task_of(text: str, **args: Any):  # type: ignore[no-untyped-def]
    return loads(text, args)
