"""SameHostFilter and DifferentHostFilter: the ``same_host`` / ``different_host`` hints."""

from __future__ import annotations

from typing import Any

from twinstack.core.registry import registry
from twinstack.services.compute.scheduler.filters import BaseFilter
from twinstack.services.compute.scheduler.host_state import HostState


@registry.register("scheduler_filter", "SameHostFilter")
class SameHostFilter(BaseFilter):
    name = "SameHostFilter"

    def relevant(self, spec: dict[str, Any]) -> bool:
        return bool(spec.get("same_host_hosts"))

    def host_passes(self, host: HostState, spec: dict[str, Any]) -> bool:
        return host.host in spec["same_host_hosts"]


@registry.register("scheduler_filter", "DifferentHostFilter")
class DifferentHostFilter(BaseFilter):
    name = "DifferentHostFilter"

    def relevant(self, spec: dict[str, Any]) -> bool:
        return bool(spec.get("different_host_hosts"))

    def host_passes(self, host: HostState, spec: dict[str, Any]) -> bool:
        return host.host not in spec["different_host_hosts"]
