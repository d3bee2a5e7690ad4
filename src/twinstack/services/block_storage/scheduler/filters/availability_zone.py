"""AvailabilityZoneFilter: the pool's backend is in the requested zone (if one was asked)."""

from __future__ import annotations

from typing import Any

from twinstack.services.block_storage.scheduler.filters import BaseBackendFilter
from twinstack.services.block_storage.scheduler.host_manager import PoolState


class AvailabilityZoneFilter(BaseBackendFilter):
    name = "AvailabilityZoneFilter"

    def backend_passes(self, pool: PoolState, filter_properties: dict[str, Any]) -> bool:
        spec = filter_properties.get("request_spec") or {}
        props = spec.get("volume_properties") or {}
        wanted = props.get("availability_zone")
        allowed = filter_properties.get("availability_zones")  # RESKEY:availability_zones
        if allowed and pool.availability_zone not in allowed:
            return False
        return not wanted or wanted == pool.availability_zone
