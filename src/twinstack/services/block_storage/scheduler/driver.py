"""FilterScheduler: filter the pools, weigh the survivors, pick the heaviest, claim its space."""

from __future__ import annotations

from typing import Any

from twinstack.services.block_storage.scheduler.filters import BaseBackendFilter, default_filters
from twinstack.services.block_storage.scheduler.host_manager import HostManager, PoolState
from twinstack.services.block_storage.scheduler.weights import BaseWeigher, default_weighers


class NoValidBackend(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(f"No valid backend was found. {reason}")


class FilterScheduler:
    def __init__(
        self,
        host_manager: HostManager,
        filters: list[BaseBackendFilter] | None = None,
        weighers: list[BaseWeigher] | None = None,
    ) -> None:
        self.host_manager = host_manager
        self.filters = filters if filters is not None else default_filters()
        self.weighers = weighers if weighers is not None else default_weighers()

    def candidates(self, filter_properties: dict[str, Any], disabled: set[str]) -> list[PoolState]:
        spec = filter_properties.get("request_spec") or {}
        pinned = spec.get("resource_backend")
        pools = [p for p in self.host_manager.all_pools(disabled) if not p.disabled]
        if pinned:
            pools = [p for p in pools if p.backend_id == pinned.split("#", 1)[0]]
        return [p for p in pools if all(f.backend_passes(p, filter_properties) for f in self.filters)]

    def weigh(self, pools: list[PoolState], filter_properties: dict[str, Any]) -> list[PoolState]:
        def total(pool: PoolState) -> float:
            return sum(w.multiplier * w.weigh(pool, filter_properties) for w in self.weighers)

        return sorted(pools, key=lambda p: (-total(p), p.pool_id))

    def schedule(
        self, key: str, filter_properties: dict[str, Any], disabled: set[str], size: float
    ) -> PoolState:
        """Pick a pool and claim ``size`` GiB on it under ``key``. Synchronous: no await between."""
        passing = self.candidates(filter_properties, disabled)
        if not passing:
            raise NoValidBackend("No weighed backends available")
        tried = set((filter_properties.get("retry") or {}).get("backends") or [])
        fresh = [p for p in passing if p.backend_id not in tried] or passing
        best = self.weigh(fresh, filter_properties)[0]
        self.host_manager.consume(key, best.pool_id, size)
        return best
