"""The volume scheduler (``volume_scheduler`` topic): picks a pool, then casts to its manager.

As cinder's ``SchedulerManager.create_volume``: run the FilterScheduler over the pools the
backends reported, record the chosen ``host@backend#pool`` on the volume and cast to
``volume.<host@backend>``; with no valid backend the volume goes to ``error``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select, update

from twinstack.core.context import RequestContext
from twinstack.services.block_storage import models as m
from twinstack.services.block_storage.common import utcnow
from twinstack.services.block_storage.rpcapi import VolumeAPI
from twinstack.services.block_storage.scheduler.driver import FilterScheduler, NoValidBackend
from twinstack.services.block_storage.scheduler.host_manager import HostManager

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud

LOG = logging.getLogger(__name__)


class SchedulerManager:
    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.host_manager = HostManager()
        self.driver = FilterScheduler(self.host_manager)
        self.volume_rpc = VolumeAPI(cloud.bus)
        self._disabled: set[str] | None = None

    def refresh_services(self, ctx: Any) -> None:
        """A service was enabled or disabled: read them again at the next scheduling."""
        self._disabled = None

    def _disabled_backends(self) -> set[str]:
        if self._disabled is not None:
            return self._disabled
        with self.cloud.db.begin() as conn:
            rows = conn.execute(
                select(m.services.c.host).where(
                    m.services.c.binary == "cinder-volume", m.services.c.disabled.is_(True)
                )
            ).all()
        self._disabled = {r[0] for r in rows}
        return self._disabled

    def update_service_capabilities(
        self,
        ctx: Any,
        backend_id: str,
        availability_zone: str,
        stats: dict[str, Any],
        seq: int,
        finished: list[str],
    ) -> None:
        self.host_manager.update_service_capabilities(
            backend_id, availability_zone, stats, seq, finished, utcnow(self.cloud.clock)
        )

    async def create_volume(
        self,
        ctx: RequestContext,
        volume_id: str,
        request_spec: dict[str, Any],
        filter_properties: dict[str, Any],
    ) -> None:
        size = float(request_spec["volume_properties"]["size"])
        try:
            pool = self.driver.schedule(volume_id, filter_properties, self._disabled_backends(), size)
        except NoValidBackend as exc:
            LOG.info("volume %s: %s", volume_id, exc)
            self.cloud.service("block_storage").add_message(
                ctx,
                resource_uuid=volume_id,
                event_id="VOLUME_VOLUME_001_002",
                user_message="schedule allocate volume:Could not find any available weighted backend.",
            )
            with self.cloud.db.begin() as conn:
                conn.execute(
                    update(m.volumes)
                    .where(m.volumes.c.id == volume_id, m.volumes.c.status == "creating")
                    .values(status="error", updated_at=utcnow(self.cloud.clock))
                )
            return
        with self.cloud.db.begin() as conn:
            done = conn.execute(
                _PLACE,
                {
                    "b_id": volume_id,
                    "host": pool.pool_id,
                    "availability_zone": pool.availability_zone,
                    "updated_at": utcnow(self.cloud.clock),
                },
            ).rowcount
        if not done:  # deleted (or reset) while waiting for the scheduler
            self.host_manager.release(volume_id)
            return
        retry = dict(filter_properties.get("retry") or {"num_attempts": 0, "backends": []})
        retry["num_attempts"] = int(retry.get("num_attempts", 0)) + 1
        retry["backends"] = [*retry.get("backends", []), pool.backend_id]
        await self.volume_rpc.create_volume(
            ctx, pool.pool_id, volume_id, request_spec, {**filter_properties, "retry": retry}
        )

    async def extend_volume(
        self, ctx: RequestContext, volume_id: str, new_size: int, request_spec: dict[str, Any]
    ) -> None:
        """Check the volume's own pool has room for the growth, then cast to its manager."""
        host = request_spec["host"]
        props = {
            "size": request_spec["size"],
            "new_size": new_size,
            "request_spec": {**request_spec, "resource_backend": host},
            "volume_type": request_spec.get("volume_type"),
            "resource_type": request_spec.get("volume_type"),
        }
        grow = float(new_size - int(request_spec["size"]))
        try:
            self.driver.schedule(f"extend:{volume_id}", props, self._disabled_backends(), grow)
        except NoValidBackend:
            with self.cloud.db.begin() as conn:
                conn.execute(
                    update(m.volumes)
                    .where(m.volumes.c.id == volume_id)
                    .values(status="error_extending", updated_at=utcnow(self.cloud.clock))
                )
            return
        await self.volume_rpc.extend_volume(ctx, host, volume_id, new_size)

    def get_pools(self, ctx: Any, filters: dict[str, Any]) -> list[dict[str, Any]]:
        out = []
        for pool in sorted(self.host_manager.pools.values(), key=lambda p: p.pool_id):
            if filters.get("name") and filters["name"] != pool.pool_id:
                continue
            if filters.get("backend_name") and filters["backend_name"] != pool.capabilities.get(
                "volume_backend_name"
            ):
                continue
            caps = dict(pool.capabilities)
            caps.pop("pool_name", None)
            caps["free_capacity_gb"] = round(pool.effective_free_gb, 2)
            caps["provisioned_capacity_gb"] = pool.effective_provisioned_gb
            caps["allocated_capacity_gb"] = pool.allocated_capacity_gb
            stamp = pool.updated.strftime("%Y-%m-%dT%H:%M:%S.%f") if pool.updated else None
            caps["timestamp"] = stamp
            caps["updated"] = stamp
            out.append({"name": pool.pool_id, "capabilities": caps})
        return out


# the scheduler's placement of a volume still ``creating`` (built once)
_PLACE = update(m.volumes).where(m.volumes.c.id == bindparam("b_id"), m.volumes.c.status == "creating")
