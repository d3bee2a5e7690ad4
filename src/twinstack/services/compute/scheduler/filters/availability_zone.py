"""AvailabilityZoneFilter: the host is in the availability zone the request asks for."""

from __future__ import annotations

from typing import Any

from twinstack.core.registry import registry
from twinstack.services.compute.scheduler.filters import BaseFilter
from twinstack.services.compute.scheduler.host_state import HostState


@registry.register("scheduler_filter", "AvailabilityZoneFilter")
class AvailabilityZoneFilter(BaseFilter):
    name = "AvailabilityZoneFilter"

    def relevant(self, spec: dict[str, Any]) -> bool:
        return bool(spec.get("availability_zone"))

    def host_passes(self, host: HostState, spec: dict[str, Any]) -> bool:
        return host.availability_zone == spec["availability_zone"]
