"""Backend filters, one per file: each has ``backend_passes(pool, filter_properties)``."""

from __future__ import annotations

from typing import Any

from twinstack.services.block_storage.scheduler.host_manager import PoolState


class BaseBackendFilter:
    name = ""

    def backend_passes(self, pool: PoolState, filter_properties: dict[str, Any]) -> bool:
        raise NotImplementedError


def default_filters() -> list[BaseBackendFilter]:
    """cinder's ``scheduler_default_filters``."""
    from twinstack.services.block_storage.scheduler.filters.availability_zone import AvailabilityZoneFilter
    from twinstack.services.block_storage.scheduler.filters.capabilities import CapabilitiesFilter
    from twinstack.services.block_storage.scheduler.filters.capacity import CapacityFilter

    return [AvailabilityZoneFilter(), CapacityFilter(), CapabilitiesFilter()]
