"""A context for engine tests: records its setup/cleanup and can be told to fail."""

from __future__ import annotations

from typing import Any, ClassVar

from twinstack.bench.contexts.base import Context
from twinstack.bench.registry import register


@register("context", "dummy_context")
class DummyContext(Context):
    """Does nothing. fail_setup / fail_cleanup (bool) make it raise; ``order`` is recorded in
    ``ctx["dummy_log"]`` so tests can see setup and cleanup order."""

    ORDER: ClassVar[int] = 750
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {"fail_setup": {"type": "boolean"}, "fail_cleanup": {"type": "boolean"}},
    }

    def setup(self) -> None:
        self.ctx.setdefault("dummy_log", []).append(f"setup:{self.plugin_name}")
        if self.config.get("fail_setup"):
            raise RuntimeError("dummy_context setup failed as configured")

    def cleanup(self) -> None:
        self.ctx.setdefault("dummy_log", []).append(f"cleanup:{self.plugin_name}")
        if self.config.get("fail_cleanup"):
            raise RuntimeError("dummy_context cleanup failed as configured")
