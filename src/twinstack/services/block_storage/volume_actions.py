"""Volume actions in the service layer: extend, status resets, bootable and read-only flags,
retype and upload to image (cinder's ``volume.api.API`` action methods).

A mixin of ``BlockStorageService``; the volume records themselves are in ``volumes.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, update

from twinstack.core.context import RequestContext
from twinstack.core.errors import ApiError, BadRequest, NotFound
from twinstack.services.block_storage import models as m
from twinstack.services.block_storage.common import (
    invalid_input,
    invalid_volume,
    or_str,
    parse_size,
    volume_row,
)
from twinstack.services.block_storage.volumes import ATTACH_STATUSES, VOLUME_STATUSES

if TYPE_CHECKING:
    from twinstack.services.block_storage.service import BlockStorageService


class VolumeActionsMixin:
    # --- actions
    async def extend_volume(
        self: BlockStorageService, ctx: RequestContext, volume_id: str, new_size: Any
    ) -> None:
        with self.cloud.db.begin() as conn:
            row = volume_row(conn, ctx, volume_id)
            allowed = ("available", "in-use") if ctx.mv("3.42") else ("available",)
            try:
                size = parse_size(new_size, "new_size")
            except ApiError:
                raise BadRequest(f"Invalid input for field/attribute new_size. Value: {new_size}.") from None
            if row["status"] not in allowed:
                expected = "{'status': " + (repr(allowed) if len(allowed) > 1 else repr(allowed[0])) + "}"
                raise invalid_volume(
                    f"Volume {volume_id} status must be '{expected}' to extend, currently {row['status']}."
                )
            if size <= row["size"]:
                raise invalid_input(
                    f"New size for extend must be greater than current size. (current: "
                    f"{row['size']}, extended: {size})."
                )
            vtype = self.types_by_id(conn).get(row["volume_type_id"])
            self.check_extend_quota(conn, row["project_id"], size - row["size"], size, vtype)
            conn.execute(
                update(m.volumes)
                .where(m.volumes.c.id == volume_id)
                .values(status="extending", previous_status=row["status"], updated_at=self.now())
            )
        spec = {
            "host": row["host"],
            "size": row["size"],
            "volume_properties": {"size": size, "attach_status": row["attach_status"]},
            "volume_type": {"extra_specs": dict(vtype["extra_specs"] or {})} if vtype else None,
            "operation": "extend_volume",
        }
        await self.scheduler_rpc.extend_volume(ctx, volume_id, size, spec)

    def reset_volume_status(
        self: BlockStorageService, ctx: RequestContext, volume_id: str, body: dict[str, Any]
    ) -> None:
        values: dict[str, Any] = {"updated_at": self.now()}
        status = body.get("status")
        if status is not None:
            if status not in VOLUME_STATUSES:
                raise BadRequest("Must specify a valid status")
            values["status"] = status
        attach_status = body.get("attach_status")
        if attach_status is not None:
            if attach_status not in ATTACH_STATUSES:
                raise BadRequest("Must specify a valid attach status")
            values["attach_status"] = attach_status
        if "migration_status" in body:
            values["migration_status"] = body["migration_status"] or None
        if len(values) == 1:
            raise BadRequest("Must specify 'status', 'attach_status' or 'migration_status' for update.")
        with self.cloud.db.begin() as conn:
            volume_row(conn, ctx, volume_id)
            conn.execute(update(m.volumes).where(m.volumes.c.id == volume_id).values(**values))
            if values.get("attach_status") == "detached":
                conn.execute(delete(m.attachments).where(m.attachments.c.volume_id == volume_id))

    def set_bootable(self: BlockStorageService, ctx: RequestContext, volume_id: str, bootable: bool) -> None:
        with self.cloud.db.begin() as conn:
            row = volume_row(conn, ctx, volume_id)
            if row["status"] == "maintenance":
                raise invalid_volume("The volume cannot be updated during maintenance.")
            conn.execute(
                update(m.volumes)
                .where(m.volumes.c.id == volume_id)
                .values(bootable=bootable, updated_at=self.now())
            )

    def update_readonly_flag(
        self: BlockStorageService, ctx: RequestContext, volume_id: str, readonly: bool
    ) -> None:
        with self.cloud.db.begin() as conn:
            row = volume_row(conn, ctx, volume_id)
            if row["status"] == "maintenance":
                raise invalid_volume("The volume cannot be updated during maintenance.")
            meta = {**(row["metadata"] or {}), "readonly": str(readonly)}
            conn.execute(
                update(m.volumes)
                .where(m.volumes.c.id == volume_id)
                .values(readonly=readonly, metadata=meta, updated_at=self.now())
            )

    async def retype_volume(
        self: BlockStorageService,
        ctx: RequestContext,
        volume_id: str,
        new_type: str,
        migration_policy: str | None = None,
    ) -> None:
        with self.cloud.db.begin() as conn:
            row = volume_row(conn, ctx, volume_id)
            if row["status"] not in ("available", "in-use"):
                raise invalid_volume(
                    "Retype needs volume to be in available or in-use state, not be part of "
                    "an active migration or a consistency group, requested type has to be "
                    "different that the one from the volume, and for in-use volumes "
                    "front-end qos specs cannot change."
                )
            try:
                vtype = self.find_volume_type(conn, ctx, new_type)
            except NotFound:
                raise invalid_input(f"Invalid volume_type passed: {new_type}.") from None
            if vtype["id"] == row["volume_type_id"]:
                raise invalid_volume(
                    "Retype needs volume to be in available or in-use state, not be part of "
                    "an active migration or a consistency group, requested type has to be "
                    "different that the one from the volume, and for in-use volumes "
                    "front-end qos specs cannot change."
                )
            old = self.types_by_id(conn).get(row["volume_type_id"])
            self.check_retype_quota(conn, row["project_id"], row["size"], old, vtype)
            conn.execute(
                update(m.volumes)
                .where(m.volumes.c.id == volume_id)
                .values(status="retyping", previous_status=row["status"], updated_at=self.now())
            )
        await self.volume_rpc.retype(ctx, row["host"], volume_id, vtype["id"])

    async def upload_to_image(
        self: BlockStorageService,
        ctx: RequestContext,
        volume_id: str,
        image_name: str,
        disk_format: str = "raw",
        container_format: str = "bare",
        force: bool = False,
        visibility: str | None = None,
        protected: bool = False,
    ) -> dict[str, Any]:
        """os-volume_upload_image: a queued image, the volume ``uploading``, bytes copied by the
        volume's manager through the image service (interfaces.md)."""
        image_service = self.image_service()
        with self.cloud.db.begin() as conn:
            row = volume_row(conn, ctx, volume_id)
            allowed = ("available", "in-use") if force else ("available",)
            if row["status"] not in allowed:
                raise invalid_volume(f"Volume status must be {or_str(list(allowed))}.")
            vtype = self.types_by_id(conn).get(row["volume_type_id"])
        properties = {
            k: str(v) for k, v in (row["image_metadata"] or {}).items() if k not in _IMAGE_CORE_KEYS
        }
        image = image_service.create_image(
            ctx,
            name=image_name,
            disk_format=disk_format,
            container_format=container_format,
            visibility=visibility or "private",
            properties=properties or None,
        )
        with self.cloud.db.begin() as conn:
            done = conn.execute(
                update(m.volumes)
                .where(m.volumes.c.id == volume_id, m.volumes.c.status.in_(allowed))
                .values(status="uploading", previous_status=row["status"], updated_at=self.now())
            ).rowcount
        if not done:
            raise invalid_volume("Volume status must be available.")
        await self.volume_rpc.copy_volume_to_image(ctx, row["host"], volume_id, image["id"])
        from twinstack.services.block_storage.views import ts, volume_type_view

        body: dict[str, Any] = {
            "id": volume_id,
            "updated_at": ts(self.now()),
            "status": "uploading",
            "display_description": row["description"],
            "size": row["size"],
            "volume_type": volume_type_view(ctx, vtype) if vtype else None,
            "image_id": image["id"],
            "container_format": container_format,
            "disk_format": disk_format,
            "image_name": image_name,
        }
        if ctx.mv("3.1"):
            body["visibility"] = image.get("visibility", visibility or "private")
            body["protected"] = bool(image.get("protected", protected))
        return body


_IMAGE_CORE_KEYS = {
    "image_id",
    "image_name",
    "checksum",
    "container_format",
    "disk_format",
    "min_disk",
    "min_ram",
    "size",
}
