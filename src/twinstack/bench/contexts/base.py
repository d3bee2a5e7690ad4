"""Context base class and the manager that sets contexts up in order and cleans up in reverse."""

from __future__ import annotations

import time
import traceback
from typing import Any, ClassVar

from twinstack.bench.registry import get as get_plugin


class ContextError(Exception):
    """A context could not be set up."""


class Context:
    """Base context. ``ctx`` is the workload's shared context dict (users, tenants, admin...).

    ORDER: setup order (Rally's numbers); cleanup runs in reverse.
    """

    ORDER: ClassVar[int] = 1000
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {"type": "object"}
    PLATFORM: ClassVar[str | None] = None
    HIDDEN: ClassVar[bool] = False
    plugin_name: ClassVar[str]

    def __init__(self, config: Any, ctx: dict[str, Any]) -> None:
        self.config = config
        self.ctx = ctx

    @property
    def env(self) -> Any:
        env = self.ctx.get("env")
        if env is None:
            raise ContextError(f"context {self.plugin_name!r} needs a cloud, and this run has none")
        return env

    def setup(self) -> None:
        raise NotImplementedError

    def cleanup(self) -> None:
        raise NotImplementedError


def _timed(fn: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"started_at": time.time(), "atomic_actions": [], "error": None}
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - recorded in the results
        out["error"] = {"etype": type(exc).__name__, "msg": str(exc), "traceback": traceback.format_exc()}
    out["finished_at"] = time.time()
    return out


class ContextManager:
    """Sets up a workload's contexts by ORDER; ``cleanup()`` undoes them in reverse."""

    def __init__(self, config: dict[str, Any], ctx: dict[str, Any]) -> None:
        self.ctx = ctx
        plugins = [(get_plugin("context", name), value) for name, value in config.items()]
        plugins.sort(key=lambda p: (p[0].ORDER, p[0].plugin_name))
        self.contexts = [cls(value, ctx) for cls, value in plugins]
        self._done: list[Context] = []
        self.results: list[dict[str, Any]] = []

    def setup(self) -> None:
        for context in self.contexts:
            self._done.append(context)
            result = _timed(context.setup)
            self.results.append(
                {
                    "plugin_name": context.plugin_name,
                    "plugin_cfg": context.config,
                    "setup": result,
                    "cleanup": None,
                }
            )
            if result["error"]:
                err = result["error"]
                raise ContextError(
                    f"context {context.plugin_name!r} failed to set up: {err['etype']}: {err['msg']}"
                )

    def cleanup(self) -> None:
        """Clean up every context that was set up (or tried to), in reverse order."""
        by_name = {r["plugin_name"]: r for r in self.results}
        while self._done:
            context = self._done.pop()
            by_name[context.plugin_name]["cleanup"] = _timed(context.cleanup)

    def cleanup_errors(self) -> list[str]:
        return [
            f"{r['plugin_name']}: {r['cleanup']['error']['msg']}"
            for r in self.results
            if r["cleanup"] and r["cleanup"]["error"]
        ]
