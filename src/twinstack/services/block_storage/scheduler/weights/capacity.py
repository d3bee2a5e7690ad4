"""CapacityWeigher: prefer the pool with the most (virtual) free space."""

from __future__ import annotations

from typing import Any

from twinstack.services.block_storage.scheduler.filters.capacity import virtual_free_gb, wants_thin
from twinstack.services.block_storage.scheduler.host_manager import PoolState
from twinstack.services.block_storage.scheduler.weights import BaseWeigher


class CapacityWeigher(BaseWeigher):
    name = "CapacityWeigher"

    def weigh(self, pool: PoolState, weight_properties: dict[str, Any]) -> float:
        return virtual_free_gb(pool, wants_thin(weight_properties))
