"""Host filters, one small class per module; each registers as ``scheduler_filter`` in the registry.

A filter says whether a host can take one instance of a request (``host_passes``) and whether it
has anything to check for that request at all (``relevant``; skipping is how 10,000 hosts stay
cheap).
"""

from __future__ import annotations

from typing import Any

from twinstack.services.compute.scheduler.host_state import HostState


class BaseFilter:
    name = ""

    def relevant(self, spec: dict[str, Any]) -> bool:
        return True

    def host_passes(self, host: HostState, spec: dict[str, Any]) -> bool:
        raise NotImplementedError

    def filter_all(self, hosts: list[HostState], spec: dict[str, Any]) -> list[HostState]:
        """The hosts that pass, in order (a filter may answer for all at once, faster)."""
        passes = self.host_passes
        return [h for h in hosts if passes(h, spec)]


ENABLED_FILTERS = (
    "ComputeFilter",
    "AvailabilityZoneFilter",
    "ComputeCapabilitiesFilter",
    "ImagePropertiesFilter",
    "ServerGroupAntiAffinityFilter",
    "ServerGroupAffinityFilter",
    "SameHostFilter",
    "DifferentHostFilter",
)

MODULES = ("compute", "availability_zone", "compute_capabilities", "image_props", "affinity", "same_host")
