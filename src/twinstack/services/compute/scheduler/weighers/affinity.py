"""Soft server group weighers: soft-affinity packs a group, soft-anti-affinity spreads it."""

from __future__ import annotations

from typing import Any

from twinstack.core.registry import registry
from twinstack.services.compute.scheduler.host_state import HostState
from twinstack.services.compute.scheduler.weighers import BaseWeigher


class _GroupWeigher(BaseWeigher):
    policy = ""

    def relevant(self, spec: dict[str, Any]) -> bool:
        group = spec.get("instance_group")
        return bool(group and group["policy"] == self.policy)

    def members_on(self, host: HostState, spec: dict[str, Any]) -> int:
        return int(spec["instance_group"]["hosts"].count(host.host))


@registry.register("scheduler_weigher", "ServerGroupSoftAffinityWeigher")
class ServerGroupSoftAffinityWeigher(_GroupWeigher):
    name = "ServerGroupSoftAffinityWeigher"
    policy = "soft-affinity"
    multiplier = 1000.0

    def weigh(self, host: HostState, spec: dict[str, Any]) -> float:
        return self.members_on(host, spec)


@registry.register("scheduler_weigher", "ServerGroupSoftAntiAffinityWeigher")
class ServerGroupSoftAntiAffinityWeigher(_GroupWeigher):
    name = "ServerGroupSoftAntiAffinityWeigher"
    policy = "soft-anti-affinity"
    multiplier = 1000.0

    def weigh(self, host: HostState, spec: dict[str, Any]) -> float:
        return -self.members_on(host, spec)
