"""``BlockStorageService``: cinder's API layer (rules, quotas, the database) for the HTTP API
and for other services (interfaces.md). Topic mixins live in volumes.py, types.py, quotas.py,
snapshots.py, attachments.py, backups.py and transfers.py.

At ``start`` it builds the flow's other halves and serves them on the bus: the scheduler
(``volume_scheduler``), one volume manager per backend (``volume.<host@backend>``) with its
fake driver, and the backup service (``volume_backup``).
"""

from __future__ import annotations

import asyncio
import random
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from twinstack.core.errors import NotFound
from twinstack.services.block_storage import models as m
from twinstack.services.block_storage.attachments import AttachmentsMixin
from twinstack.services.block_storage.backups import BackupsMixin
from twinstack.services.block_storage.common import utcnow
from twinstack.services.block_storage.config import BlockStorageConfig
from twinstack.services.block_storage.quotas import QuotasMixin
from twinstack.services.block_storage.rpcapi import BackupAPI, SchedulerAPI, VolumeAPI
from twinstack.services.block_storage.snapshots import SnapshotsMixin
from twinstack.services.block_storage.transfers import TransfersMixin
from twinstack.services.block_storage.types import TypesMixin
from twinstack.services.block_storage.volume_actions import VolumeActionsMixin
from twinstack.services.block_storage.volumes import VolumesMixin

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud
    from twinstack.services.block_storage.backup_manager import BackupManager
    from twinstack.services.block_storage.manager import VolumeManager
    from twinstack.services.block_storage.scheduler.manager import SchedulerManager

SCHEDULER_HOST = "twinstack"


