"""RAMWeigher: prefer hosts with more free RAM (spread)."""

from __future__ import annotations

from typing import Any

from twinstack.core.registry import registry
from twinstack.services.compute.scheduler.host_state import HostState
from twinstack.services.compute.scheduler.weighers import BaseWeigher


@registry.register("scheduler_weigher", "RAMWeigher")
class RAMWeigher(BaseWeigher):
    name = "RAMWeigher"

    def weigh(self, host: HostState, spec: dict[str, Any]) -> float:
        return host.free_ram_mb

    def weigh_all(self, hosts: list[HostState], spec: dict[str, Any]) -> list[float]:
        return [h.free_ram_mb for h in hosts]
