"""Scenario base class: what one iteration of a workload runs.

A scenario is a class registered as ``register("scenario", "Group.name")`` with a ``run(**args)``
method. Its arguments are checked against ``run``'s signature at validation time; ``ARG_TYPES``
maps argument names to resource types (``glance_image``, ``nova_flavor``...) resolved at run time.
"""

from __future__ import annotations

import random
import string
import threading
import time
from typing import Any, ClassVar

from twinstack.bench.atomic import ActionTimer

OUTPUT_KEYS = {"title", "description", "chart_plugin", "data", "label", "axis_label"}
CHART_PLUGINS = {
    "StackedArea",
    "Lines",
    "Pie",
    "Table",
    "StatsTable",
    "TextArea",
    "EmbeddedChart",
    "EmbeddedExternalChart",
}
_NAME_CHARS = string.ascii_letters + string.digits


class OutputError(ValueError):
    """A scenario called add_output() with a malformed chart."""


def check_output(kind: str, item: Any) -> None:
    if kind not in ("additive", "complete"):
        raise OutputError(f"unexpected output type {kind!r}, should be 'additive' or 'complete'")
    if not isinstance(item, dict):
        raise OutputError(f"{kind} output item must be a dict, not {type(item).__name__}")
    for key in ("title", "chart_plugin", "data"):
        if key not in item:
            raise OutputError(f"{kind} output is missing key {key!r}")
    unknown = set(item) - OUTPUT_KEYS
    if unknown:
        raise OutputError(f"{kind} output has unexpected keys: {', '.join(sorted(unknown))}")
    if item["chart_plugin"] not in CHART_PLUGINS:
        raise OutputError(f"{kind} output has unknown chart_plugin {item['chart_plugin']!r}")


class Scenario:
    """Base class for scenarios. Subclasses implement ``run(self, **args)``."""

    plugin_kind: ClassVar[str]
    plugin_name: ClassVar[str]
    #: argument name -> resource type plugin name, resolved before each iteration
    ARG_TYPES: ClassVar[dict[str, str]] = {}
    #: the platform the scenario needs: None (none) or "openstack"
    PLATFORM: ClassVar[str | None] = None
    #: contexts the workload must configure (e.g. ("users",) implied for openstack)
    REQUIRED_CONTEXTS: ClassVar[tuple[str, ...]] = ()
    #: scenario needs admin credentials
    REQUIRES_ADMIN: ClassVar[bool] = False

    def __init__(self, context: dict[str, Any]) -> None:
        self.context = context
        self._atomic_actions: list[dict[str, Any]] = []
        self._idle_duration = 0.0
        self._output: dict[str, list[dict[str, Any]]] = {"additive": [], "complete": []}

    # -- results -------------------------------------------------------------------------
    def atomic_actions(self) -> list[dict[str, Any]]:
        return self._atomic_actions

    def idle_duration(self) -> float:
        return self._idle_duration

    def add_output(
        self, additive: dict[str, Any] | None = None, complete: dict[str, Any] | None = None
    ) -> None:
        """Add a chart to the report: ``additive`` (one point per iteration) or ``complete``."""
        for kind, item in (("additive", additive), ("complete", complete)):
            if item:
                check_output(kind, item)
                self._output[kind].append(item)

    def atomic(self, name: str) -> ActionTimer:
        """``with self.atomic("nova.boot_server"): ...``"""
        return ActionTimer(self, name)

    # -- time ----------------------------------------------------------------------------
    @property
    def _abort_event(self) -> threading.Event | None:
        return self.context.get("abort_event")

    def interruptible_sleep(self, seconds: float) -> None:
        """Sleep, waking early if the run is hard-aborted.

        Sleeps in short slices so that an iteration timeout (raised into this thread) lands.
        """
        if seconds <= 0:
            return
        event = self._abort_event or threading.Event()
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            if event.wait(min(left, 0.05)):
                return

    def sleep_between(self, min_sleep: float, max_sleep: float | None = None) -> None:
        """Sleep a random time between the bounds; it counts as idle, not as duration."""
        max_sleep = min_sleep if max_sleep is None else max_sleep
        if max_sleep < min_sleep:
            raise ValueError("min_sleep must not be greater than max_sleep")
        seconds = random.uniform(min_sleep, max_sleep)
        self.interruptible_sleep(seconds)
        self._idle_duration += seconds

    # -- names and clients ---------------------------------------------------------------
    def generate_random_name(self) -> str:
        """``rally_<run tag>_<8 random>``: the shape Rally's cleanup recognises."""
        tag = self.context.get("task", {}).get("name_tag", "") or "".join(random.choices(_NAME_CHARS, k=8))
        return f"rally_{tag}_{''.join(random.choices(_NAME_CHARS, k=8))}"

    def clients(self) -> Any:
        """An openstacksdk Connection for this iteration's user."""
        env = self.context.get("env")
        if env is None:
            raise RuntimeError(f"{self.plugin_name} needs a cloud, and this run has none")
        user = self.context.get("user")
        return env.connection(user) if user else env.admin_connection()

    def admin_clients(self) -> Any:
        env = self.context.get("env")
        if env is None:
            raise RuntimeError(f"{self.plugin_name} needs a cloud, and this run has none")
        return env.admin_connection()

    def run(self, **kwargs: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError
