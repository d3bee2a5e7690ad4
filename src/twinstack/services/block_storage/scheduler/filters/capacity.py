"""CapacityFilter: room for the requested GiB, with thin provisioning and reserved space.

As cinder: thick pools need ``free - reserved >= size``; thin pools need the provisioned
ratio ``(provisioned + size) / (total - reserved)`` to stay within
``max_over_subscription_ratio`` and virtual free space for the size.
"""

from __future__ import annotations

from typing import Any

from twinstack.services.block_storage.scheduler.filters import BaseBackendFilter
from twinstack.services.block_storage.scheduler.host_manager import PoolState


def virtual_free_gb(pool: PoolState, thin: bool) -> float:
    total = pool.total_capacity_gb
    reserved = total * pool.reserved_percentage / 100.0
    available = total - reserved
    if thin and pool.thin_provisioning_support:
        return available * pool.max_over_subscription_ratio - pool.effective_provisioned_gb
    return pool.effective_free_gb - reserved


def wants_thin(filter_properties: dict[str, Any]) -> bool:
    vtype = filter_properties.get("volume_type") or {}
    return (vtype.get("extra_specs") or {}).get("provisioning:type") != "thick"


class CapacityFilter(BaseBackendFilter):
    name = "CapacityFilter"

    def backend_passes(self, pool: PoolState, filter_properties: dict[str, Any]) -> bool:
        if filter_properties.get("vol_exists_on") == pool.backend_id and not filter_properties.get(
            "new_size"
        ):
            return True
        if filter_properties.get("new_size"):
            requested = int(filter_properties["new_size"]) - int(filter_properties.get("size") or 0)
        else:
            requested = int(filter_properties.get("size") or 0)
        if requested <= 0:
            return True
        if pool.total_capacity_gb <= 0:
            return False
        thin = wants_thin(filter_properties)
        available = pool.total_capacity_gb * (1 - pool.reserved_percentage / 100.0)
        if thin and pool.thin_provisioning_support and pool.max_over_subscription_ratio >= 1:
            ratio = (pool.effective_provisioned_gb + requested) / available if available > 0 else float("inf")
            if ratio > pool.max_over_subscription_ratio:
                return False
        return virtual_free_gb(pool, thin) >= requested
