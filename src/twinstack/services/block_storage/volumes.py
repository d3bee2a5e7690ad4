"""Volumes in the service layer: cinder's ``volume.api.API`` (create flow's API part, delete,
update, extend, retype, metadata, status actions, upload to image)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, func, select, update

from twinstack.core.context import RequestContext
from twinstack.core.errors import BadRequest, NotFound
from twinstack.services.block_storage import models as m
from twinstack.services.block_storage.common import (
    invalid_input,
    invalid_volume,
    or_str,
    parse_size,
    project_scoped,
    snapshot_row,
    volume_row,
)

if TYPE_CHECKING:
    from twinstack.services.block_storage.service import BlockStorageService

GiB = 1024**3
DELETABLE = ("available", "error", "error_restoring", "error_extending", "error_managing")
ATTACHED = ("in-use", "attaching", "detaching", "reserved")
VOLUME_STATUSES = (
    "creating",
    "available",
    "deleting",
    "error",
    "error_deleting",
    "error_managing",
    "managing",
    "attaching",
    "in-use",
    "detaching",
    "maintenance",
    "restoring-backup",
    "error_restoring",
    "reserved",
    "awaiting-transfer",
    "backing-up",
    "error_backing-up",
    "error_extending",
    "downloading",
    "uploading",
    "retyping",
    "extending",
)
ATTACH_STATUSES = (
    "attached",
    "attaching",
    "detached",
    "reserved",
    "error_attaching",
    "error_detaching",
    "deleted",
)
VOLUME_SORT_KEYS = {
    "id",
    "status",
    "size",
    "availability_zone",
    "created_at",
    "updated_at",
    "name",
    "bootable",
    "project_id",
    "host",
    "volume_type_id",
    "description",
}


class VolumesMixin:
    # --- reading
    def get_volume_row(self: BlockStorageService, ctx: RequestContext, volume_id: str) -> dict[str, Any]:
        with self.cloud.db.begin() as conn:
            return volume_row(conn, ctx, volume_id)

    def get_volume(self: BlockStorageService, ctx: RequestContext, volume_id: str) -> dict[str, Any]:
        """The cinder v3 volume view (detail) at the request's microversion (interfaces.md)."""
        with self.cloud.db.begin() as conn:
            row = volume_row(conn, ctx, volume_id)
            return self.render_volumes(conn, ctx, [row])[0]

    def render_volumes(
        self: BlockStorageService,
        conn: Connection,
        ctx: RequestContext,
        rows: list[dict[str, Any]],
        *,
        extended: bool = True,
        fresh: bool = False,
    ) -> list[dict[str, Any]]:
        """Detailed views; ``fresh`` rows were just written (no attachments to look up)."""
        from twinstack.services.block_storage.views import volume_detail

        types = self.types_by_id(conn)
        ids = [r["id"] for r in rows]
        by_volume: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        if ids and not fresh:
            query = (
                select(m.attachments)
                .where(m.attachments.c.volume_id.in_(ids))
                .order_by(m.attachments.c.created_at)
            )
            for a in conn.execute(query).mappings():
                by_volume[a["volume_id"]].append(dict(a))
        return [
            volume_detail(
                ctx,
                self.cloud.base_url,
                r,
                volume_type=types.get(r["volume_type_id"]),
                attachments=by_volume[r["id"]],
                extended=extended,
            )
            for r in rows
        ]

    def list_volume_rows(
        self: BlockStorageService, ctx: RequestContext, filters: dict[str, str]
    ) -> list[dict[str, Any]]:
        from twinstack.services.block_storage.listing import parse_metadata_filter

        # the cheap filters in SQL, all of them again below
        query = project_scoped(
            select(m.volumes), m.volumes, ctx, filters, ("status", "name", "availability_zone")
        )
        with self.cloud.db.begin() as conn:
            types = self.types_by_id(conn)
            rows = [dict(r) for r in conn.execute(query).mappings()]
        meta = parse_metadata_filter(filters["metadata"]) if filters.get("metadata") else None
        glance = parse_metadata_filter(filters["glance_metadata"]) if filters.get("glance_metadata") else None
        out = []
        for r in rows:
            if meta and any((r["metadata"] or {}).get(k) != v for k, v in meta.items()):
                continue
            if glance and any(str((r["image_metadata"] or {}).get(k)) != v for k, v in glance.items()):
                continue
            if not _matches(r, filters, types):
                continue
            out.append(r)
        return out

    # --- create (the API part of cinder's create flow)
    async def create_volume(
        self: BlockStorageService,
        ctx: RequestContext,
        *,
        size: Any = None,
        name: str | None = None,
        description: str | None = None,
        image_id: str | None = None,
        snapshot_id: str | None = None,
        source_volid: str | None = None,
        backup_id: str | None = None,
        volume_type: str | None = None,
        availability_zone: str | None = None,
        bootable: bool = False,
        metadata: dict[str, str] | None = None,
        scheduler_hints: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Write the row as ``creating`` and cast to the scheduler; returns the volume view."""
        row, request_spec, filter_properties = self.create_volume_record(
            ctx,
            size=size,
            name=name,
            description=description,
            image_id=image_id,
            snapshot_id=snapshot_id,
            source_volid=source_volid,
            backup_id=backup_id,
            volume_type=volume_type,
            availability_zone=availability_zone,
            bootable=bootable,
            metadata=metadata,
        )
        await self.scheduler_rpc.create_volume(ctx, row["id"], request_spec, filter_properties)
        with self.cloud.db.begin() as conn:
            return self.render_volumes(conn, ctx, [row], extended=False, fresh=True)[0]

    def create_volume_record(
        self: BlockStorageService, ctx: RequestContext, **kwargs: Any
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """Validate, check quota and write the ``creating`` row; the specs for the scheduler."""
        try:
            return self._create_volume_record(ctx, **kwargs)
        except Exception:
            self.usage_changed(ctx.project_id)  # a reservation may not have been written: recount
            raise

    def _create_volume_record(
        self: BlockStorageService,
        ctx: RequestContext,
        *,
        size: Any,
        name: str | None,
        description: str | None,
        image_id: str | None,
        snapshot_id: str | None,
        source_volid: str | None,
        backup_id: str | None,
        volume_type: str | None,
        availability_zone: str | None,
        bootable: bool,
        metadata: dict[str, str] | None,
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        image = self._image_for_volume(ctx, image_id) if image_id else None
        now = self.now()
        with self.cloud.db.begin() as conn:
            snapshot = snapshot_row(conn, ctx, snapshot_id) if snapshot_id else None
            source = volume_row(conn, ctx, source_volid) if source_volid else None
            backup = self.backup_for_volume(conn, ctx, backup_id) if backup_id else None
            if size is None:
                # cinder takes the size from the snapshot, source volume or backup
                if snapshot:
                    size = snapshot["size"]
                elif source:
                    size = source["size"]
                elif backup:
                    size = backup["size"]
                else:
                    raise invalid_input(
                        "Invalid volume size provided for create request: None (size argument "
                        "must be an integer (or string representation of an integer) and "
                        "greater than zero)."
                    )
            size = parse_size(size)
            if snapshot:
                if snapshot["status"] != "available":
                    raise invalid_input("Originating snapshot status must be one of 'available' values")
                if size < snapshot["size"]:
                    raise invalid_input(
                        f"Volume size '{size}'GB cannot be smaller than the snapshot size "
                        f"{snapshot['size']}GB. They must be >= original snapshot size."
                    )
            if source:
                if source["status"] not in ("available", "in-use"):
                    raise invalid_input("Source volumes status must be one of 'available', 'in-use' values")
                if size < source["size"]:
                    raise invalid_input(
                        f"Volume size '{size}'GB cannot be smaller than original volume size "
                        f"{source['size']}GB. They must be >= original volume size."
                    )
            if image:
                image_gb = math.ceil(int(image.get("size") or 0) / GiB)
                if image_gb > size:
                    raise invalid_input(
                        f"Size of specified image {image_gb}GB is larger than volume size {size}GB."
                    )
                if int(image.get("min_disk") or 0) > size:
                    raise invalid_input(
                        f"Volume size {size}GB cannot be smaller than the image minDisk size "
                        f"{image['min_disk']}GB."
                    )
            vtype = self._resolve_create_type(conn, ctx, volume_type, snapshot, source)
            az = self._resolve_az(availability_zone, snapshot, source, conn)
            multiattach = _is_multiattach(vtype)
            self.check_volume_quota(conn, ctx.project_id or "", size, vtype)
            row = {
                "id": self.cloud.ids.uuid(),
                "project_id": ctx.project_id,
                "user_id": ctx.user_id,
                "name": name,
                "description": description,
                "size": size,
                "status": "creating",
                "attach_status": "detached",
                "availability_zone": az,
                "host": None,
                "volume_type_id": vtype["id"],
                "snapshot_id": snapshot_id,
                "source_volid": source_volid,
                "backup_id": backup_id,
                "image_id": image["id"] if image else None,
                # A copy of a bootable image, volume or snapshot becomes bootable when the
                # manager has finished it (cinder's volume manager sets the flag), not before.
                "bootable": bool(bootable),
                "multiattach": multiattach,
                "readonly": False,
                "metadata": dict(metadata or {}),
                "image_metadata": _image_metadata(image)
                if image
                else (dict(source["image_metadata"]) if source and source["image_metadata"] else None),
                "migration_status": None,
                "replication_status": None,
                "provider_location": None,
                "consumes_quota": True,
                "created_at": now,
                "updated_at": None,
                "launched_at": None,
                "previous_status": None,
            }
            becomes_bootable = bool(row["bootable"] or image is not None or (source and source["bootable"]))
            if snapshot:
                parent = conn.execute(
                    select(m.volumes.c.image_metadata, m.volumes.c.bootable).where(
                        m.volumes.c.id == snapshot["volume_id"]
                    )
                ).first()
                if parent is not None:
                    becomes_bootable = becomes_bootable or bool(parent[1])
                    if parent[0] and not row["image_metadata"]:
                        row["image_metadata"] = dict(parent[0])
            conn.execute(m.volumes.insert(), row)
        pinned = None
        if snapshot:
            pinned = self._volume_host(snapshot["volume_id"])
        elif source:
            pinned = source["host"]
        extra_specs = dict(vtype["extra_specs"] or {})
        request_spec: dict[str, Any] = {
            "volume_id": row["id"],
            "volume_properties": {
                "size": size,
                "availability_zone": availability_zone or None,
                "project_id": ctx.project_id,
                "status": "creating",
                "attach_status": "detached",
            },
            "volume_type": {"id": vtype["id"], "name": vtype["name"], "extra_specs": extra_specs},
            "snapshot_id": snapshot_id,
            "source_volid": source_volid,
            "image_id": row["image_id"],
            "bootable": becomes_bootable,
            "backup_id": backup_id,
            "resource_backend": pinned,
        }
        zones = extra_specs.get("RESKEY:availability_zones")
        filter_properties: dict[str, Any] = {
            "size": size,
            "request_spec": request_spec,
            "resource_type": request_spec["volume_type"],
            "volume_type": request_spec["volume_type"],
            "availability_zones": [z.strip() for z in zones.split(",")] if zones else None,
            "retry": {"num_attempts": 0, "backends": []},
        }
        return row, request_spec, filter_properties

    def _volume_host(self: BlockStorageService, volume_id: str) -> str | None:
        with self.cloud.db.begin() as conn:
            return conn.execute(select(m.volumes.c.host).where(m.volumes.c.id == volume_id)).scalar()

    def _image_for_volume(self: BlockStorageService, ctx: RequestContext, image_id: str) -> dict[str, Any]:
        image_service = self.image_service()
        try:
            image = image_service.get_image(ctx, image_id)
        except NotFound:
            raise BadRequest("Invalid image identifier or unable to access requested image.") from None
        if image.get("status") != "active":
            raise invalid_input(f"Image {image_id} is not active.")
        return dict(image)

    def _resolve_az(
        self: BlockStorageService,
        wanted: str | None,
        snapshot: dict[str, Any] | None,
        source: dict[str, Any] | None,
        conn: Connection,
    ) -> str:
        zones = self.availability_zone_names()
        if wanted:
            if wanted not in zones:
                raise BadRequest(f"Availability zone '{wanted}' is invalid.")
            return wanted
        if source:
            return str(source["availability_zone"])
        if snapshot:
            az = conn.execute(
                select(m.volumes.c.availability_zone).where(m.volumes.c.id == snapshot["volume_id"])
            ).scalar()
            if az:
                return str(az)
        return self.config.backends[0].availability_zone if self.config.backends else "nova"

    def _resolve_create_type(
        self: BlockStorageService,
        conn: Connection,
        ctx: RequestContext,
        wanted: str | None,
        snapshot: dict[str, Any] | None,
        source: dict[str, Any] | None,
    ) -> dict[str, Any]:
        if wanted:
            try:
                vtype = self.find_volume_type(conn, ctx, wanted)
            except NotFound:
                raise NotFound(f"Volume type with name {wanted} could not be found.") from None
            parent_type = (snapshot or source or {}).get("volume_type_id")
            if parent_type and parent_type != vtype["id"] and source:
                raise invalid_input(
                    f"Invalid volume_type provided: {wanted} (requested type must match source "
                    "volume, or be omitted). You should omit the argument."
                )
            return vtype
        parent_type = (snapshot or source or {}).get("volume_type_id")
        if parent_type:
            found = self.types_by_id(conn).get(parent_type)
            if found:
                return found
        return self.default_volume_type(conn, ctx)

    # --- update, metadata
    def update_volume(
        self: BlockStorageService, ctx: RequestContext, volume_id: str, changes: dict[str, Any]
    ) -> dict[str, Any]:
        with self.cloud.db.begin() as conn:
            row = volume_row(conn, ctx, volume_id)
            if row["status"] == "maintenance":
                raise invalid_volume("The volume cannot be updated during maintenance.")
            values: dict[str, Any] = {"updated_at": self.now()}
            for key in ("name", "description"):
                if key in changes:
                    values[key] = changes[key]
            if "metadata" in changes and changes["metadata"] is not None:
                values["metadata"] = dict(changes["metadata"])
            conn.execute(update(m.volumes).where(m.volumes.c.id == volume_id).values(**values))
            row.update(values)
            return self.render_volumes(conn, ctx, [row], extended=False)[0]

    def volume_metadata(self: BlockStorageService, ctx: RequestContext, volume_id: str) -> dict[str, str]:
        return dict(self.get_volume_row(ctx, volume_id)["metadata"] or {})

    def set_volume_metadata(
        self: BlockStorageService,
        ctx: RequestContext,
        volume_id: str,
        metadata: dict[str, str],
        *,
        replace: bool,
    ) -> dict[str, str]:
        with self.cloud.db.begin() as conn:
            row = volume_row(conn, ctx, volume_id)
            if row["status"] == "maintenance":
                raise invalid_volume(
                    "Updating volume metadata is not allowed for volumes in maintenance mode."
                )
            new = dict(metadata) if replace else {**(row["metadata"] or {}), **metadata}
            conn.execute(
                update(m.volumes)
                .where(m.volumes.c.id == volume_id)
                .values(metadata=new, updated_at=self.now())
            )
            return new

    def delete_volume_metadata_key(
        self: BlockStorageService, ctx: RequestContext, volume_id: str, key: str
    ) -> None:
        with self.cloud.db.begin() as conn:
            row = volume_row(conn, ctx, volume_id)
            meta = dict(row["metadata"] or {})
            if key not in meta:
                raise NotFound(f"Volume {volume_id} has no metadata with key {key}.")
            del meta[key]
            conn.execute(
                update(m.volumes)
                .where(m.volumes.c.id == volume_id)
                .values(metadata=meta, updated_at=self.now())
            )

    def set_image_metadata(
        self: BlockStorageService, ctx: RequestContext, volume_id: str, metadata: dict[str, str]
    ) -> dict[str, str]:
        with self.cloud.db.begin() as conn:
            row = volume_row(conn, ctx, volume_id)
            new = {**(row["image_metadata"] or {}), **metadata}
            conn.execute(
                update(m.volumes)
                .where(m.volumes.c.id == volume_id)
                .values(image_metadata=new, updated_at=self.now())
            )
            return {k: str(v) for k, v in new.items()}

    def unset_image_metadata(
        self: BlockStorageService, ctx: RequestContext, volume_id: str, key: str
    ) -> None:
        with self.cloud.db.begin() as conn:
            row = volume_row(conn, ctx, volume_id)
            meta = dict(row["image_metadata"] or {})
            if key not in meta:
                raise NotFound(f"Glance metadata for volume {volume_id} with key {key} could not be found.")
            del meta[key]
            conn.execute(
                update(m.volumes)
                .where(m.volumes.c.id == volume_id)
                .values(image_metadata=meta or None, updated_at=self.now())
            )

    # --- delete
    async def delete_volume(
        self: BlockStorageService,
        ctx: RequestContext,
        volume_id: str,
        *,
        force: bool = False,
        cascade: bool = False,
    ) -> None:
        """Cinder's delete: conditional ``deleting`` then cast to the backend (interfaces.md)."""
        with self.cloud.db.begin() as conn:
            row = volume_row(conn, ctx, volume_id)
            snaps = conn.execute(
                select(m.snapshots.c.id, m.snapshots.c.status).where(m.snapshots.c.volume_id == volume_id)
            ).all()
            attached = conn.execute(
                select(func.count()).select_from(m.attachments).where(m.attachments.c.volume_id == volume_id)
            ).scalar()
            ok_status = force or row["status"] in DELETABLE
            ok_snaps = not snaps or (
                cascade and (force or all(s[1] in ("available", "error", "deleting") for s in snaps))
            )
            if (
                not ok_status
                or not ok_snaps
                or row["migration_status"]
                or (attached and not force)
                or (row["status"] == "awaiting-transfer")
            ):
                status = "" if force else "status must be " + or_str(list(DELETABLE)) + " and"
                raise invalid_volume(
                    f"Volume {status} must not be migrating, attached, belong to a group, have snapshots, "
                    "awaiting a transfer, or be disassociated from snapshots after volume transfer."
                )
            if not row["host"]:
                # never reached a backend: the API deletes the record itself
                conn.execute(delete(m.attachments).where(m.attachments.c.volume_id == volume_id))
                conn.execute(delete(m.volumes).where(m.volumes.c.id == volume_id))
                self.usage_changed(row["project_id"])
                return
            conn.execute(
                update(m.volumes)
                .where(m.volumes.c.id == volume_id)
                .values(status="deleting", updated_at=self.now())
            )
            snap_ids = [s[0] for s in snaps]
            if snap_ids:
                conn.execute(
                    update(m.snapshots)
                    .where(m.snapshots.c.id.in_(snap_ids))
                    .values(status="deleting", updated_at=self.now())
                )
        for snap_id in snap_ids:
            await self.volume_rpc.delete_snapshot(ctx, row["host"], snap_id)
        await self.volume_rpc.delete_volume(ctx, row["host"], volume_id)


def _image_metadata(image: dict[str, Any]) -> dict[str, str]:
    meta = {
        "image_id": image["id"],
        "image_name": image.get("name") or "",
        "checksum": image.get("checksum") or "",
        "container_format": image.get("container_format") or "",
        "disk_format": image.get("disk_format") or "",
        "min_disk": str(image.get("min_disk") or 0),
        "min_ram": str(image.get("min_ram") or 0),
        "size": str(image.get("size") or 0),
    }
    skip = {
        "id",
        "name",
        "status",
        "visibility",
        "owner",
        "protected",
        "created_at",
        "updated_at",
        "file",
        "schema",
        "self",
        "tags",
        "locations",
        "direct_url",
        "os_hash_algo",
        "os_hash_value",
        "virtual_size",
        "os_hidden",
        "stores",
        "checksum",
        "size",
        "min_disk",
        "min_ram",
        "disk_format",
        "container_format",
    }
    for key, value in image.items():
        if key not in skip and value is not None and not isinstance(value, (dict, list)):
            meta[key] = str(value)
    return meta


def _is_multiattach(vtype: dict[str, Any]) -> bool:
    return str((vtype.get("extra_specs") or {}).get("multiattach", "")).strip().lower() == "<is> true"


def _matches(row: dict[str, Any], filters: dict[str, str], types: dict[str, dict[str, Any]]) -> bool:
    for key, value in filters.items():
        if key in ("all_tenants", "project_id", "metadata", "glance_metadata", "with_count", "is_public"):
            continue
        like = key.endswith("~")
        field = key[:-1] if like else key
        if field in ("name", "display_name", "description", "display_description"):
            column = "name" if "name" in field else "description"
            actual = row[column] or ""
            if (value not in actual) if like else (actual != value):
                return False
        elif field == "status":
            if row["status"] != value:
                return False
        elif field == "availability_zone":
            if row["availability_zone"] != value:
                return False
        elif field == "bootable":
            want = value.strip().lower() in ("1", "true", "yes", "on", "t", "y")
            if bool(row["bootable"]) != want:
                return False
        elif field == "size":
            if str(row["size"]) != value:
                return False
        elif field in ("volume_type", "volume_type_id"):
            vtype = types.get(row["volume_type_id"]) or {}
            if value not in (vtype.get("id"), vtype.get("name")):
                return False
        elif field == "migration_status":
            if row["migration_status"] != value:
                return False
        elif field == "host" and (row["host"] or "") != value:
            return False
    return True
