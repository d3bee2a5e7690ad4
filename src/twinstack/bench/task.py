"""Task files: Jinja2 rendering, v1/v2 parsing and normalisation to one model.

A task file is a Jinja2 template rendered with the task arguments, then parsed as YAML (JSON is
YAML). Format v1 is ``{"Scenario.name": [{args, runner, context, sla, hooks}]}``; format v2 is
``{version: 2, title, subtasks: [...]}``. Both become a :class:`Task` whose workloads remember
where they came from, so that validation messages name the offending key path.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import jsonschema
import yaml

DEFAULT_SLA: dict[str, Any] = {"failure_rate": {"max": 0}}


class TaskError(Exception):
    """The task file cannot be used; ``issues`` lists ``(key path, message)`` pairs."""

    def __init__(self, issues: Iterable[tuple[str, str]] | str) -> None:
        self.issues: list[tuple[str, str]] = [("", issues)] if isinstance(issues, str) else list(issues)
        super().__init__(self.format())

    def format(self) -> str:
        return "\n".join(f"{p}: {m}" if p else m for p, m in self.issues)


@dataclass
class Hook:
    description: str
    action: tuple[str, Any]
    trigger: tuple[str, Any]
    path: str  # e.g. "subtasks[0].workloads[0].hooks[1]"
    action_path: str
    trigger_path: str

    def to_config(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "action": dict([self.action]),
            "trigger": dict([self.trigger]),
        }


@dataclass
class Workload:
    scenario: str
    args: dict[str, Any]
    runner_type: str
    runner: dict[str, Any]
    contexts: dict[str, Any]
    sla: dict[str, Any]
    hooks: list[Hook]
    description: str
    path: str
    version: int
    position: int = 0

    def loc(self, section: str) -> str:
        """Key path of a section of this workload as written in the task file."""
        if self.version == 1:
            name = {"contexts": "context"}.get(section, section)
        else:
            name = {"args": f"scenario.{self.scenario}", "runner": f"runner.{self.runner_type}"}.get(
                section, section
            )
        return f"{self.path}.{name}"

    def to_config(self) -> dict[str, Any]:
        """The workload in v2 form (stored with results and shown in the report)."""
        return {
            "scenario": {self.scenario: self.args},
            "runner": {self.runner_type: self.runner},
            "contexts": self.contexts,
            "sla": self.sla,
            "hooks": [h.to_config() for h in self.hooks],
            "description": self.description,
        }


@dataclass
class Subtask:
    title: str
    description: str
    tags: list[str]
    run_in_parallel: bool
    workloads: list[Workload]


@dataclass
class Task:
    version: int
    title: str
    description: str
    tags: list[str]
    subtasks: list[Subtask]
    source: str = ""
    args: dict[str, Any] = field(default_factory=dict)

    @property
    def workloads(self) -> list[Workload]:
        return [w for s in self.subtasks for w in s.workloads]

    def to_config(self) -> dict[str, Any]:
        return {
            "version": 2,
            "title": self.title,
            "description": self.description,
            "tags": self.tags,
            "subtasks": [
                {
                    "title": s.title,
                    "description": s.description,
                    "tags": s.tags,
                    "run_in_parallel": s.run_in_parallel,
                    "workloads": [w.to_config() for w in s.workloads],
                }
                for s in self.subtasks
            ],
        }


# -- task arguments and rendering ------------------------------------------------------------


def parse_task_args(inline: str | None = None, file: str | Path | None = None) -> dict[str, Any]:
    """Merge ``--task-args-file`` (JSON/YAML) and ``--task-args`` (JSON/YAML); inline wins."""
    merged: dict[str, Any] = {}
    for label, text in (("--task-args-file", _read(file) if file else None), ("--task-args", inline)):
        if not text:
            continue
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise TaskError(f"{label} is neither JSON nor YAML: {exc}") from exc
        if value is None:
            continue
        if not isinstance(value, dict):
            raise TaskError(f"{label} must be a mapping, got {type(value).__name__}")
        merged.update(value)
    return merged


def _read(path: str | Path) -> str:
    try:
        return Path(path).read_text()
    except OSError as exc:
        raise TaskError(f"cannot read {path}: {exc.strerror}") from exc


def _defaulted(name: str, template: str) -> bool:
    """True if the template gives ``name`` a default, so it may be left unset."""
    n = re.escape(name)
    patterns = (
        rf"{{%-?\s*set\s+{n}\s*=\s*{n}\s+or\b",
        rf"\b{n}\s*\|\s*default\b",
        rf"\b{n}\s+is\s+(not\s+)?defined\b",
    )
    return any(re.search(p, template) for p in patterns)


def render(template: str, args: dict[str, Any], base_dir: Path | None = None) -> str:
    """Render the task template; names used without a default must be given as arguments."""
    loader = jinja2.FileSystemLoader(str(base_dir)) if base_dir else None
    env = jinja2.Environment(loader=loader, keep_trailing_newline=True)
    try:
        ast = env.parse(template)
    except jinja2.TemplateSyntaxError as exc:
        raise TaskError(f"template syntax error at line {exc.lineno}: {exc.message}") from exc
    undeclared = jinja2.meta.find_undeclared_variables(ast) - set(args)
    missing = sorted(n for n in undeclared if not _defaulted(n, template))
    if missing:
        raise TaskError(
            "the task template needs these arguments (use --task-args or "
            f"--task-args-file): {', '.join(missing)}"
        )
    try:
        return env.from_string(template).render(**args)
    except jinja2.TemplateError as exc:
        raise TaskError(f"template rendering failed: {exc}") from exc


def load(path: str | Path, args: dict[str, Any] | None = None) -> Task:
    """Read, render, parse and normalise a task file (structure only, no plugin checks)."""
    path = Path(path)
    return loads(_read(path), args, base_dir=path.parent)


def loads(text: str, args: dict[str, Any] | None = None, base_dir: Path | None = None) -> Task:
    args = args or {}
    rendered = render(text, args, base_dir)
    try:
        config = yaml.safe_load(rendered)
    except yaml.YAMLError as exc:
        raise TaskError(f"the rendered task is not valid YAML/JSON: {exc}") from exc
    task = from_config(config)
    task.source = rendered
    task.args = args
    return task


# -- structure ---------------------------------------------------------------------------------


def json_path(parts: Iterable[Any], prefix: str = "") -> str:
    out = prefix
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def schema_issues(instance: Any, schema: dict[str, Any], prefix: str) -> list[tuple[str, str]]:
    """jsonschema errors as (key path, message), naming unexpected keys themselves."""
    validator = jsonschema.Draft7Validator(schema)
    issues = []
    for err in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))):
        path = json_path(err.absolute_path, prefix)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = set(err.schema.get("properties", {}))
            patterns = list(err.schema.get("patternProperties", {}))
            extra = [
                k for k in err.instance if k not in allowed and not any(re.search(p, k) for p in patterns)
            ]
            for key in extra:
                hint = f" (allowed: {', '.join(sorted(allowed))})" if allowed else ""
                issues.append((json_path([key], path), f"unexpected key{hint}"))
            continue
        if err.validator in ("anyOf", "oneOf") and err.context:
            best = jsonschema.exceptions.best_match(err.context)
            issues.append((json_path(best.absolute_path, path), best.message))
            continue
        issues.append((path, err.message))
    return issues


_SINGLE = {
    "type": "object",
    "minProperties": 1,
    "maxProperties": 1,
    "patternProperties": {".*": {"type": ["object", "null"]}},
}
_HOOK_V2 = {
    "type": "object",
    "required": ["action", "trigger"],
    "additionalProperties": False,
    "properties": {
        "description": {"type": "string"},
        "action": {"type": "object", "minProperties": 1, "maxProperties": 1},
        "trigger": _SINGLE,
    },
}
_WORKLOAD_V2_PROPS = {
    "scenario": _SINGLE,
    "description": {"type": "string"},
    "runner": _SINGLE,
    "sla": {"type": "object"},
    "hooks": {"type": "array", "items": _HOOK_V2},
    "contexts": {"type": "object"},
}
_META = {
    "title": {"type": "string", "maxLength": 255},
    "description": {"type": "string"},
    "group": {"type": "string"},
    "tags": {"type": "array", "items": {"type": "string", "maxLength": 255}},
}
SCHEMA_V2 = {
    "type": "object",
    "required": ["version", "subtasks"],
    "additionalProperties": False,
    "properties": {
        "version": {"enum": [2, "2"]},
        **_META,
        "subtasks": {
            "type": "array",
            "minItems": 1,
            "items": {
                "anyOf": [
                    {
                        "type": "object",
                        "required": ["title", "scenario"],
                        "additionalProperties": False,
                        "properties": {**_META, **_WORKLOAD_V2_PROPS},
                    },
                    {
                        "type": "object",
                        "required": ["title", "workloads"],
                        "additionalProperties": False,
                        "properties": {
                            **_META,
                            "run_in_parallel": {"type": "boolean"},
                            "workloads": {
                                "type": "array",
                                "minItems": 1,
                                "items": {
                                    "type": "object",
                                    "required": ["scenario"],
                                    "additionalProperties": False,
                                    "properties": _WORKLOAD_V2_PROPS,
                                },
                            },
                        },
                    },
                ]
            },
        },
    },
}
_HOOK_V1 = {
    "type": "object",
    "required": ["name", "args", "trigger"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string"},
        "description": {"type": "string"},
        "args": {},
        "trigger": {
            "type": "object",
            "required": ["name", "args"],
            "additionalProperties": False,
            "properties": {"name": {"type": "string"}, "args": {}},
        },
    },
}
WORKLOAD_V1 = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "args": {"type": "object"},
        "description": {"type": "string"},
        "runner": {"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}}},
        "context": {"type": "object"},
        "sla": {"type": "object"},
        "hooks": {"type": "array", "items": _HOOK_V1},
    },
}


def _subtask_issues(sub: Any, path: str) -> list[tuple[str, str]]:
    """Pick the simple or complex subtask schema by its keys, for precise messages."""
    variants = SCHEMA_V2["properties"]["subtasks"]["items"]["anyOf"]  # type: ignore[index]
    schema = variants[1] if isinstance(sub, dict) and "workloads" in sub else variants[0]
    return schema_issues(sub, schema, path)


def from_config(config: Any) -> Task:
    if config is None:
        raise TaskError("the task is empty")
    if not isinstance(config, dict):
        raise TaskError(f"the task must be a mapping, got {type(config).__name__}")
    version = config.get("version", 1)
    if str(version) == "1" and "version" in config:
        config = {k: v for k, v in config.items() if k != "version"}
        version = 1
    if str(version) == "2":
        return _from_v2(config)
    if "version" in config:
        raise TaskError([("version", f"task format version {version!r} is not supported (supported: 1, 2)")])
    return _from_v1(config)


def _from_v1(config: dict[str, Any]) -> Task:
    issues: list[tuple[str, str]] = []
    workloads: list[Workload] = []
    subtasks: list[Subtask] = []
    for name, items in config.items():
        if not isinstance(items, list):
            issues.append((name, f"must be a list of workloads, got {type(items).__name__}"))
            continue
        workloads = []
        for i, item in enumerate(items):
            path = f"{name}[{i}]"
            found = schema_issues(item, WORKLOAD_V1, path)
            if found:
                issues.extend(found)
                continue
            item = copy.deepcopy(item)
            runner = item.get("runner")
            runner_type = runner.pop("type") if runner else "serial"
            hooks = [
                Hook(
                    description=h.get("description", ""),
                    action=(h["name"], h["args"]),
                    trigger=(h["trigger"]["name"], h["trigger"]["args"]),
                    path=f"{path}.hooks[{j}]",
                    action_path=f"{path}.hooks[{j}].args",
                    trigger_path=f"{path}.hooks[{j}].trigger.args",
                )
                for j, h in enumerate(item.get("hooks", []))
            ]
            workloads.append(
                Workload(
                    scenario=name,
                    args=item.get("args", {}),
                    runner_type=runner_type,
                    runner=runner or {},
                    contexts=item.get("context", {}),
                    sla=item["sla"] if item.get("sla") else copy.deepcopy(DEFAULT_SLA),
                    hooks=hooks,
                    description=item.get("description", ""),
                    path=path,
                    version=1,
                    position=i,
                )
            )
        subtasks.append(
            Subtask(title=name, description="", tags=[], run_in_parallel=False, workloads=workloads)
        )
    if issues:
        raise TaskError(issues)
    if not subtasks:
        raise TaskError("the task has no workloads")
    return Task(
        version=1, title="Task (adopted from task format v1)", description="", tags=[], subtasks=subtasks
    )


def _workload_v2(raw: dict[str, Any], path: str, position: int) -> Workload:
    ((scenario, args),) = raw["scenario"].items()
    if "runner" in raw:
        ((runner_type, runner),) = raw["runner"].items()
    else:
        runner_type, runner = "serial", {}
    hooks = []
    for j, h in enumerate(raw.get("hooks", [])):
        ((aname, aargs),) = h["action"].items()
        ((tname, targs),) = h["trigger"].items()
        hp = f"{path}.hooks[{j}]"
        hooks.append(
            Hook(
                description=h.get("description", ""),
                action=(aname, aargs),
                trigger=(tname, targs),
                path=hp,
                action_path=f"{hp}.action.{aname}",
                trigger_path=f"{hp}.trigger.{tname}",
            )
        )
    return Workload(
        scenario=scenario,
        args=args or {},
        runner_type=runner_type,
        runner=runner or {},
        contexts=raw.get("contexts", {}),
        sla=raw["sla"] if raw.get("sla") else copy.deepcopy(DEFAULT_SLA),
        hooks=hooks,
        description=raw.get("description", ""),
        path=path,
        version=2,
        position=position,
    )


def _from_v2(config: dict[str, Any]) -> Task:
    top = {k: v for k, v in config.items() if k != "subtasks"}
    top_schema = dict(
        SCHEMA_V2,
        properties={k: v for k, v in SCHEMA_V2["properties"].items() if k != "subtasks"},
        required=["version"],
    )
    issues = schema_issues(top, top_schema, "")
    subs = config.get("subtasks")
    if not isinstance(subs, list) or not subs:
        issues.append(("subtasks", "must be a non-empty list of subtasks"))
        raise TaskError(issues)
    for i, sub in enumerate(subs):
        issues.extend(_subtask_issues(sub, f"subtasks[{i}]"))
    if issues:
        raise TaskError(issues)
    subtasks = []
    for i, sub in enumerate(copy.deepcopy(subs)):
        if "workloads" in sub:
            workloads = [
                _workload_v2(w, f"subtasks[{i}].workloads[{j}]", j) for j, w in enumerate(sub["workloads"])
            ]
        else:
            workloads = [_workload_v2(sub, f"subtasks[{i}]", 0)]
        subtasks.append(
            Subtask(
                title=sub["title"],
                description=sub.get("description", ""),
                tags=sub.get("tags", []),
                run_in_parallel=sub.get("run_in_parallel", False),
                workloads=workloads,
            )
        )
    return Task(
        version=2,
        title=config.get("title", "Task"),
        description=config.get("description", ""),
        tags=config.get("tags", []),
        subtasks=subtasks,
    )


def dumps_json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=False, default=str)
