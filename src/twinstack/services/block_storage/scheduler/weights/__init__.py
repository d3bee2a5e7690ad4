"""Backend weighers, one per file: each has ``weigh(pool, weight_properties) -> float``."""

from __future__ import annotations

from typing import Any

from twinstack.services.block_storage.scheduler.host_manager import PoolState


class BaseWeigher:
    name = ""
    multiplier = 1.0

    def weigh(self, pool: PoolState, weight_properties: dict[str, Any]) -> float:
        raise NotImplementedError


def default_weighers() -> list[BaseWeigher]:
    from twinstack.services.block_storage.scheduler.weights.capacity import CapacityWeigher

    return [CapacityWeigher()]
