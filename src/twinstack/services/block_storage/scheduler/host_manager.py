"""What the scheduler knows of each pool: the last stats its backend reported, plus claims.

A claim is made when a volume is scheduled to a pool (``consume``) and dropped when the
backend's next report says it is done with that volume (``finished``), so a pool is never
counted short between the decision and the driver's work: concurrent creates cannot
over-commit a pool. Reports carry a sequence number; an older report never replaces a newer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class PoolState:
    """One ``host@backend#pool`` as the filters and weighers see it."""

    backend_id: str  # host@backend
    pool_name: str
    availability_zone: str
    capabilities: dict[str, Any] = field(default_factory=dict)
    total_capacity_gb: float = 0
    free_capacity_gb: float = 0
    provisioned_capacity_gb: float = 0
    allocated_capacity_gb: float = 0
    reserved_percentage: int = 0
    max_over_subscription_ratio: float = 1.0
    thin_provisioning_support: bool = False
    claimed_gb: float = 0  # scheduled, not yet reported by the backend
    updated: datetime | None = None
    disabled: bool = False

    @property
    def pool_id(self) -> str:
        return f"{self.backend_id}#{self.pool_name}"

    @property
    def effective_free_gb(self) -> float:
        return self.free_capacity_gb - self.claimed_gb

    @property
    def effective_provisioned_gb(self) -> float:
        return self.provisioned_capacity_gb + self.claimed_gb


class HostManager:
    def __init__(self) -> None:
        self.pools: dict[str, PoolState] = {}
        self.azs: dict[str, str] = {}  # backend_id -> AZ
        self._seq: dict[str, int] = {}
        self.claims: dict[str, tuple[str, float]] = {}  # key -> (pool_id, GiB)

    def update_service_capabilities(
        self,
        backend_id: str,
        availability_zone: str,
        stats: dict[str, Any],
        seq: int,
        finished: list[str],
        now: datetime,
    ) -> None:
        for key in finished:
            self.release(key)
        if seq < self._seq.get(backend_id, -1):
            return
        self._seq[backend_id] = seq
        self.azs[backend_id] = availability_zone
        shared = {k: v for k, v in stats.items() if k != "pools"}
        for pool in stats.get("pools", []):
            pool_id = f"{backend_id}#{pool['pool_name']}"
            state = self.pools.get(pool_id)
            if state is None:
                state = PoolState(backend_id, pool["pool_name"], availability_zone)
                self.pools[pool_id] = state
            state.availability_zone = availability_zone
            state.capabilities = {**shared, **pool}
            state.total_capacity_gb = float(pool["total_capacity_gb"])
            state.free_capacity_gb = float(pool["free_capacity_gb"])
            state.provisioned_capacity_gb = float(pool.get("provisioned_capacity_gb", 0))
            state.allocated_capacity_gb = float(pool.get("allocated_capacity_gb", 0))
            state.reserved_percentage = int(pool.get("reserved_percentage", 0))
            state.max_over_subscription_ratio = float(pool.get("max_over_subscription_ratio", 1.0))
            state.thin_provisioning_support = bool(pool.get("thin_provisioning_support", False))
            state.updated = now

    def consume(self, key: str, pool_id: str, size: float) -> None:
        """Claim ``size`` GiB on a pool for ``key`` (a volume id, or ``extend:<id>``)."""
        self.release(key)
        self.claims[key] = (pool_id, size)
        pool = self.pools.get(pool_id)
        if pool is not None:
            pool.claimed_gb += size

    def release(self, key: str) -> None:
        claim = self.claims.pop(key, None)
        if claim is None:
            return
        pool = self.pools.get(claim[0])
        if pool is not None:
            pool.claimed_gb = max(pool.claimed_gb - claim[1], 0)

    def all_pools(self, disabled_backends: set[str]) -> list[PoolState]:
        pools = []
        for pool in self.pools.values():
            pool.disabled = pool.backend_id in disabled_backends
            pools.append(pool)
        return pools
