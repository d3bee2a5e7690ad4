"""The volume manager of one backend (topic ``volume.<host@backend>``): cinder-volume.

It runs the backend half of every flow with its driver: create (blank, from snapshot, clone,
from image), delete, extend, snapshots, retype, upload to image, connections. After each
operation it reports the driver's stats to the scheduler, naming the claims it is done with.
A create that fails is rescheduled (``scheduler_max_attempts``), then left in ``error``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, delete, exists, select, update

from twinstack.core.context import RequestContext
from twinstack.services.block_storage import models as m
from twinstack.services.block_storage.common import one_of, utcnow
from twinstack.services.block_storage.config import BackendConfig, BlockStorageConfig
from twinstack.services.block_storage.drivers.base import DriverError, VolumeDriver
from twinstack.services.block_storage.rpcapi import SchedulerAPI

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud

LOG = logging.getLogger(__name__)


class VolumeManager:
    def __init__(
        self, cloud: Cloud, backend: BackendConfig, driver: VolumeDriver, config: BlockStorageConfig
    ) -> None:
        self.cloud = cloud
        self.backend = backend
        self.driver = driver
        self.config = config
        self.scheduler_rpc = SchedulerAPI(cloud.bus)
        self._seq = 0

    @property
    def topic(self) -> str:
        return f"volume.{self.backend.backend_id}"

    def _now(self) -> Any:
        return utcnow(self.cloud.clock)

    def _mine(self, column: Any) -> Any:
        return column.like(f"{self.backend.backend_id}#%")

    async def _latency(self, seconds: float) -> None:
        if seconds > 0:
            await asyncio.sleep(seconds)

    async def report(self, finished: list[str] | None = None) -> None:
        self._seq += 1
        await self.scheduler_rpc.update_service_capabilities(
            self.backend.backend_id,
            self.backend.availability_zone,
            self.driver.get_volume_stats(),
            self._seq,
            finished or [],
        )

    def _usage_changed(self, project_id: str) -> None:
        """Sizes or rows changed: the API layer recounts this project's quota usage."""
        self.cloud.service("block_storage").usage_changed(project_id)

    def _volume(self, volume_id: str) -> dict[str, Any] | None:
        with self.cloud.db.begin() as conn:
            row = conn.execute(_VOLUME, {"id": volume_id}).mappings().first()
        return dict(row) if row else None

    def _set_volume(self, volume_id: str, **values: Any) -> int:
        values.setdefault("updated_at", self._now())
        with self.cloud.db.begin() as conn:
            return int(conn.execute(_VOLUME_SET, {"b_id": volume_id, **values}).rowcount)

    # startup
    async def init_host(self) -> None:
        """Take back this backend's volumes after a restart; nothing stays mid-flow."""
        self.driver.do_setup()
        self.driver.check_for_setup_error()
        redo_delete: list[str] = []
        redo_snap_delete: list[str] = []
        with self.cloud.db.begin() as conn:
            vols = [
                dict(r)
                for r in conn.execute(select(m.volumes).where(self._mine(m.volumes.c.host))).mappings()
            ]
            for vol in vols:
                status = vol["status"]
                fix: dict[str, Any] = {}
                if status in ("creating", "downloading"):
                    fix["status"] = "error"
                elif status in ("uploading", "retyping", "backing-up"):
                    fix["status"] = vol["previous_status"] or "available"
                elif status == "extending":
                    fix["status"] = "error_extending"
                elif status == "restoring-backup":
                    fix["status"] = "error_restoring"
                elif status == "deleting":
                    redo_delete.append(vol["id"])
                if fix:
                    conn.execute(update(m.volumes).where(m.volumes.c.id == vol["id"]).values(**fix))
                if fix.get("status") != "error" and status != "error":
                    self.driver.ensure_export(vol)
            mine = [v["id"] for v in vols]
            snaps = (
                [
                    dict(r)
                    for r in conn.execute(
                        select(m.snapshots).where(m.snapshots.c.volume_id.in_(mine))
                    ).mappings()
                ]
                if mine
                else []
            )
            for snap in snaps:
                if snap["status"] == "creating":
                    conn.execute(
                        update(m.snapshots).where(m.snapshots.c.id == snap["id"]).values(status="error")
                    )
                elif snap["status"] == "deleting":
                    redo_snap_delete.append(snap["id"])
                elif snap["status"] != "error" and hasattr(self.driver, "ensure_snapshot"):
                    self.driver.ensure_snapshot(snap)
        await self.report()
        ctx = RequestContext.admin_context()
        for snap_id in redo_snap_delete:
            await self.delete_snapshot(ctx, snapshot_id=snap_id)
        for vol_id in redo_delete:
            await self.delete_volume(ctx, volume_id=vol_id)

    # create
    async def create_volume(
        self,
        ctx: RequestContext,
        volume_id: str,
        request_spec: dict[str, Any],
        filter_properties: dict[str, Any],
    ) -> None:
        await self._latency(self.config.create_latency)
        failure: Exception | None = None
        with self.cloud.db.begin() as conn:
            found = conn.execute(_VOLUME, {"id": volume_id}).mappings().first()
            volume = dict(found) if found is not None else None
            blank = (
                volume is not None
                and volume["status"] == "creating"
                and not (volume["snapshot_id"] or volume["source_volid"] or volume["image_id"])
            )
            if blank:  # a blank volume: checked, made and finished in this one transaction (no await)
                try:
                    update_values = self.driver.create_volume(volume)  # type: ignore[arg-type]
                except Exception as exc:  # noqa: BLE001 - handled below, out of the transaction
                    failure = exc
                else:
                    done = self._finish_create_on(conn, volume_id, update_values, request_spec)
        if volume is None or volume["status"] != "creating":
            await self.report([volume_id])
            return
        if blank and failure is None:
            if not done:  # deleted meanwhile (force): give the space back
                self.driver.delete_volume(volume)
            await self.report([volume_id])
            return
        try:
            if failure is not None:
                raise failure
            update_values = self._create_on_driver(ctx, volume)
        except Exception as exc:  # the driver failed: reschedule or error
            if not isinstance(exc, DriverError):
                LOG.exception("volume %s: unexpected driver failure", volume_id)
            await self._reschedule_or_fail(ctx, volume, request_spec, filter_properties, str(exc))
            return
        if volume.get("image_id"):
            try:
                self._set_volume(volume_id, status="downloading")
                await self._copy_image(ctx, volume)
            except Exception as exc:
                LOG.warning("volume %s: image copy failed: %s", volume_id, exc)
                self._set_volume(volume_id, status="error")
                await self.report([volume_id])
                return
        with self.cloud.db.begin() as conn:
            done = self._finish_create_on(conn, volume_id, update_values, request_spec)
        if not done:  # deleted meanwhile (force): give the space back
            self.driver.delete_volume(volume)
        await self.report([volume_id])

    def _create_on_driver(self, ctx: RequestContext, volume: dict[str, Any]) -> dict[str, Any] | None:
        if volume["snapshot_id"]:
            with self.cloud.db.begin() as conn:
                snap = (
                    conn.execute(select(m.snapshots).where(m.snapshots.c.id == volume["snapshot_id"]))
                    .mappings()
                    .first()
                )
            if snap is None:
                raise DriverError(f"Snapshot {volume['snapshot_id']} is gone")
            return self.driver.create_volume_from_snapshot(volume, dict(snap))
        if volume["source_volid"]:
            source = self._volume(volume["source_volid"])
            if source is None:
                raise DriverError(f"Volume {volume['source_volid']} is gone")
            return self.driver.create_cloned_volume(volume, source)
        return self.driver.create_volume(volume)

    async def _copy_image(self, ctx: RequestContext, volume: dict[str, Any]) -> None:
        image = self.cloud.service("image")
        chunks = image.open_image_data(ctx, volume["image_id"])
        if hasattr(chunks, "__aiter__"):
            data = [chunk async for chunk in chunks]
            self.driver.copy_image_to_volume(volume, data)
        else:
            self.driver.copy_image_to_volume(volume, chunks)

    def _finish_create_on(
        self,
        conn: Connection,
        volume_id: str,
        update_values: dict[str, Any] | None,
        request_spec: dict[str, Any],
    ) -> bool:
        """``available`` (with the driver's model update) unless deleted or reset meanwhile."""
        now = self._now()
        params = {k: v for k, v in (update_values or {}).items() if k in ("provider_location", "bootable")}
        if request_spec.get("bootable"):
            params["bootable"] = True
        params.update(b_id=volume_id, status="available", launched_at=now, updated_at=now)
        return bool(conn.execute(_FINISH_CREATE, params).rowcount)

    async def _reschedule_or_fail(
        self,
        ctx: RequestContext,
        volume: dict[str, Any],
        request_spec: dict[str, Any],
        filter_properties: dict[str, Any],
        reason: str,
    ) -> None:
        retry = filter_properties.get("retry") or {}
        attempts = int(retry.get("num_attempts", 1))
        pinned = request_spec.get("resource_backend")
        if attempts < self.config.scheduler_max_attempts and not pinned:
            LOG.info(
                "volume %s failed on %s (%s): rescheduling", volume["id"], self.backend.backend_id, reason
            )
            self._set_volume(volume["id"], host=None)
            await self.report([volume["id"]])
            await self.scheduler_rpc.bus.cast(
                "volume_scheduler",
                "create_volume",
                ctx,
                volume_id=volume["id"],
                request_spec=request_spec,
                filter_properties=filter_properties,
            )
            return
        LOG.info("volume %s failed on %s: %s", volume["id"], self.backend.backend_id, reason)
        self._set_volume(volume["id"], status="error")
        await self.report([volume["id"]])

    # delete, extend, retype
    async def delete_volume(self, ctx: RequestContext, volume_id: str) -> None:
        await self._latency(self.config.op_latency)
        volume = self._volume(volume_id)
        if volume is None:
            return
        try:
            self.driver.delete_volume(volume)
        except DriverError as exc:
            LOG.info("volume %s: delete failed: %s", volume_id, exc)
            self._set_volume(volume_id, status="error_deleting")
            return
        with self.cloud.db.begin() as conn:
            conn.execute(delete(m.attachments).where(m.attachments.c.volume_id == volume_id))
            conn.execute(delete(m.volumes).where(m.volumes.c.id == volume_id))
        self._usage_changed(volume["project_id"])
        await self.report()

    async def extend_volume(self, ctx: RequestContext, volume_id: str, new_size: int) -> None:
        await self._latency(self.config.op_latency)
        volume = self._volume(volume_id)
        key = f"extend:{volume_id}"
        if volume is None:
            await self.report([key])
            return
        try:
            self.driver.extend_volume(volume, new_size)
        except DriverError as exc:
            LOG.info("volume %s: extend failed: %s", volume_id, exc)
            self._set_volume(volume_id, status="error_extending")
            self._usage_changed(volume["project_id"])
            await self.report([key])
            return
        self._set_volume(
            volume_id,
            size=new_size,
            status=volume["previous_status"] or "available",
            previous_status="extending",
        )
        self._usage_changed(volume["project_id"])
        await self.report([key])

    async def retype(self, ctx: RequestContext, volume_id: str, new_type_id: str) -> None:
        await self._latency(self.config.op_latency)
        volume = self._volume(volume_id)
        if volume is None:
            return
        with self.cloud.db.begin() as conn:
            vtype = (
                conn.execute(
                    select(m.volume_types.c.extra_specs).where(m.volume_types.c.id == new_type_id)
                ).scalar()
                or {}
            )
        multi = str(vtype.get("multiattach", "")).strip().lower() == "<is> true"
        self._set_volume(
            volume_id,
            volume_type_id=new_type_id,
            multiattach=multi,
            status=volume["previous_status"] or "available",
            previous_status="retyping",
        )
        self._usage_changed(volume["project_id"])

    # snapshots
    async def create_snapshot(self, ctx: RequestContext, snapshot_id: str) -> None:
        await self._latency(self.config.op_latency)
        with self.cloud.db.begin() as conn:
            snap = conn.execute(select(m.snapshots).where(m.snapshots.c.id == snapshot_id)).mappings().first()
        if snap is None:
            return
        volume = self._volume(snap["volume_id"])
        status, progress = "available", "100%"
        try:
            if volume is None:
                raise DriverError("volume is gone")
            self.driver.create_snapshot(dict(snap), volume)
        except DriverError as exc:
            LOG.info("snapshot %s failed: %s", snapshot_id, exc)
            status, progress = "error", "0%"
        with self.cloud.db.begin() as conn:
            conn.execute(
                update(m.snapshots)
                .where(m.snapshots.c.id == snapshot_id, m.snapshots.c.status == "creating")
                .values(status=status, progress=progress, updated_at=self._now())
            )
        await self.report()

    async def delete_snapshot(self, ctx: RequestContext, snapshot_id: str) -> None:
        await self._latency(self.config.op_latency)
        with self.cloud.db.begin() as conn:
            snap = conn.execute(select(m.snapshots).where(m.snapshots.c.id == snapshot_id)).mappings().first()
        if snap is None:
            return
        try:
            self.driver.delete_snapshot(dict(snap))
        except DriverError:
            with self.cloud.db.begin() as conn:
                conn.execute(
                    update(m.snapshots).where(m.snapshots.c.id == snapshot_id).values(status="error_deleting")
                )
            return
        with self.cloud.db.begin() as conn:
            conn.execute(delete(m.snapshots).where(m.snapshots.c.id == snapshot_id))
        self._usage_changed(snap["project_id"])
        await self.report()

    # images
    async def copy_volume_to_image(self, ctx: RequestContext, volume_id: str, image_id: str) -> None:
        volume = self._volume(volume_id)
        if volume is None:
            return
        back = volume["previous_status"] or "available"
        image = self.cloud.service("image")
        try:
            await self._latency(self.config.op_latency)
            await image.upload_image_data(ctx, image_id, list(self.driver.copy_volume_to_image(volume)))
        except Exception as exc:
            LOG.warning("volume %s: upload to image %s failed: %s", volume_id, image_id, exc)
            try:
                image.set_image_status(image_id, "killed")
            except Exception:  # noqa: BLE001 - best effort, the volume is what matters here
                LOG.exception("could not mark image %s killed", image_id)
        self._set_volume(volume_id, status=back, previous_status="uploading")

    # connections
    def attachment_update(
        self, ctx: RequestContext, volume_id: str, attachment_id: str, connector: dict[str, Any]
    ) -> dict[str, Any]:
        volume = self._volume(volume_id)
        if volume is None:
            raise DriverError(f"volume {volume_id} is gone")
        with self.cloud.db.begin() as conn:
            att = conn.execute(_ATTACHMENT, {"id": attachment_id}).mappings().first()
        return self._connect(volume, attachment_id, att["attach_mode"] if att else None, connector)[0]

    def attachment_connect(
        self,
        ctx: RequestContext,
        volume: dict[str, Any],
        attachment: dict[str, Any],
        connector: dict[str, Any],
    ) -> dict[str, Any] | None:
        """``attachment_update`` on the rows the caller holds (none is read again); returns
        the attachment as written, None when it is gone."""
        _, values = self._connect(volume, attachment["id"], attachment["attach_mode"], connector)
        return {**attachment, **values} if values else None

    def _connect(
        self, volume: dict[str, Any], attachment_id: str, attach_mode: str | None, connector: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """Export the volume to the connector: the attachment is ``attaching``, and so is the
        volume when it was reserved or available. The connection info and the attachment's new
        values (None when the attachment is gone)."""
        info = self.driver.initialize_connection(volume, connector)
        mode = connector.get("mode") or attach_mode
        if mode in (None, "null"):
            mode = "ro" if volume["readonly"] else "rw"
        info["data"]["access_mode"] = mode
        values = {
            "attach_status": "attaching",
            "connector": connector,
            "connection_info": info,
            "attached_host": connector.get("host"),
            "mountpoint": connector.get("mountpoint"),
            "attach_mode": mode,
        }
        with self.cloud.db.begin() as conn:
            done = conn.execute(_BY_ID_ATTACHMENT, {"b_id": attachment_id, **values}).rowcount
            conn.execute(
                _VOLUME_ATTACHING,
                {
                    "b_id": volume["id"],
                    "status": "attaching",
                    "attach_status": "attaching",
                    "updated_at": self._now(),
                },
            )
        return info, (values if done else None)

    def attachment_delete(
        self,
        ctx: RequestContext,
        volume_id: str,
        attachment_id: str,
        volume: dict[str, Any] | None = None,
        attachment: dict[str, Any] | None = None,
    ) -> None:
        """Tear the export down; the volume is ``detaching`` unless another attachment is live.
        ``volume`` and ``attachment``, when given, are the rows the caller just read."""
        if volume is None:
            volume = self._volume(volume_id)
            if volume is None:
                return
        with self.cloud.db.begin() as conn:
            if attachment is None:
                found = conn.execute(_ATTACHMENT, {"id": attachment_id}).mappings().first()
                attachment = dict(found) if found else None
            conn.execute(_VOLUME_DETACHING, {"b_id": volume_id, "attachment_id": attachment_id})
        self.driver.terminate_connection(volume, dict(attachment["connector"] or {}) if attachment else None)


# Prebuilt statements of the hot paths (built once: no per-call construction).
_VOLUME = select(m.volumes).where(m.volumes.c.id == bindparam("id"))
_ATTACHMENT = select(m.attachments).where(m.attachments.c.id == bindparam("id"))
# UPDATEs whose SET columns are the keys of the parameters given with ``b_id``
_VOLUME_SET = update(m.volumes).where(m.volumes.c.id == bindparam("b_id"))
_FINISH_CREATE = _VOLUME_SET.where(one_of(m.volumes.c.status, ("creating", "downloading")))
_BY_ID_ATTACHMENT = update(m.attachments).where(m.attachments.c.id == bindparam("b_id"))
_VOLUME_ATTACHING = update(m.volumes).where(
    m.volumes.c.id == bindparam("b_id"), one_of(m.volumes.c.status, ("reserved", "available"))
)
_VOLUME_DETACHING = (
    update(m.volumes)
    .where(
        m.volumes.c.id == bindparam("b_id"),
        ~exists().where(
            m.attachments.c.volume_id == bindparam("b_id"),
            m.attachments.c.id != bindparam("attachment_id"),
            m.attachments.c.attach_status == "attached",
        ),
    )
    .values(status="detaching")
)
