"""Task files: rendering, v1/v2 formats, defaults and validation messages with key paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from twinstack.bench.task import TaskError, load, loads, parse_task_args
from twinstack.bench.validation import validate

V1 = """
{% set times = times or 2 %}
Dummy.dummy:
  - args: {sleep: 0}
    runner: {type: constant, times: {{ times }}, concurrency: 1}
    context: {dummy_context: {}}
    hooks:
      - name: sys_call
        args: "true"
        trigger: {name: event, args: {unit: iteration, at: [1]}}
"""

V2 = """
version: 2
title: t
subtasks:
  - title: simple
    scenario: {Dummy.dummy: {sleep: 0}}
    runner: {constant: {times: {{ times }}}}
  - title: complex
    run_in_parallel: false
    workloads:
      - scenario: {Dummy.dummy_exception_probability: {exception_probability: 0}}
        sla: {max_avg_duration: 5}
"""


def test_v1_is_normalised_with_defaults() -> None:
    task = loads(V1, {"times": 7})
    (w,) = task.workloads
    assert (w.scenario, w.runner_type, w.runner) == (
        "Dummy.dummy",
        "constant",
        {"times": 7, "concurrency": 1},
    )
    assert w.sla == {"failure_rate": {"max": 0}}
    assert w.contexts == {"dummy_context": {}}
    assert w.hooks[0].action == ("sys_call", "true")
    assert w.hooks[0].trigger == ("event", {"unit": "iteration", "at": [1]})
    assert validate(task) == []


def test_v1_template_default_applies_without_args() -> None:
    assert loads(V1).workloads[0].runner["times"] == 2


def test_v2_simple_and_complex_subtasks() -> None:
    task = loads(V2, {"times": 3})
    assert [s.title for s in task.subtasks] == ["simple", "complex"]
    simple, complex_ = task.workloads
    assert simple.runner == {"times": 3}
    assert complex_.runner_type == "serial" and complex_.runner == {}
    assert complex_.sla == {"max_avg_duration": 5}
    assert validate(task) == []


def test_missing_template_argument_is_named() -> None:
    with pytest.raises(TaskError, match="times"):
        loads(V2)


def test_task_args_inline_wins_over_file(tmp_path: Path) -> None:
    f = tmp_path / "args.yaml"
    f.write_text("times: 1\nname: a\n")
    assert parse_task_args('{"times": 5}', f) == {"times": 5, "name": "a"}


def test_task_args_must_be_a_mapping() -> None:
    with pytest.raises(TaskError, match="--task-args must be a mapping"):
        parse_task_args("[1, 2]")


def test_template_can_include_macros_next_to_the_task(tmp_path: Path) -> None:
    (tmp_path / "macro.yaml").write_text(
        "{% macro runner(times=2) %}runner: {type: constant, times: {{ times }}}{% endmacro %}"
    )
    (tmp_path / "task.yaml").write_text(
        '{% from "macro.yaml" import runner %}\nDummy.dummy:\n  - {{ runner(4) }}\n'
    )
    assert load(tmp_path / "task.yaml").workloads[0].runner == {"times": 4}


def _issues(text: str) -> list[tuple[str, str]]:
    try:
        return validate(loads(text))
    except TaskError as exc:
        return exc.issues


def test_structure_errors_name_the_key_path() -> None:
    issues = _issues(
        "version: 2\ntitle: t\nsubtasks:\n  - title: a\n    scenario: {Dummy.dummy: {}}\n"
        "    runer: {constant: {}}\n"
    )
    assert ("subtasks[0].runer", issues[0][1]) == issues[0]
    assert "unexpected key" in issues[0][1]


def test_runner_config_errors_name_the_key_path() -> None:
    issues = _issues("Dummy.dummy:\n  - runner: {type: constant, times: 0, concurency: 2}\n")
    paths = dict(issues)
    assert "Dummy.dummy[0].runner.times" in paths
    assert "minimum" in paths["Dummy.dummy[0].runner.times"]
    assert "Dummy.dummy[0].runner.concurency" in paths


def test_unknown_scenario_suggests_close_names() -> None:
    issues = _issues("version: 2\ntitle: t\nsubtasks:\n  - title: a\n    scenario: {Dummy.dumy: {}}\n")
    assert issues[0][0] == "subtasks[0].scenario.Dummy.dumy"
    assert "Dummy.dummy" in issues[0][1]


def test_scenario_arguments_checked_against_run_signature() -> None:
    issues = _issues("HttpRequests.check_request:\n  - args: {methd: GET}\n")
    paths = dict(issues)
    assert "required argument" in paths["HttpRequests.check_request[0].args.url"]
    issues = _issues("Dummy.dummy_exception_probability:\n  - args: {probability: 1}\n")
    assert issues[0][0] == "Dummy.dummy_exception_probability[0].args.probability"
    assert "unexpected argument" in issues[0][1]


def test_argument_schema_and_resource_type_shapes() -> None:
    issues = _issues("Dummy.dummy_exception_probability:\n  - args: {exception_probability: 2}\n")
    assert issues[0][0] == "Dummy.dummy_exception_probability[0].args.exception_probability"
    issues = _issues("NovaServers.boot_server:\n  - args: {image: {nam: cirros}, flavor: {name: m1.tiny}}\n")
    assert [p for p, _ in issues] == ["NovaServers.boot_server[0].args.image"]


def test_sla_context_and_hook_errors() -> None:
    text = """
version: 2
title: t
subtasks:
  - title: a
    scenario: {Dummy.dummy: {}}
    sla: {failure_rate: {max: 101}, nope: 1}
    contexts: {dummy_context: {fail_setup: "yes"}}
    hooks:
      - action: {sys_call: 5}
        trigger: {periodic: {unit: iteration}}
"""
    paths = [p for p, _ in _issues(text)]
    assert "subtasks[0].sla.failure_rate.max" in paths
    assert "subtasks[0].sla.nope" in paths
    assert "subtasks[0].contexts.dummy_context.fail_setup" in paths
    assert "subtasks[0].hooks[0].action.sys_call" in paths
    assert "subtasks[0].hooks[0].trigger.periodic" in paths  # missing "step"


def test_rps_ramp_end_below_start() -> None:
    issues = _issues("Dummy.dummy:\n  - runner: {type: rps, times: 5, rps: {start: 5, end: 2, step: 1}}\n")
    assert issues == [
        ("Dummy.dummy[0].runner.rps.end", "rps end value must not be less than rps start value")
    ]


def test_unsupported_version_and_bad_yaml() -> None:
    assert _issues("version: 3\nsubtasks: []\n")[0][0] == "version"
    with pytest.raises(TaskError, match="not valid YAML"):
        loads("a: [")
