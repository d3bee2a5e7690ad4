from __future__ import annotations

import pytest

from twinstack.bench.sla import SLAChecker


def it(duration: float, error: bool = False, atomics: list | None = None) -> dict:
    return {
        "duration": duration,
        "idle_duration": 0,
        "error": ["E", "m", "tb"] if error else [],
        "atomic_actions": atomics or [],
        "timestamp": 0,
    }


def check(config: dict, iterations: list[dict]) -> dict:
    checker = SLAChecker(config)
    for i in iterations:
        checker.add_iteration(i)
    return {r["criterion"]: r for r in checker.results()}


def test_failure_rate() -> None:
    res = check({"failure_rate": {"max": 25}}, [it(1), it(1), it(1, True), it(1)])
    assert res["failure_rate"]["success"]
    assert "25.00%" in res["failure_rate"]["detail"]
    assert not check({"failure_rate": {"max": 0}}, [it(1, True)])["failure_rate"]["success"]
    assert not check({"failure_rate": {"min": 50}}, [it(1)])["failure_rate"]["success"]


def test_max_seconds_counts_failed_iterations() -> None:
    assert not check({"max_seconds_per_iteration": 2}, [it(1), it(3, True)])["max_seconds_per_iteration"][
        "success"
    ]


def test_max_avg_duration_ignores_failed() -> None:
    assert check({"max_avg_duration": 2}, [it(1), it(3), it(100, True)])["max_avg_duration"]["success"]
    assert not check({"max_avg_duration": 1.5}, [it(1), it(3)])["max_avg_duration"]["success"]


def test_max_avg_duration_per_atomic() -> None:
    a = [{"name": "x", "started_at": 0, "finished_at": 2, "children": []}]
    res = check({"max_avg_duration_per_atomic": {"x": 1}}, [it(2, atomics=a)])
    assert not res["max_avg_duration_per_atomic"]["success"]
    assert "x 2.00s <= 1.00s" in res["max_avg_duration_per_atomic"]["detail"]


def test_outliers() -> None:
    steady = [it(1.0 + 0.01 * (i % 3)) for i in range(20)]
    assert check({"outliers": {}}, steady)["outliers"]["success"]
    assert not check({"outliers": {"max": 0}}, [*steady, it(50)])["outliers"]["success"]


@pytest.mark.parametrize(("durations", "ok"), [([1, 1.2], True), ([1, 2], False)])
def test_performance_degradation(durations: list[float], ok: bool) -> None:
    res = check({"performance_degradation": {"max_degradation": 50}}, [it(d) for d in durations])
    assert res["performance_degradation"]["success"] is ok


def test_pseudo_criteria_on_abort() -> None:
    checker = SLAChecker({"failure_rate": {"max": 0}})
    checker.aborted_manually = True
    assert checker.results()[-1]["criterion"] == "aborted_manually"
    assert not checker.passed()
