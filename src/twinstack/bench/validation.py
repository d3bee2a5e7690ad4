"""Task validation against the plugins: every message names the offending key path.

Checks, per workload: the scenario exists and its arguments fit ``run()``'s signature (and the
scenario's ``ARG_SCHEMAS``), typed arguments have the ``{id|name|regex}`` shape, the runner,
contexts, SLA criteria, hook actions and triggers exist and their configs match their schemas.
Nothing talks to a cloud here: resource references are resolved at run time.
"""

from __future__ import annotations

import inspect
from typing import Any

from twinstack.bench import registry
from twinstack.bench.task import Task, Workload, json_path, schema_issues

Issue = tuple[str, str]


def _plugin(kind: str, name: str, path: str, issues: list[Issue]) -> Any:
    try:
        return registry.get(kind, name)
    except registry.PluginError as exc:
        issues.append((path, str(exc)))
        return None


def _scenario_issues(w: Workload, issues: list[Issue]) -> None:
    path = w.path.rsplit("[", 1)[0] if w.version == 1 else f"{w.path}.scenario.{w.scenario}"
    cls = _plugin("scenario", w.scenario, path, issues)
    if cls is None:
        return
    args_path = w.loc("args")
    if not isinstance(w.args, dict):
        issues.append((args_path, "scenario arguments must be a mapping"))
        return
    params = list(inspect.signature(cls.run).parameters.values())[1:]
    var_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
    named = {
        p.name: p
        for p in params
        if p.kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
    }
    for name, p in named.items():
        if p.default is inspect.Parameter.empty and name not in w.args:
            issues.append((json_path([name], args_path), f"required argument of {w.scenario} is missing"))
    if not var_kw:
        for name in w.args:
            if name not in named:
                allowed = ", ".join(named) or "none"
                issues.append(
                    (
                        json_path([name], args_path),
                        f"unexpected argument for {w.scenario} (arguments: {allowed})",
                    )
                )
    for name, schema in getattr(cls, "ARG_SCHEMAS", {}).items():
        if name in w.args:
            issues.extend(schema_issues(w.args[name], schema, json_path([name], args_path)))
    for name, type_name in cls.ARG_TYPES.items():
        if w.args.get(name) is None:
            continue
        rtype = _plugin("resource_type", type_name, json_path([name], args_path), issues)
        if rtype is not None:
            issues.extend(schema_issues(w.args[name], rtype.SCHEMA, json_path([name], args_path)))
    for needed in cls.REQUIRED_CONTEXTS:
        if needed not in w.contexts:
            issues.append((w.loc("contexts"), f"{w.scenario} needs the {needed!r} context"))


def _config_issues(kind: str, name: str, config: Any, path: str, issues: list[Issue]) -> Any:
    cls = _plugin(kind, name, path, issues)
    if cls is not None and getattr(cls, "CONFIG_SCHEMA", None):
        issues.extend(schema_issues(config, cls.CONFIG_SCHEMA, path))
    return cls


def workload_issues(w: Workload) -> list[Issue]:
    issues: list[Issue] = []
    _scenario_issues(w, issues)
    runner_path = w.loc("runner")
    runner = _config_issues("runner", w.runner_type, w.runner, runner_path, issues)
    if runner is not None and not any(p.startswith(runner_path) for p, _ in issues):
        issues.extend(
            (json_path([p], runner_path) if p else runner_path, m) for p, m in runner.validate(w.runner)
        )
    if not isinstance(w.contexts, dict):
        issues.append((w.loc("contexts"), "must be a mapping of context name to config"))
    else:
        for name, cfg in w.contexts.items():
            _config_issues("context", name, cfg, json_path([name], w.loc("contexts")), issues)
    for name, cfg in w.sla.items():
        _config_issues("sla", name, cfg, json_path([name], w.loc("sla")), issues)
    for hook in w.hooks:
        _config_issues("hook_action", hook.action[0], hook.action[1], hook.action_path, issues)
        _config_issues("hook_trigger", hook.trigger[0], hook.trigger[1], hook.trigger_path, issues)
    return issues


def validate(task: Task) -> list[Issue]:
    """All problems found in the task, as ``(key path, message)``; empty if it is valid."""
    issues: list[Issue] = []
    for w in task.workloads:
        issues.extend(workload_issues(w))
    return issues