class BlockStorageService(
    VolumesMixin,
    VolumeActionsMixin,
    TypesMixin,
    QuotasMixin,
    SnapshotsMixin,
    AttachmentsMixin,
    BackupsMixin,
    TransfersMixin,
):
    def __init__(self, cloud: Cloud, config: BlockStorageConfig | None = None) -> None:
        self.cloud = cloud
        self.config = config or BlockStorageConfig.from_env()
        self._types_cache: dict[str, dict[str, Any]] | None = None
        self._usage_cache: dict[str, dict[str, int]] = {}
        self._limits_cache: dict[str, dict[str, int]] = {}
        self.scheduler_rpc = SchedulerAPI(cloud.bus)
        self.volume_rpc = VolumeAPI(cloud.bus)
        self.backup_rpc = BackupAPI(cloud.bus)
        self.scheduler: SchedulerManager | None = None
        self.managers: dict[str, VolumeManager] = {}
        self.backup_manager: BackupManager | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.messages: dict[str, dict[str, Any]] = {}  # user messages (kept in memory)

    def now(self) -> datetime:
        return utcnow(self.cloud.clock)

    def image_service(self) -> Any:
        """The image service (interfaces.md: get_image, create_image, upload/open_image_data)."""
        return self.cloud.service("image")

    # availability zones and services
    def availability_zone_names(self) -> set[str]:
        return {b.availability_zone for b in self.config.backends}

    def list_availability_zones(self) -> list[dict[str, Any]]:
        return [
            {"zoneName": az, "zoneState": {"available": True}}
            for az in sorted(self.availability_zone_names())
        ]

    def bootstrap(self) -> None:
        """Seed the default type and the service records (idempotent)."""
        self.ensure_default_type()
        now = self.now()
        wanted = [("cinder-scheduler", SCHEDULER_HOST, "nova"), ("cinder-backup", SCHEDULER_HOST, "nova")]
        wanted += [("cinder-volume", b.backend_id, b.availability_zone) for b in self.config.backends]
        with self.cloud.db.begin() as conn:
            have = {(r[0], r[1]) for r in conn.execute(select(m.services.c.binary, m.services.c.host))}
            for binary, host, az in wanted:
                if (binary, host) not in have:
                    conn.execute(
                        m.services.insert().values(
                            binary=binary,
                            host=host,
                            availability_zone=az,
                            disabled=False,
                            created_at=now,
                            updated_at=now,
                        )
                    )

    def list_services(self, host: str | None = None, binary: str | None = None) -> list[dict[str, Any]]:
        query = select(m.services)
        if host:
            query = query.where((m.services.c.host == host) | m.services.c.host.like(f"{host}@%"))
        if binary:
            query = query.where(m.services.c.binary == binary)
        configured = {b.backend_id for b in self.config.backends}
        with self.cloud.db.begin() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        for row in rows:
            row["state"] = "up" if row["binary"] != "cinder-volume" or row["host"] in configured else "down"
            row["updated_at"] = self.now()
        return rows

    def set_service_enabled(
        self, host: str, binary: str, enabled: bool, reason: str | None = None
    ) -> dict[str, Any]:
        with self.cloud.db.begin() as conn:
            done = conn.execute(
                update(m.services)
                .where(m.services.c.host == host, m.services.c.binary == binary)
                .values(
                    disabled=not enabled, disabled_reason=None if enabled else reason, updated_at=self.now()
                )
            ).rowcount
        if not done:
            raise NotFound(f"Service {binary} on host {host} could not be found.")
        return {"host": host, "binary": binary, "disabled": not enabled, "disabled_reason": reason}

    def add_message(
        self, ctx: Any, *, resource_uuid: str, event_id: str, user_message: str, resource_type: str = "VOLUME"
    ) -> None:
        """A user message (cinder's ``message.api``) for the project that owns the resource."""
        from datetime import timedelta

        now = self.now()
        message_id = self.cloud.ids.uuid()
        self.messages[message_id] = {
            "id": message_id,
            "project_id": getattr(ctx, "project_id", None),
            "request_id": getattr(ctx, "request_id", "req-internal"),
            "message_level": "ERROR",
            "event_id": event_id,
            "created_at": now,
            "guaranteed_until": now + timedelta(days=30),
            "resource_uuid": resource_uuid,
            "resource_type": resource_type,
            "user_message": user_message,
        }

    def host_usage(self, host: str) -> dict[str, dict[str, str]]:
        """os-hosts: volumes and snapshots (count, GiB) on a backend, in total and per project."""
        out: dict[str, dict[str, int]] = {}

        def bucket(project: str) -> dict[str, int]:
            return out.setdefault(
                project,
                {"volume_count": 0, "total_volume_gb": 0, "snapshot_count": 0, "total_snapshot_gb": 0},
            )

        bucket("(total)")
        with self.cloud.db.begin() as conn:
            vols = conn.execute(
                select(m.volumes.c.id, m.volumes.c.project_id, m.volumes.c.size).where(
                    m.volumes.c.host.like(f"{host}#%")
                )
            ).all()
            ids = [v[0] for v in vols]
            snaps = (
                conn.execute(
                    select(m.snapshots.c.project_id, m.snapshots.c.size).where(
                        m.snapshots.c.volume_id.in_(ids)
                    )
                ).all()
                if ids
                else []
            )
        for _, project, size in vols:
            for key in ("(total)", project):
                bucket(key)["volume_count"] += 1
                bucket(key)["total_volume_gb"] += size
        for project, size in snaps:
            for key in ("(total)", project):
                bucket(key)["snapshot_count"] += 1
                bucket(key)["total_snapshot_gb"] += size
        return {p: {k: str(v) for k, v in u.items()} for p, u in out.items()}

    # lifecycle
    async def start(self) -> None:
        from twinstack.services.block_storage.backup_manager import BackupManager
        from twinstack.services.block_storage.drivers.fake import FakeDriver
        from twinstack.services.block_storage.manager import VolumeManager
        from twinstack.services.block_storage.scheduler.manager import SchedulerManager

        bus = self.cloud.bus
        self.loop = asyncio.get_running_loop()  # the loop the flows run on (for callers in other threads)
        self.scheduler = SchedulerManager(self.cloud)
        bus.serve("volume_scheduler", self.scheduler)
        with self.cloud.db.begin() as conn:  # never scheduled before a restart: cinder leaves them in error
            conn.execute(
                update(m.volumes)
                .where(m.volumes.c.status == "creating", m.volumes.c.host.is_(None))
                .values(status="error", updated_at=self.now())
            )
        rng = random.Random(self.cloud.settings.seed)
        files = self.config.volume_files
        if files is None:
            files = not self.cloud.settings.ephemeral
        for backend in self.config.backends:
            root = Path(self.cloud.settings.data_dir) / "volumes" / backend.backend_id if files else None
            driver = FakeDriver(
                backend,
                files_root=root,
                rng=rng,
                create_failure_probability=self.config.create_failure_probability,
                delete_failure_probability=self.config.delete_failure_probability,
            )
            manager = VolumeManager(self.cloud, backend, driver, self.config)
            self.managers[backend.backend_id] = manager
            bus.serve(manager.topic, manager)
            await manager.init_host()
        self.backup_manager = BackupManager(self.cloud, self.config)
        self.backup_manager.init_host()
        bus.serve(self.backup_manager.topic, self.backup_manager)

    async def stop(self) -> None:
        bus = self.cloud.bus
        for manager in self.managers.values():
            bus.unserve(manager.topic)
        bus.unserve("volume_scheduler")
        bus.unserve("volume_backup")
        self.managers.clear()

    # control (tests, bench): fault injection and latency on the live backends
    def set_behaviour(
        self,
        *,
        create_latency: float | None = None,
        op_latency: float | None = None,
        create_failure_probability: float | None = None,
        delete_failure_probability: float | None = None,
    ) -> None:
        if create_latency is not None:
            self.config.create_latency = create_latency
        if op_latency is not None:
            self.config.op_latency = op_latency
        for manager in self.managers.values():
            driver = manager.driver
            if create_failure_probability is not None and hasattr(driver, "create_failure_probability"):
                driver.create_failure_probability = create_failure_probability
            if delete_failure_probability is not None and hasattr(driver, "delete_failure_probability"):
                driver.delete_failure_probability = delete_failure_probability
