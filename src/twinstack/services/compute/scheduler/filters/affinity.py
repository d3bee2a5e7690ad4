"""Server group filters: hard affinity and anti-affinity (with max_server_per_host)."""

from __future__ import annotations

from typing import Any

from twinstack.core.registry import registry
from twinstack.services.compute.scheduler.filters import BaseFilter
from twinstack.services.compute.scheduler.host_state import HostState


def _group(spec: dict[str, Any]) -> dict[str, Any] | None:
    return spec.get("instance_group")


@registry.register("scheduler_filter", "ServerGroupAffinityFilter")
class ServerGroupAffinityFilter(BaseFilter):
    name = "ServerGroupAffinityFilter"

    def relevant(self, spec: dict[str, Any]) -> bool:
        group = _group(spec)
        return bool(group and group["policy"] == "affinity" and group["hosts"])

    def host_passes(self, host: HostState, spec: dict[str, Any]) -> bool:
        return host.host in spec["instance_group"]["hosts"]


@registry.register("scheduler_filter", "ServerGroupAntiAffinityFilter")
class ServerGroupAntiAffinityFilter(BaseFilter):
    name = "ServerGroupAntiAffinityFilter"

    def relevant(self, spec: dict[str, Any]) -> bool:
        group = _group(spec)
        return bool(group and group["policy"] == "anti-affinity" and group["hosts"])

    def host_passes(self, host: HostState, spec: dict[str, Any]) -> bool:
        group = spec["instance_group"]
        limit = int((group.get("rules") or {}).get("max_server_per_host", 1))
        return group["hosts"].count(host.host) < limit
