"""The backup service (topic ``volume_backup``): a fake store that keeps records only.

Backing up takes the volume through ``backing-up`` and back; restoring takes the target
through ``restoring-backup`` to ``available`` (size at least the backup's).
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update

from twinstack.core.context import RequestContext
from twinstack.services.block_storage import models as m
from twinstack.services.block_storage.common import utcnow
from twinstack.services.block_storage.config import BlockStorageConfig

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud


class BackupManager:
    topic = "volume_backup"

    def __init__(self, cloud: Cloud, config: BlockStorageConfig) -> None:
        self.cloud = cloud
        self.config = config

    async def _latency(self) -> None:
        if self.config.op_latency > 0:
            await asyncio.sleep(self.config.op_latency)

    def init_host(self) -> None:
        now = utcnow(self.cloud.clock)
        with self.cloud.db.begin() as conn:
            conn.execute(
                update(m.backups)
                .where(m.backups.c.status == "creating")
                .values(status="error", fail_reason="Interrupted by a restart", updated_at=now)
            )
            conn.execute(
                update(m.backups)
                .where(m.backups.c.status == "restoring")
                .values(status="available", updated_at=now)
            )
            conn.execute(delete(m.backups).where(m.backups.c.status == "deleting"))

    async def create_backup(self, ctx: RequestContext, backup_id: str) -> None:
        await self._latency()
        now = utcnow(self.cloud.clock)
        with self.cloud.db.begin() as conn:
            backup = conn.execute(select(m.backups).where(m.backups.c.id == backup_id)).mappings().first()
            if backup is None:
                return
            volume = (
                conn.execute(select(m.volumes).where(m.volumes.c.id == backup["volume_id"]))
                .mappings()
                .first()
            )
            conn.execute(
                update(m.backups)
                .where(m.backups.c.id == backup_id, m.backups.c.status == "creating")
                .values(status="available", object_count=max(int(backup["size"]), 1), updated_at=now)
            )
            if volume is not None and volume["status"] == "backing-up":
                conn.execute(
                    update(m.volumes)
                    .where(m.volumes.c.id == volume["id"])
                    .values(
                        status=volume["previous_status"] or "available",
                        previous_status="backing-up",
                        updated_at=now,
                    )
                )

    async def restore_backup(self, ctx: RequestContext, backup_id: str, volume_id: str) -> None:
        # a new volume is created first: wait until it is available (bounded)
        for _ in range(200):
            with self.cloud.db.begin() as conn:
                status = conn.execute(select(m.volumes.c.status).where(m.volumes.c.id == volume_id)).scalar()
            if status != "creating":
                break
            await asyncio.sleep(0.02)
        await self._latency()
        now = utcnow(self.cloud.clock)
        values: dict[str, Any] = {"status": "available", "updated_at": now}
        with self.cloud.db.begin() as conn:
            ref = conn.execute(select(m.backups.c.data_ref).where(m.backups.c.id == backup_id)).scalar()
            saved = json.loads(ref) if ref else {}
            target = conn.execute(select(m.volumes.c.metadata).where(m.volumes.c.id == volume_id)).scalar()
            values["metadata"] = {**(target or {}), **saved.get("metadata", {})}
            if saved.get("bootable"):
                values["bootable"] = True
            if saved.get("image_metadata"):
                values["image_metadata"] = saved["image_metadata"]
            if status in ("restoring-backup", "available"):
                conn.execute(update(m.volumes).where(m.volumes.c.id == volume_id).values(**values))
            elif status is not None:
                conn.execute(
                    update(m.volumes)
                    .where(m.volumes.c.id == volume_id)
                    .values(status="error_restoring", updated_at=now)
                )
            conn.execute(
                update(m.backups)
                .where(m.backups.c.id == backup_id)
                .values(status="available", updated_at=now)
            )

    async def delete_backup(self, ctx: RequestContext, backup_id: str) -> None:
        await self._latency()
        with self.cloud.db.begin() as conn:
            project = conn.execute(select(m.backups.c.project_id).where(m.backups.c.id == backup_id)).scalar()
            conn.execute(delete(m.backups).where(m.backups.c.id == backup_id))
        if project:
            self.cloud.service("block_storage").usage_changed(project)
