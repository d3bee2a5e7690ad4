"""The engine: contexts order and cleanup, SLA abort, hooks, exit codes, outputs, abort."""

from __future__ import annotations

import json
import threading
from typing import Any

from twinstack.bench import registry
from twinstack.bench.contexts.base import Context
from twinstack.bench.engine import EXIT_ERROR, EXIT_OK, EXIT_SLA, Engine, exit_code
from twinstack.bench.task import loads

LOG: list[str] = []


class _Ordered(Context):
    def setup(self) -> None:
        LOG.append(f"setup:{self.plugin_name}")
        self.ctx[self.plugin_name] = True

    def cleanup(self) -> None:
        LOG.append(f"cleanup:{self.plugin_name}")


@registry.register("context", "test_first")
class First(_Ordered):
    """Test context with a low order."""

    ORDER = 100


@registry.register("context", "test_last")
class Last(_Ordered):
    """Test context with a high order."""

    ORDER = 900


def task(workloads: list[dict[str, Any]], **sub: Any) -> Any:
    return loads(
        json.dumps({"version": 2, "title": "t", "subtasks": [{"title": "s", "workloads": workloads, **sub}]})
    )


def test_contexts_set_up_by_order_and_cleaned_up_in_reverse() -> None:
    LOG.clear()
    t = task(
        [
            {
                "scenario": {"Dummy.dummy": {}},
                "contexts": {"test_last": {}, "test_first": {}, "dummy_context": {}},
            }
        ]
    )
    run = Engine(t).run()
    assert LOG == ["setup:test_first", "setup:test_last", "cleanup:test_last", "cleanup:test_first"]
    names = [c["plugin_name"] for c in run["subtasks"][0]["workloads"][0]["contexts_results"]]
    assert names == ["test_first", "dummy_context", "test_last"]
    assert exit_code(run) == EXIT_OK


def test_failed_context_setup_crashes_but_cleans_up() -> None:
    LOG.clear()
    t = task(
        [
            {
                "scenario": {"Dummy.dummy": {}},
                "contexts": {"test_first": {}, "dummy_context": {"fail_setup": True}, "test_last": {}},
            },
            {"scenario": {"Dummy.dummy": {}}},
        ]
    )
    run = Engine(t).run()
    w = run["subtasks"][0]["workloads"]
    assert len(w) == 1 and w[0]["status"] == "crashed"
    assert "dummy_context" in w[0]["error"][1]
    assert LOG == ["setup:test_first", "cleanup:test_first"]
    assert run["status"] == "crashed" and exit_code(run) == EXIT_ERROR


def test_sla_failure_exit_code_and_abort_on_sla_failure() -> None:
    t = task(
        [
            {"scenario": {"Dummy.dummy_exception": {"sleep": 0}}, "runner": {"serial": {"times": 50}}},
            {"scenario": {"Dummy.dummy": {}}},
        ]
    )
    run = Engine(t).run()
    assert exit_code(run) == EXIT_SLA
    assert run["subtasks"][0]["workloads"][0]["total_iteration_count"] == 50
    run = Engine(t, abort_on_sla_failure=True).run()
    workloads = run["subtasks"][0]["workloads"]
    assert len(workloads) == 1
    assert workloads[0]["total_iteration_count"] < 50
    criteria = [s["criterion"] for s in workloads[0]["sla_results"]["sla"]]
    assert "aborted_on_sla" in criteria
    assert exit_code(run) == EXIT_SLA


def test_hooks_fire_on_iteration_events() -> None:
    t = task(
        [
            {
                "scenario": {"Dummy.dummy": {}},
                "runner": {"serial": {"times": 4}},
                "hooks": [
                    {
                        "description": "echo",
                        "action": {"sys_call": "echo hi"},
                        "trigger": {"event": {"unit": "iteration", "at": [2, 4]}},
                    },
                    {
                        "action": {"sys_call": "false"},
                        "trigger": {"periodic": {"unit": "iteration", "step": 2}},
                    },
                ],
            }
        ]
    )
    hooks = Engine(t).run()["subtasks"][0]["workloads"][0]["hooks"]
    assert [r["triggered_by"]["value"] for r in hooks[0]["results"]] == [2, 4]
    assert hooks[0]["summary"] == {"success": 2}
    assert "StdOut: hi" in hooks[0]["results"][0]["output"]["complete"][0]["data"][1]
    assert [r["triggered_by"]["value"] for r in hooks[1]["results"]] == [1, 3]
    assert hooks[1]["results"][0]["error"]["msg"] == "Subprocess returned 1"


def test_scenario_output_is_recorded() -> None:
    t = task([{"scenario": {"Dummy.dummy_output": {}}, "runner": {"serial": {"times": 2}}}])
    data = Engine(t).run()["subtasks"][0]["workloads"][0]["data"]
    assert data[0]["output"]["additive"][0]["chart_plugin"] == "StatsTable"
    assert data[0]["output"]["complete"]


def test_soft_abort_stops_new_iterations_and_cleans_up(probe: Any) -> None:
    LOG.clear()
    t = task(
        [
            {
                "scenario": {"Test.probe": {"hold": 0.02}},
                "runner": {"constant": {"times": 100000, "concurrency": 2}},
                "contexts": {"test_first": {}},
            },
            {"scenario": {"Dummy.dummy": {}}},
        ]
    )
    engine = Engine(t)
    threading.Timer(0.2, engine.abort).start()
    run = engine.run()
    workloads = run["subtasks"][0]["workloads"]
    assert len(workloads) == 1
    assert 0 < workloads[0]["total_iteration_count"] < 100000
    assert LOG[-1] == "cleanup:test_first"
    assert run["status"] == "aborted" and exit_code(run) == EXIT_ERROR
    assert "aborted_manually" in [s["criterion"] for s in workloads[0]["sla_results"]["sla"]]


def test_hard_abort_stops_waiting_for_running_iterations() -> None:
    LOG.clear()
    t = task(
        [
            {
                "scenario": {"Test.probe": {"hold": 30}},
                "runner": {"constant": {"times": 2, "concurrency": 2}},
                "contexts": {"test_first": {}},
            }
        ]
    )
    engine = Engine(t)
    threading.Timer(0.1, engine.abort, kwargs={"hard": True}).start()
    run = engine.run()
    assert LOG == ["setup:test_first", "cleanup:test_first"]
    assert run["status"] == "aborted"


def test_run_in_parallel_subtask(probe: Any) -> None:
    t = task(
        [{"scenario": {"Test.probe": {"hold": 0.1}}}, {"scenario": {"Test.probe": {"hold": 0.1}}}],
        run_in_parallel=True,
    )
    run = Engine(t).run()
    assert len(run["subtasks"][0]["workloads"]) == 2
    assert probe.peak == 2
