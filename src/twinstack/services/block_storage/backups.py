"""Backups in a fake store: records only (sizes, status flow through the backup manager)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select, update

from twinstack.core.context import RequestContext
from twinstack.core.errors import BadRequest
from twinstack.services.block_storage import models as m
from twinstack.services.block_storage.common import (
    backup_row,
    invalid_backup,
    invalid_volume,
    project_scoped,
    volume_row,
)

if TYPE_CHECKING:
    from twinstack.services.block_storage.service import BlockStorageService

BACKUP_STATUSES = ("creating", "available", "deleting", "deleted", "restoring", "error", "error_deleting")
BACKUP_SORT_KEYS = {"id", "status", "size", "created_at", "updated_at", "name", "volume_id", "project_id"}


class BackupsMixin:
    def backup_for_volume(
        self: BlockStorageService, conn: Connection, ctx: RequestContext, backup_id: str
    ) -> dict[str, Any]:
        backup = backup_row(conn, ctx, backup_id)
        if backup["status"] != "available":
            raise invalid_backup(
                f'Backup status must be available but the current status is "{backup["status"]}".'
            )
        return backup

    async def create_backup(
        self: BlockStorageService,
        ctx: RequestContext,
        *,
        volume_id: str,
        name: str | None,
        description: str | None,
        incremental: bool,
        force: bool,
        snapshot_id: str | None,
        container: str | None,
        metadata: dict[str, str] | None,
        availability_zone: str | None,
    ) -> dict[str, Any]:
        now = self.now()
        with self.cloud.db.begin() as conn:
            volume = volume_row(conn, ctx, volume_id)
            allowed = ("available", "in-use") if force else ("available",)
            if volume["status"] not in allowed:
                raise invalid_volume(
                    f"Volume to be backed up must be available or in-use, but the current status "
                    f'is "{volume["status"]}".'
                )
            if volume["status"] == "in-use" and not force:
                raise invalid_volume("Backing up an in-use volume must use the force flag.")
            if snapshot_id:
                snap = (
                    conn.execute(select(m.snapshots).where(m.snapshots.c.id == snapshot_id))
                    .mappings()
                    .first()
                )
                if snap is None or snap["volume_id"] != volume_id:
                    raise invalid_backup(f"Snapshot {snapshot_id} is not part of volume {volume_id}.")
            parent = None
            if incremental:
                parent = conn.execute(
                    select(m.backups.c.id)
                    .where(m.backups.c.volume_id == volume_id, m.backups.c.status == "available")
                    .order_by(m.backups.c.created_at.desc())
                ).scalar()
                if parent is None:
                    raise invalid_backup("No backups available to do an incremental backup.")
            self.check_backup_quota(conn, volume["project_id"], volume["size"])
            row = {
                "id": self.cloud.ids.uuid(),
                "project_id": volume["project_id"],
                "user_id": ctx.user_id,
                "volume_id": volume_id,
                "snapshot_id": snapshot_id,
                "parent_id": parent,
                "name": name,
                "description": description,
                "size": volume["size"],
                "status": "creating",
                "fail_reason": None,
                "availability_zone": availability_zone or volume["availability_zone"],
                "container": container or "volumebackups",
                "object_count": 0,
                "is_incremental": bool(parent),
                "metadata": dict(metadata or {}),
                # the fake store keeps what a restore gives back besides bytes
                "data_ref": json.dumps(
                    {
                        "metadata": volume["metadata"] or {},
                        "bootable": volume["bootable"],
                        "image_metadata": volume["image_metadata"],
                    }
                ),
                "data_timestamp": now,
                "created_at": now,
                "updated_at": None,
            }
            conn.execute(m.backups.insert().values(**row))
            conn.execute(
                update(m.volumes)
                .where(m.volumes.c.id == volume_id)
                .values(status="backing-up", previous_status=volume["status"], updated_at=now)
            )
        await self.backup_rpc.create_backup(ctx, row["id"])
        return row

    def get_backup(self: BlockStorageService, ctx: RequestContext, backup_id: str) -> dict[str, Any]:
        with self.cloud.db.begin() as conn:
            return backup_row(conn, ctx, backup_id)

    def list_backup_rows(
        self: BlockStorageService, ctx: RequestContext, filters: dict[str, str]
    ) -> list[dict[str, Any]]:
        query = project_scoped(select(m.backups), m.backups, ctx, filters, ("status", "volume_id", "name"))
        with self.cloud.db.begin() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def update_backup(
        self: BlockStorageService, ctx: RequestContext, backup_id: str, changes: dict[str, Any]
    ) -> dict[str, Any]:
        with self.cloud.db.begin() as conn:
            row = backup_row(conn, ctx, backup_id)
            values = {k: changes[k] for k in ("name", "description", "metadata") if k in changes}
            values["updated_at"] = self.now()
            conn.execute(update(m.backups).where(m.backups.c.id == backup_id).values(**values))
            row.update(values)
            return row

    async def delete_backup(
        self: BlockStorageService, ctx: RequestContext, backup_id: str, *, force: bool = False
    ) -> None:
        with self.cloud.db.begin() as conn:
            row = backup_row(conn, ctx, backup_id)
            allowed = BACKUP_STATUSES if force else ("available", "error")
            if row["status"] not in allowed:
                raise invalid_backup("Backup status must be available or error")
            child = conn.execute(select(m.backups.c.id).where(m.backups.c.parent_id == backup_id)).first()
            if child is not None and not force:
                raise invalid_backup("Incremental backups exist for this backup.")
            conn.execute(
                update(m.backups)
                .where(m.backups.c.id == backup_id)
                .values(status="deleting", updated_at=self.now())
            )
        await self.backup_rpc.delete_backup(ctx, backup_id)

    async def restore_backup(
        self: BlockStorageService,
        ctx: RequestContext,
        backup_id: str,
        volume_id: str | None,
        name: str | None,
    ) -> dict[str, Any]:
        with self.cloud.db.begin() as conn:
            backup = backup_row(conn, ctx, backup_id)
            if backup["status"] != "available":
                raise invalid_backup(
                    f'Backup status must be available but the current status is "{backup["status"]}".'
                )
        if volume_id is None:
            volume = await self.create_volume(
                ctx, size=backup["size"], name=name or f"restore_backup_{backup_id}"
            )
            volume_id = volume["id"]
            restore_target_status = "creating"
        else:
            restore_target_status = None
        with self.cloud.db.begin() as conn:
            target = volume_row(conn, ctx, volume_id)
            if restore_target_status is None:
                if target["status"] != "available":
                    raise invalid_volume("Volume to be restored to must be available")
                if target["size"] < backup["size"]:
                    raise invalid_volume(
                        f"volume size {target['size']} is too small to restore backup of size "
                        f"{backup['size']}."
                    )
                conn.execute(
                    update(m.volumes)
                    .where(m.volumes.c.id == volume_id)
                    .values(status="restoring-backup", updated_at=self.now())
                )
            conn.execute(
                update(m.backups)
                .where(m.backups.c.id == backup_id)
                .values(status="restoring", updated_at=self.now())
            )
        await self.backup_rpc.restore_backup(ctx, backup_id, volume_id)
        return {"backup_id": backup_id, "volume_id": volume_id, "volume_name": target["name"] or ""}

    def reset_backup_status(
        self: BlockStorageService, ctx: RequestContext, backup_id: str, status: str
    ) -> None:
        if status not in ("available", "error"):
            raise BadRequest("Must specify a valid status")
        with self.cloud.db.begin() as conn:
            backup_row(conn, ctx, backup_id)
            conn.execute(
                update(m.backups)
                .where(m.backups.c.id == backup_id)
                .values(status=status, updated_at=self.now())
            )
