"""BuildFailureWeigher: push hosts with recent failed builds to the back."""

from __future__ import annotations

from typing import Any

from twinstack.core.registry import registry
from twinstack.services.compute.scheduler.host_state import HostState
from twinstack.services.compute.scheduler.weighers import BaseWeigher


@registry.register("scheduler_weigher", "BuildFailureWeigher")
class BuildFailureWeigher(BaseWeigher):
    name = "BuildFailureWeigher"
    multiplier = 1000000.0

    def weigh(self, host: HostState, spec: dict[str, Any]) -> float:
        return -host.failed_builds

    def weigh_all(self, hosts: list[HostState], spec: dict[str, Any]) -> list[float]:
        return [-h.failed_builds for h in hosts]
