"""ComputeFilter: the host's nova-compute service is enabled and up."""

from __future__ import annotations

from typing import Any

from twinstack.core.registry import registry
from twinstack.services.compute.scheduler.filters import BaseFilter
from twinstack.services.compute.scheduler.host_state import HostState


@registry.register("scheduler_filter", "ComputeFilter")
class ComputeFilter(BaseFilter):
    name = "ComputeFilter"

    def host_passes(self, host: HostState, spec: dict[str, Any]) -> bool:
        return not host.disabled and host.up

    def filter_all(self, hosts: list[HostState], spec: dict[str, Any]) -> list[HostState]:
        return [h for h in hosts if not h.disabled and not h.forced_down]
