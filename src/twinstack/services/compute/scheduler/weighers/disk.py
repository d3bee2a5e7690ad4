"""DiskWeigher: prefer hosts with more free disk (spread)."""

from __future__ import annotations

from typing import Any

from twinstack.core.registry import registry
from twinstack.services.compute.scheduler.host_state import HostState
from twinstack.services.compute.scheduler.weighers import BaseWeigher


@registry.register("scheduler_weigher", "DiskWeigher")
class DiskWeigher(BaseWeigher):
    name = "DiskWeigher"

    def weigh(self, host: HostState, spec: dict[str, Any]) -> float:
        return host.free_disk_gb

    def weigh_all(self, hosts: list[HostState], spec: dict[str, Any]) -> list[float]:
        return [h.free_disk_gb for h in hosts]
