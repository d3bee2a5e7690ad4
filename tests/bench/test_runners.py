"""Runners: iteration counts, concurrency limits, rate, timeouts; records' shape."""

from __future__ import annotations

from typing import Any

from twinstack.bench.engine import Engine
from twinstack.bench.task import loads


def run_one(scenario: str, args: dict[str, Any], runner: dict[str, Any], **kw: Any) -> dict[str, Any]:
    import json

    text = json.dumps(
        {
            "version": 2,
            "title": "t",
            "subtasks": [{"title": "s", "scenario": {scenario: args}, "runner": runner, **kw}],
        }
    )
    run = Engine(loads(text)).run()
    return run["subtasks"][0]["workloads"][0]


def test_constant_runs_times_with_concurrency(probe: Any) -> None:
    w = run_one("Test.probe", {"hold": 0.02}, {"constant": {"times": 12, "concurrency": 3}})
    assert w["total_iteration_count"] == 12
    assert sorted(probe.seen) == list(range(1, 13))
    assert probe.peak == 3


def test_serial_runs_one_at_a_time(probe: Any) -> None:
    w = run_one("Test.probe", {"hold": 0.005}, {"serial": {"times": 5}})
    assert w["total_iteration_count"] == 5
    assert probe.peak == 1


def test_workload_without_runner_is_serial_once(probe: Any) -> None:
    w = run_one("Test.probe", {}, {"serial": {}})
    assert w["total_iteration_count"] == 1


def test_constant_for_duration_stops_starting_iterations(probe: Any) -> None:
    w = run_one("Test.probe", {"hold": 0.01}, {"constant_for_duration": {"duration": 0.2, "concurrency": 2}})
    assert w["total_iteration_count"] >= 2
    last_start = max(it["timestamp"] for it in w["data"])
    assert last_start - w["start_time"] <= 0.2 + 0.05


def test_rps_runs_all_iterations_within_max_concurrency(probe: Any) -> None:
    w = run_one("Test.probe", {"hold": 0.05}, {"rps": {"times": 20, "rps": 1000, "max_concurrency": 4}})
    assert w["total_iteration_count"] == 20
    assert probe.peak <= 4


def test_rps_ramp_rate_steps_up() -> None:
    from twinstack.bench.runners import RPSRunner

    r = RPSRunner({"times": 1, "rps": {"start": 2, "end": 5, "step": 2, "duration": 10}}, print, None)  # type: ignore[arg-type]
    assert [r.rate_at(t) for t in (0, 9.9, 10, 20, 30)] == [2, 2, 4, 5, 5]


def test_timeout_fails_the_iteration() -> None:
    w = run_one("Dummy.dummy", {"sleep": 5}, {"constant": {"times": 1, "timeout": 0.1}})
    (it,) = w["data"]
    assert it["error"][0] == "TimeoutException"
    assert it["duration"] < 2


def test_iteration_record_shape() -> None:
    w = run_one("Dummy.dummy_exception", {"sleep": 0, "message": "boom"}, {"serial": {"times": 1}})
    (it,) = w["data"]
    assert set(it) == {"duration", "timestamp", "idle_duration", "error", "output", "atomic_actions"}
    etype, msg, tb = it["error"]
    assert etype == "DummyScenarioException" and "boom" in msg and "Traceback" in tb
    assert it["output"] == {"additive": [], "complete": []}


def test_idle_time_is_subtracted_from_duration() -> None:
    w = run_one("Dummy.dummy_idle", {"min_sleep": 0.05, "max_sleep": 0.05}, {"serial": {"times": 1}})
    (it,) = w["data"]
    assert it["idle_duration"] == 0.05
    assert it["duration"] < 0.05


def test_atomic_tree_recorded() -> None:
    w = run_one("Dummy.dummy", {}, {"serial": {"times": 1}})
    (it,) = w["data"]
    assert it["atomic_actions"][0]["name"] == "foo"
    assert it["atomic_actions"][0]["children"][0]["name"] == "bar"
    rows = [r["path"] for r in w["statistics"]["durations"]["rows"]]
    assert rows == [["foo"], ["foo", "bar"], ["total"]]
