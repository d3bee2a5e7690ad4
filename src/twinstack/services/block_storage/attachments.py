"""Attachments (the v3 attachments API and what nova calls): reserve, update with a connector
(the backend's ``initialize_connection``), complete, delete; plus the legacy volume actions
(os-reserve, os-attach, os-begin_detaching, os-detach...) over the same records.

Volume status: available -> reserved (create without connector) -> attaching (update) ->
in-use (complete) -> detaching -> available (or in-use while other attachments remain).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, DateTime, bindparam, case, delete, func, select, update

from twinstack.core.context import RequestContext
from twinstack.core.errors import BadRequest, Conflict
from twinstack.services.block_storage import models as m
from twinstack.services.block_storage.common import attachment_row, invalid_volume, one_of, volume_row

if TYPE_CHECKING:
    from twinstack.services.block_storage.service import BlockStorageService


# Prebuilt statements for the attach and detach paths (built once: no per-call construction).
_OTHER_CONNECTED = (
    select(m.attachments.c.id)
    .where(
        m.attachments.c.volume_id == bindparam("volume_id"),
        m.attachments.c.id != bindparam("attachment_id"),
        m.attachments.c.connection_info.is_not(None),
    )
    .limit(1)
)
_VOLUME = select(m.volumes).where(m.volumes.c.id == bindparam("id"))
_DELETE_ATTACHMENT = delete(m.attachments).where(m.attachments.c.id == bindparam("id"))
_ATTACHMENTS_OF = select(m.attachments).where(m.attachments.c.volume_id == bindparam("volume_id"))
# UPDATEs whose SET columns are the keys of the parameters given with ``b_id``
_VOLUME_SET = update(m.volumes).where(m.volumes.c.id == bindparam("b_id"))
_ATTACHMENT_SET = update(m.attachments).where(m.attachments.c.id == bindparam("b_id"))
_RESERVE = _VOLUME_SET.where(one_of(m.volumes.c.status, ("available", "downloading")))
_RESERVE_MULTI = _VOLUME_SET.where(
    one_of(m.volumes.c.status, ("available", "in-use", "downloading", "reserved"))
)
_INSERT_ATTACHMENT = m.attachments.insert()
_NOW = bindparam("now", type_=DateTime())
_COMPLETE = _ATTACHMENT_SET.values(
    attach_status="attached", attach_time=func.coalesce(m.attachments.c.attach_time, _NOW)
)
_COMPLETE_OWN = _COMPLETE.where(m.attachments.c.project_id == bindparam("p_project"))
_VOLUME_IN_USE = (
    update(m.volumes)
    .where(
        m.volumes.c.id
        == select(m.attachments.c.volume_id).where(m.attachments.c.id == bindparam("b_id")).scalar_subquery()
    )
    .values(status="in-use", attach_status="attached", updated_at=_NOW)
)
_VOLUME_DETACHED = _VOLUME_SET.values(
    attach_status="detached",
    status=case(
        (one_of(m.volumes.c.status, ("error_deleting", "maintenance", "deleting")), m.volumes.c.status),
        else_="available",
    ),
)


class AttachmentsMixin:
    def attachment_create(
        self: BlockStorageService,
        ctx: RequestContext,
        volume_id: str,
        instance_id: str | None,
        connector: dict[str, Any] | None = None,
        mode: str = "null",
    ) -> dict[str, Any]:
        """Reserve the volume for an instance (no bus work). With a connector, call
        ``attachment_create_async`` (the HTTP API does) so the backend makes the connection."""
        return self._attachment_create(ctx, volume_id, instance_id, mode)[0]

    def _attachment_create(
        self: BlockStorageService,
        ctx: RequestContext,
        volume_id: str,
        instance_id: str | None,
        mode: str,
        connecting: bool = False,
    ) -> tuple[dict[str, Any], dict[str, Any], bool | None]:
        """The reservation, the volume row as it now stands and, when ``connecting`` a volume
        that is not multiattach, whether another attachment of it has a connection (the check
        of the connection step, made here so that step reads nothing)."""
        with self.cloud.db.begin() as conn:
            volume = volume_row(conn, ctx, volume_id)
            if "error" in volume["status"]:
                raise invalid_volume(
                    f"Volume attachments can not be created if the volume is in an error state. The Volume "
                    f"{volume_id} currently has a status of: {volume['status']} "
                )
            row = self._reserve(conn, ctx, volume, instance_id, mode)
            connected = None
            if connecting and not volume["multiattach"]:
                params = {"volume_id": volume_id, "attachment_id": row["id"]}
                connected = conn.execute(_OTHER_CONNECTED, params).first() is not None
        if volume["status"] != "in-use":
            volume["status"] = "reserved"
        return row, volume, connected

    async def attachment_create_async(
        self: BlockStorageService,
        ctx: RequestContext,
        volume_id: str,
        instance_id: str | None,
        connector: dict[str, Any] | None = None,
        mode: str = "null",
    ) -> dict[str, Any]:
        row, volume, connected = self._attachment_create(ctx, volume_id, instance_id, mode, bool(connector))
        if connector:
            # the rows just written go on to the connection step: nothing is read again
            return await self._attachment_connect(ctx, row, volume, connector, connected)
        return row

    def _reserve(
        self: BlockStorageService,
        conn: Connection,
        ctx: RequestContext,
        volume: dict[str, Any],
        instance_id: str | None,
        mode: str,
    ) -> dict[str, Any]:
        multi = bool(volume["multiattach"])
        expected = (
            ("available", "in-use", "downloading", "reserved") if multi else ("available", "downloading")
        )
        done = conn.execute(
            _RESERVE_MULTI if multi else _RESERVE,
            {"b_id": volume["id"], "status": "reserved", "updated_at": self.now()},
        ).rowcount
        if not done:
            override = False
            if instance_id and volume["status"] in ("in-use", "reserved"):
                others = conn.execute(
                    select(m.attachments.c.instance_uuid).where(m.attachments.c.volume_id == volume["id"])
                ).all()
                override = any(o[0] == instance_id for o in others)
            if not override:
                raise invalid_volume(
                    f"Volume {volume['id']} status must be {' or '.join(expected)} to reserve, "
                    f"but the current status is {volume['status']}."
                )
        if volume["status"] == "in-use":  # another attachment is live: the volume stays in-use
            conn.execute(_VOLUME_SET, {"b_id": volume["id"], "status": "in-use"})
        row = {
            "id": self.cloud.ids.uuid(),
            "volume_id": volume["id"],
            "project_id": volume["project_id"],
            "instance_uuid": instance_id,
            "attached_host": None,
            "mountpoint": None,
            "attach_mode": "ro" if volume["readonly"] else (mode if mode in ("rw", "ro") else "null"),
            "attach_status": "reserved",
            "connector": None,
            "connection_info": None,
            "attach_time": None,
            "detach_time": None,
            "created_at": self.now(),
        }
        conn.execute(_INSERT_ATTACHMENT, row)
        return row

    def get_attachment(self: BlockStorageService, ctx: RequestContext, attachment_id: str) -> dict[str, Any]:
        with self.cloud.db.begin() as conn:
            return attachment_row(conn, ctx, attachment_id)

    def list_attachments(
        self: BlockStorageService, ctx: RequestContext, filters: dict[str, str]
    ) -> list[dict[str, Any]]:
        query = select(m.attachments)
        if not (ctx.is_admin and "all_tenants" in filters):
            query = query.where(m.attachments.c.project_id == ctx.project_id)
        if filters.get("volume_id"):
            query = query.where(m.attachments.c.volume_id == filters["volume_id"])
        if filters.get("instance_id"):
            query = query.where(m.attachments.c.instance_uuid == filters["instance_id"])
        status = filters.get("attach_status") or filters.get("status")
        if status:
            query = query.where(m.attachments.c.attach_status == status)
        with self.cloud.db.begin() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    async def attachment_update(
        self: BlockStorageService, ctx: RequestContext, attachment_id: str, connector: dict[str, Any]
    ) -> dict[str, Any]:
        """Give the attachment its connector: the backend exports the volume (``attaching``)."""
        if not isinstance(connector, dict):
            raise BadRequest("Invalid input for field/attribute connector.")
        with self.cloud.db.begin() as conn:
            att = attachment_row(conn, ctx, attachment_id)
            volume = volume_row(conn, ctx, att["volume_id"])
        return await self._attachment_connect(ctx, att, volume, connector)

    async def _attachment_connect(
        self: BlockStorageService,
        ctx: RequestContext,
        att: dict[str, Any],
        volume: dict[str, Any],
        connector: dict[str, Any],
        connected: bool | None = None,
    ) -> dict[str, Any]:
        """The checks of ``attachment_update`` on rows in hand (``connected``: the duplicate
        connector check, when already made), then the backend's connection; returns the
        attachment as the manager wrote it."""
        if not isinstance(connector, dict):
            raise BadRequest("Invalid input for field/attribute connector.")
        attachment_id = att["id"]
        if "error" in volume["status"]:
            raise Conflict(
                f"Volume attachments can not be updated if the volume is in an error state. "
                f"The Volume {volume['id']} currently has a status of: {volume['status']} "
            )
        if connected is None and not volume["multiattach"]:
            with self.cloud.db.begin() as conn:
                params = {"volume_id": volume["id"], "attachment_id": attachment_id}
                connected = conn.execute(_OTHER_CONNECTED, params).first() is not None
        if connected:
            raise Conflict(f"duplicate connectors detected on volume {volume['id']}")
        row = await self.volume_rpc.attachment_connect(ctx, volume["host"], volume, att, connector)
        if row is None:  # gone meanwhile: cinder's 404
            return self.get_attachment(ctx, attachment_id)
        return row

    def attachment_complete(self: BlockStorageService, ctx: RequestContext, attachment_id: str) -> None:
        """os-complete: the attachment is ``attached``, the volume ``in-use``."""
        own = not ctx.is_admin
        with self.cloud.db.begin() as conn:  # two statements, no read: the UPDATE finds the row
            # (the parameters' keys other than b_id, now, p_project would be SET: none here)
            params = {"b_id": attachment_id, "now": self.now()}
            found = conn.execute(
                _COMPLETE_OWN if own else _COMPLETE,
                {**params, "p_project": ctx.project_id} if own else params,
            ).rowcount
            if not found:
                attachment_row(conn, ctx, attachment_id)  # cinder's 404
            conn.execute(_VOLUME_IN_USE, params)

    async def attachment_delete(
        self: BlockStorageService, ctx: RequestContext, attachment_id: str
    ) -> list[dict[str, Any]]:
        """Disconnect and remove the attachment; returns the attachments left on the volume."""
        with self.cloud.db.begin() as conn:
            att = attachment_row(conn, ctx, attachment_id)
            found = conn.execute(_VOLUME, {"id": att["volume_id"]}).mappings().first()
        volume = dict(found) if found is not None else None
        if att["attach_status"] != "reserved" and volume is not None and volume["host"]:
            await self.volume_rpc.attachment_delete(
                ctx, volume["host"], att["volume_id"], attachment_id, volume=volume, attachment=att
            )
        with self.cloud.db.begin() as conn:
            return self.finish_detach(conn, att["volume_id"], attachment_id)

    def finish_detach(
        self: BlockStorageService, conn: Connection, volume_id: str, attachment_id: str
    ) -> list[dict[str, Any]]:
        conn.execute(_DELETE_ATTACHMENT, {"id": attachment_id})
        left = [dict(r) for r in conn.execute(_ATTACHMENTS_OF, {"volume_id": volume_id}).mappings()]
        if not left:  # the volume (when there is one) is free, unless deleting or in maintenance
            conn.execute(_VOLUME_DETACHED, {"b_id": volume_id, "updated_at": self.now()})
        elif any(a["attach_status"] == "attached" for a in left):
            conn.execute(
                _VOLUME_SET,
                {
                    "b_id": volume_id,
                    "status": "in-use",
                    "attach_status": "attached",
                    "updated_at": self.now(),
                },
            )
        else:
            conn.execute(
                _VOLUME_SET,
                {
                    "b_id": volume_id,
                    "status": "reserved",
                    "attach_status": "reserved",
                    "updated_at": self.now(),
                },
            )
        return left

    # legacy actions (before 3.27), the same records underneath
    def reserve_volume(self: BlockStorageService, ctx: RequestContext, volume_id: str) -> None:
        with self.cloud.db.begin() as conn:
            volume = volume_row(conn, ctx, volume_id)
            expected = ("available", "in-use") if volume["multiattach"] else ("available",)
            if volume["status"] not in expected:
                raise invalid_volume(
                    f"Volume {volume_id} status must be {' or '.join(expected)} to reserve, "
                    f"but the current status is {volume['status']}."
                )
            conn.execute(
                update(m.volumes)
                .where(m.volumes.c.id == volume_id)
                .values(status="attaching", previous_status=volume["status"], updated_at=self.now())
            )

    def unreserve_volume(self: BlockStorageService, ctx: RequestContext, volume_id: str) -> None:
        with self.cloud.db.begin() as conn:
            volume = volume_row(conn, ctx, volume_id)
            if volume["status"] == "attaching":
                attached = conn.execute(
                    select(m.attachments.c.id).where(
                        m.attachments.c.volume_id == volume_id, m.attachments.c.attach_status == "attached"
                    )
                ).first()
                conn.execute(
                    update(m.volumes)
                    .where(m.volumes.c.id == volume_id)
                    .values(status="in-use" if attached else "available", updated_at=self.now())
                )

    def attach_volume(
        self: BlockStorageService,
        ctx: RequestContext,
        volume_id: str,
        instance_uuid: str | None,
        host_name: str | None,
        mountpoint: str,
        mode: str,
    ) -> None:
        with self.cloud.db.begin() as conn:
            volume = volume_row(conn, ctx, volume_id)
            if volume["status"] == "maintenance":
                raise invalid_volume("The volume cannot be attached in maintenance mode.")
            if volume["readonly"] and mode == "rw":
                raise invalid_volume(f"Volume {volume_id} is read-only; attach mode must be 'ro'.")
            now = self.now()
            conn.execute(
                m.attachments.insert().values(
                    id=self.cloud.ids.uuid(),
                    volume_id=volume_id,
                    project_id=volume["project_id"],
                    instance_uuid=instance_uuid,
                    attached_host=host_name,
                    mountpoint=mountpoint,
                    attach_mode=mode,
                    attach_status="attached",
                    attach_time=now,
                    created_at=now,
                )
            )
            conn.execute(
                update(m.volumes)
                .where(m.volumes.c.id == volume_id)
                .values(status="in-use", attach_status="attached", updated_at=now)
            )

    def begin_detaching(self: BlockStorageService, ctx: RequestContext, volume_id: str) -> None:
        with self.cloud.db.begin() as conn:
            volume = volume_row(conn, ctx, volume_id)
            if volume["status"] != "in-use" or volume["attach_status"] != "attached":
                raise invalid_volume(
                    "Unable to detach volume. Volume status must be 'in-use' and attach_status "
                    "must be 'attached' to detach."
                )
            conn.execute(
                update(m.volumes)
                .where(m.volumes.c.id == volume_id)
                .values(status="detaching", updated_at=self.now())
            )

    def roll_detaching(self: BlockStorageService, ctx: RequestContext, volume_id: str) -> None:
        with self.cloud.db.begin() as conn:
            volume = volume_row(conn, ctx, volume_id)
            if volume["status"] == "detaching":
                conn.execute(
                    update(m.volumes)
                    .where(m.volumes.c.id == volume_id)
                    .values(status="in-use", updated_at=self.now())
                )

    def detach_volume(
        self: BlockStorageService,
        ctx: RequestContext,
        volume_id: str,
        attachment_id: str | None,
        *,
        force: bool = False,
    ) -> None:
        with self.cloud.db.begin() as conn:
            volume = volume_row(conn, ctx, volume_id)
            query = select(m.attachments.c.id).where(m.attachments.c.volume_id == volume_id)
            if attachment_id:
                query = query.where(m.attachments.c.id == attachment_id)
            found = [r[0] for r in conn.execute(query)]
            if not found:
                if volume["status"] in ("detaching", "attaching", "in-use", "error") or force:
                    conn.execute(
                        update(m.volumes)
                        .where(m.volumes.c.id == volume_id)
                        .values(status="available", attach_status="detached", updated_at=self.now())
                    )
                return
            if len(found) > 1 and not attachment_id and not force:
                raise invalid_volume(
                    "Detach volume failed: More than one attachment, but no attachment_id provided."
                )
            for att_id in found:
                self.finish_detach(conn, volume_id, att_id)
