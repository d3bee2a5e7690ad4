"""Snapshots: create (cast to the volume's backend), list, update, delete, metadata, status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from twinstack.core.context import RequestContext
from twinstack.core.errors import BadRequest, NotFound
from twinstack.services.block_storage import models as m
from twinstack.services.block_storage.common import (
    invalid_snapshot,
    invalid_volume,
    parse_bool,
    project_scoped,
    snapshot_row,
    volume_row,
)

if TYPE_CHECKING:
    from twinstack.services.block_storage.service import BlockStorageService

SNAPSHOT_STATUSES = (
    "creating",
    "available",
    "deleting",
    "deleted",
    "updating",
    "error",
    "error_deleting",
    "unmanaging",
    "backing-up",
    "restoring",
)
SNAPSHOT_SORT_KEYS = {"id", "status", "size", "created_at", "updated_at", "name", "volume_id", "project_id"}


class SnapshotsMixin:
    async def create_snapshot(
        self: BlockStorageService,
        ctx: RequestContext,
        *,
        volume_id: str,
        name: str | None,
        description: str | None,
        force: Any = False,
        metadata: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        forced = parse_bool(force, "force") if force is not None else False
        now = self.now()
        with self.cloud.db.begin() as conn:
            volume = volume_row(conn, ctx, volume_id)
            if volume["status"] == "maintenance":
                raise invalid_volume("The snapshot cannot be created when the volume is in maintenance mode.")
            allowed = ("available", "in-use") if (forced or ctx.mv("3.66")) else ("available",)
            if volume["status"] not in allowed:
                raise invalid_volume(
                    f"Volume {volume_id} status must be available, but current status is: {volume['status']}."
                )
            if volume["migration_status"]:
                raise invalid_volume("Snapshot cannot be created while volume is migrating.")
            vtype = self.types_by_id(conn).get(volume["volume_type_id"])
            self.check_snapshot_quota(conn, volume["project_id"], volume["size"], vtype)
            row = {
                "id": self.cloud.ids.uuid(),
                "project_id": volume["project_id"],
                "user_id": ctx.user_id,
                "volume_id": volume_id,
                "name": name,
                "description": description,
                "size": volume["size"],
                "status": "creating",
                "progress": "0%",
                "volume_type_id": volume["volume_type_id"],
                "metadata": dict(metadata or {}),
                "created_at": now,
                "updated_at": None,
            }
            conn.execute(m.snapshots.insert().values(**row))
        await self.volume_rpc.create_snapshot(ctx, volume["host"], row["id"])
        return row

    def get_snapshot(self: BlockStorageService, ctx: RequestContext, snapshot_id: str) -> dict[str, Any]:
        with self.cloud.db.begin() as conn:
            return snapshot_row(conn, ctx, snapshot_id)

    def list_snapshot_rows(
        self: BlockStorageService, ctx: RequestContext, filters: dict[str, str]
    ) -> list[dict[str, Any]]:
        from twinstack.services.block_storage.listing import parse_metadata_filter

        query = project_scoped(
            select(m.snapshots), m.snapshots, ctx, filters, ("status", "volume_id", "name")
        )
        with self.cloud.db.begin() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        meta = parse_metadata_filter(filters["metadata"]) if filters.get("metadata") else None
        if meta:
            rows = [r for r in rows if all((r["metadata"] or {}).get(k) == v for k, v in meta.items())]
        return rows

    def update_snapshot(
        self: BlockStorageService, ctx: RequestContext, snapshot_id: str, changes: dict[str, Any]
    ) -> dict[str, Any]:
        with self.cloud.db.begin() as conn:
            row = snapshot_row(conn, ctx, snapshot_id)
            values: dict[str, Any] = {k: changes[k] for k in ("name", "description") if k in changes}
            values["updated_at"] = self.now()
            conn.execute(update(m.snapshots).where(m.snapshots.c.id == snapshot_id).values(**values))
            row.update(values)
            return row

    async def delete_snapshot(
        self: BlockStorageService, ctx: RequestContext, snapshot_id: str, *, force: bool = False
    ) -> None:
        with self.cloud.db.begin() as conn:
            row = snapshot_row(conn, ctx, snapshot_id)
            if not force and row["status"] not in ("available", "error", "error_deleting"):
                raise invalid_snapshot(
                    "Snapshot status must be available or error or error_deleting and "
                    "must not be part of a group."
                )
            used = conn.execute(
                select(func.count())
                .select_from(m.volumes)
                .where(m.volumes.c.snapshot_id == snapshot_id, m.volumes.c.status == "creating")
            ).scalar()
            if used and not force:
                raise invalid_snapshot("Snapshot is in use by a volume being created.")
            host = conn.execute(select(m.volumes.c.host).where(m.volumes.c.id == row["volume_id"])).scalar()
            conn.execute(
                update(m.snapshots)
                .where(m.snapshots.c.id == snapshot_id)
                .values(status="deleting", updated_at=self.now())
            )
        if host:
            await self.volume_rpc.delete_snapshot(ctx, host, snapshot_id)
        else:
            with self.cloud.db.begin() as conn:
                conn.execute(m.snapshots.delete().where(m.snapshots.c.id == snapshot_id))
            self.usage_changed(row["project_id"])

    def reset_snapshot_status(
        self: BlockStorageService,
        ctx: RequestContext,
        snapshot_id: str,
        status: str | None,
        *,
        progress: str | None = None,
    ) -> None:
        if status not in SNAPSHOT_STATUSES:
            raise BadRequest("Must specify a valid status")
        with self.cloud.db.begin() as conn:
            snapshot_row(conn, ctx, snapshot_id)
            values: dict[str, Any] = {"status": status, "updated_at": self.now()}
            if progress is not None:
                values["progress"] = progress
            conn.execute(update(m.snapshots).where(m.snapshots.c.id == snapshot_id).values(**values))

    def snapshot_metadata(self: BlockStorageService, ctx: RequestContext, snapshot_id: str) -> dict[str, str]:
        return dict(self.get_snapshot(ctx, snapshot_id)["metadata"] or {})

    def set_snapshot_metadata(
        self: BlockStorageService,
        ctx: RequestContext,
        snapshot_id: str,
        metadata: dict[str, str],
        *,
        replace: bool,
    ) -> dict[str, str]:
        with self.cloud.db.begin() as conn:
            row = snapshot_row(conn, ctx, snapshot_id)
            new = dict(metadata) if replace else {**(row["metadata"] or {}), **metadata}
            conn.execute(
                update(m.snapshots)
                .where(m.snapshots.c.id == snapshot_id)
                .values(metadata=new, updated_at=self.now())
            )
            return new

    def delete_snapshot_metadata_key(
        self: BlockStorageService, ctx: RequestContext, snapshot_id: str, key: str
    ) -> None:
        with self.cloud.db.begin() as conn:
            row = snapshot_row(conn, ctx, snapshot_id)
            meta = dict(row["metadata"] or {})
            if key not in meta:
                raise NotFound(f"Snapshot {snapshot_id} has no metadata with key {key}.")
            del meta[key]
            conn.execute(
                update(m.snapshots)
                .where(m.snapshots.c.id == snapshot_id)
                .values(metadata=meta, updated_at=self.now())
            )
