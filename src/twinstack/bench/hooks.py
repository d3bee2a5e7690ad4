"""Hooks: an action (``sys_call``) fired by a trigger (``event`` / ``periodic``) during a workload.

Triggers listen to ``iteration`` events (the iteration number, when it starts) or ``time`` events
(whole seconds since the first iteration started). Actions run in their own thread; their
results carry ``status``, ``started_at``, ``finished_at``, ``triggered_by``, ``error`` and
``output`` as in Rally.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import threading
import time
import traceback
from collections import Counter
from typing import Any, ClassVar

from twinstack.bench.registry import get as get_plugin
from twinstack.bench.registry import register
from twinstack.bench.scenario import OutputError, check_output
from twinstack.bench.task import Hook


class HookAction:
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {}
    plugin_name: ClassVar[str]

    def __init__(self, config: Any, triggered_by: dict[str, Any]) -> None:
        self.config = config
        self.result: dict[str, Any] = {
            "status": "success",
            "started_at": 0.0,
            "finished_at": 0.0,
            "triggered_by": triggered_by,
        }
        self._thread = threading.Thread(target=self.run_sync, name="bench-hook", daemon=True)

    def set_error(self, etype: str, msg: str, details: str) -> None:
        self.result["status"] = "failed"
        self.result["error"] = {"etype": etype, "msg": msg, "details": details}

    def add_output(
        self, additive: dict[str, Any] | None = None, complete: dict[str, Any] | None = None
    ) -> None:
        out = self.result.setdefault("output", {"additive": [], "complete": []})
        for kind, item in (("additive", additive), ("complete", complete)):
            if item:
                check_output(kind, item)
                out[kind].append(item)

    def run_sync(self) -> None:
        self.result["started_at"] = time.time()
        try:
            self.run()
        except Exception as exc:  # noqa: BLE001 - a hook failure is recorded, not raised
            self.set_error(type(exc).__name__, str(exc), traceback.format_exc())
        self.result["finished_at"] = time.time()

    def run_async(self) -> None:
        self._thread.start()

    def wait(self, timeout: float | None = None) -> dict[str, Any]:
        if self._thread.ident is not None:
            self._thread.join(timeout)
        return self.result

    def run(self) -> None:
        raise NotImplementedError


@register("hook_action", "sys_call")
class SysCall(HookAction):
    """Run a shell command (split like a shell would, not run through one).

    A non-zero exit status fails the hook. If stdout is JSON ``{additive: [...], complete: [...]}``
    its charts go to the report; otherwise the exit status, stdout and stderr are shown as text.
    """

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {"type": "string", "minLength": 1}

    def run(self) -> None:
        proc = subprocess.run(shlex.split(self.config), capture_output=True, text=True, check=False)
        if proc.returncode:
            self.set_error(
                "n/a", f"Subprocess returned {proc.returncode}", proc.stderr or f"stdout: {proc.stdout}"
            )
        try:
            charts = json.loads(proc.stdout)
            for kind in ("additive", "complete"):
                for item in charts.get(kind, []):
                    self.add_output(**{kind: item})
        except (ValueError, TypeError, AttributeError, OutputError):
            self.add_output(
                complete={
                    "title": "System call",
                    "chart_plugin": "TextArea",
                    "description": f"Args: {self.config}",
                    "data": [
                        f"RetCode: {proc.returncode}",
                        f"StdOut: {proc.stdout or '(empty)'}",
                        f"StdErr: {proc.stderr or '(empty)'}",
                    ],
                }
            )


_UNIT = {"type": "string", "enum": ["time", "iteration"]}


class Trigger:
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {}
    plugin_name: ClassVar[str]

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.unit: str = config["unit"]

    def fires(self, value: int) -> bool:
        raise NotImplementedError


@register("hook_trigger", "event")
class EventTrigger(Trigger):
    """Fire at the listed points: ``{unit: iteration|time, at: [1, 5, ...]}``."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["unit", "at"],
        "additionalProperties": False,
        "properties": {
            "unit": _UNIT,
            "at": {
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": {"type": "integer", "minimum": 0},
            },
        },
    }

    def fires(self, value: int) -> bool:
        return value in self.config["at"]


@register("hook_trigger", "periodic")
class PeriodicTrigger(Trigger):
    """Fire every ``step`` units from ``start`` (0 for time, 1 for iterations) to ``end``."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["unit", "step"],
        "additionalProperties": False,
        "properties": {
            "unit": _UNIT,
            "step": {"type": "integer", "minimum": 1},
            "start": {"type": "integer", "minimum": 0},
            "end": {"type": "integer", "minimum": 1},
        },
    }

    def fires(self, value: int) -> bool:
        start = self.config.get("start", 0 if self.unit == "time" else 1)
        end = self.config.get("end", float("inf"))
        return start <= value <= end and (value - start) % self.config["step"] == 0


class HookExecutor:
    """Runs the workload's hooks as iterations start and seconds pass."""

    def __init__(self, hooks: list[Hook]) -> None:
        self.hooks = hooks
        self.triggers = [get_plugin("hook_trigger", h.trigger[0])(h.trigger[1] or {}) for h in hooks]
        self.actions: list[list[HookAction]] = [[] for _ in hooks]
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._timer: threading.Thread | None = None

    def _fire(self, unit: str, value: int) -> None:
        for n, (hook, trigger) in enumerate(zip(self.hooks, self.triggers, strict=True)):
            if trigger.unit == unit and trigger.fires(value):
                action = get_plugin("hook_action", hook.action[0])(
                    hook.action[1], {"event_type": unit, "value": value}
                )
                with self._lock:
                    self.actions[n].append(action)
                action.run_async()

    def on_iteration(self, iteration: int) -> None:
        if not self.hooks:
            return
        if iteration == 1 and self._timer is None and any(t.unit == "time" for t in self.triggers):
            self._timer = threading.Thread(target=self._tick, name="bench-hook-timer", daemon=True)
            self._timer.start()
        self._fire("iteration", iteration)

    def _tick(self) -> None:
        start = time.monotonic()
        second = 0
        while not self._stop.is_set():
            self._fire("time", second)
            second += 1
            self._stop.wait(max(0.0, start + second - time.monotonic()))

    def results(self, wait: float | None = 60.0) -> list[dict[str, Any]]:
        """Stop the timer, wait for running hooks, and summarise per hook."""
        self._stop.set()
        if self._timer is not None:
            self._timer.join()
        out = []
        for hook, actions in zip(self.hooks, self.actions, strict=True):
            results = [a.wait(wait) for a in actions]
            out.append(
                {
                    "config": hook.to_config(),
                    "results": results,
                    "summary": dict(Counter(r["status"] for r in results)),
                }
            )
        return out
