from __future__ import annotations

import pytest

from twinstack.bench import registry


def test_duplicate_names_both_places() -> None:
    class A:
        pass

    class B:
        pass

    registry.register("scenario", "Test.dup")(A)
    try:
        with pytest.raises(registry.PluginError) as exc:
            registry.register("scenario", "Test.dup")(B)
        assert "test_registry" in str(exc.value) and "A" in str(exc.value) and "B" in str(exc.value)
    finally:
        registry.unregister("scenario", "Test.dup")


def test_get_unknown_suggests() -> None:
    with pytest.raises(registry.PluginError, match="Did you mean: constant"):
        registry.get("runner", "constnt")


def test_builtin_plugins_listed() -> None:
    assert {
        "failure_rate",
        "max_seconds_per_iteration",
        "max_avg_duration",
        "max_avg_duration_per_atomic",
        "outliers",
        "performance_degradation",
    } <= set(registry.list("sla"))
    assert {"sys_call"} <= set(registry.list("hook_action"))
    assert {"event", "periodic"} <= set(registry.list("hook_trigger"))
    assert "Dummy.dummy_timed_atomic_actions" in registry.list("scenario")
