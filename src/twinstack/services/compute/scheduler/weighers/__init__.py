"""Host weighers, one small class per module; each registers as ``scheduler_weigher``.

``weigh`` gives a raw value per host; the scheduler normalises each weigher's values to 0..1
across the candidate hosts, multiplies by ``multiplier`` and sums, as nova does.
"""

from __future__ import annotations

from typing import Any

from twinstack.services.compute.scheduler.host_state import HostState


class BaseWeigher:
    name = ""
    multiplier = 1.0

    def relevant(self, spec: dict[str, Any]) -> bool:
        return True

    def weigh(self, host: HostState, spec: dict[str, Any]) -> float:
        raise NotImplementedError

    def weigh_all(self, hosts: list[HostState], spec: dict[str, Any]) -> list[float]:
        """``weigh`` for every host, in order (a weigher may answer for all at once, faster)."""
        weigh = self.weigh
        return [weigh(h, spec) for h in hosts]


ENABLED_WEIGHERS = (
    "RAMWeigher",
    "CPUWeigher",
    "DiskWeigher",
    "ServerGroupSoftAffinityWeigher",
    "ServerGroupSoftAntiAffinityWeigher",
    "BuildFailureWeigher",
)
MODULES = ("ram", "cpu", "disk", "affinity", "build_failure")
