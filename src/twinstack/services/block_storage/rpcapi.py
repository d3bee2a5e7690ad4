"""Casts and calls to the volume scheduler and the volume managers, over the cloud's bus.

Topics as cinder names them: ``volume_scheduler`` and ``volume.<host@backend>``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from twinstack.core.context import RequestContext

if TYPE_CHECKING:
    from twinstack.core.bus import Bus

SCHEDULER_TOPIC = "volume_scheduler"
BACKUP_TOPIC = "volume_backup"


def volume_topic(host: str) -> str:
    """``volume.host@backend`` from a volume's ``host@backend#pool`` (or ``host@backend``)."""
    return "volume." + host.split("#", 1)[0]


class SchedulerAPI:
    def __init__(self, bus: Bus) -> None:
        self.bus = bus

    async def create_volume(
        self,
        ctx: RequestContext,
        volume_id: str,
        request_spec: dict[str, Any],
        filter_properties: dict[str, Any],
    ) -> None:
        await self.bus.cast(
            SCHEDULER_TOPIC,
            "create_volume",
            ctx,
            volume_id=volume_id,
            request_spec=request_spec,
            filter_properties=filter_properties,
        )

    async def extend_volume(
        self, ctx: RequestContext, volume_id: str, new_size: int, request_spec: dict[str, Any]
    ) -> None:
        await self.bus.cast(
            SCHEDULER_TOPIC,
            "extend_volume",
            ctx,
            volume_id=volume_id,
            new_size=new_size,
            request_spec=request_spec,
        )

    async def refresh_services(self) -> None:
        await self.bus.cast(SCHEDULER_TOPIC, "refresh_services", None)

    async def get_pools(self, ctx: RequestContext, filters: dict[str, Any]) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self.bus.call(SCHEDULER_TOPIC, "get_pools", ctx, filters=filters)
        return result

    async def update_service_capabilities(
        self, backend_id: str, availability_zone: str, stats: dict[str, Any], seq: int, finished: list[str]
    ) -> None:
        await self.bus.cast(
            SCHEDULER_TOPIC,
            "update_service_capabilities",
            None,
            backend_id=backend_id,
            availability_zone=availability_zone,
            stats=stats,
            seq=seq,
            finished=finished,
        )


class VolumeAPI:
    def __init__(self, bus: Bus) -> None:
        self.bus = bus

    async def cast(self, host: str, method: str, ctx: RequestContext, **kwargs: Any) -> None:
        await self.bus.cast(volume_topic(host), method, ctx, **kwargs)

    async def call(self, host: str, method: str, ctx: RequestContext, **kwargs: Any) -> Any:
        return await self.bus.call(volume_topic(host), method, ctx, **kwargs)

    async def create_volume(
        self,
        ctx: RequestContext,
        host: str,
        volume_id: str,
        request_spec: dict[str, Any],
        filter_properties: dict[str, Any],
    ) -> None:
        await self.cast(
            host,
            "create_volume",
            ctx,
            volume_id=volume_id,
            request_spec=request_spec,
            filter_properties=filter_properties,
        )

    async def delete_volume(self, ctx: RequestContext, host: str, volume_id: str) -> None:
        await self.cast(host, "delete_volume", ctx, volume_id=volume_id)

    async def extend_volume(self, ctx: RequestContext, host: str, volume_id: str, new_size: int) -> None:
        await self.cast(host, "extend_volume", ctx, volume_id=volume_id, new_size=new_size)

    async def create_snapshot(self, ctx: RequestContext, host: str, snapshot_id: str) -> None:
        await self.cast(host, "create_snapshot", ctx, snapshot_id=snapshot_id)

    async def delete_snapshot(self, ctx: RequestContext, host: str, snapshot_id: str) -> None:
        await self.cast(host, "delete_snapshot", ctx, snapshot_id=snapshot_id)

    async def copy_volume_to_image(
        self, ctx: RequestContext, host: str, volume_id: str, image_id: str
    ) -> None:
        await self.cast(host, "copy_volume_to_image", ctx, volume_id=volume_id, image_id=image_id)

    async def retype(self, ctx: RequestContext, host: str, volume_id: str, new_type_id: str) -> None:
        await self.cast(host, "retype", ctx, volume_id=volume_id, new_type_id=new_type_id)

    async def attachment_update(
        self, ctx: RequestContext, host: str, volume_id: str, attachment_id: str, connector: dict[str, Any]
    ) -> dict[str, Any]:
        result: dict[str, Any] = await self.call(
            host,
            "attachment_update",
            ctx,
            volume_id=volume_id,
            attachment_id=attachment_id,
            connector=connector,
        )
        return result

    async def attachment_connect(
        self,
        ctx: RequestContext,
        host: str,
        volume: dict[str, Any],
        attachment: dict[str, Any],
        connector: dict[str, Any],
    ) -> dict[str, Any] | None:
        """``attachment_update`` with the rows the caller holds (nothing is read again);
        returns the attachment as written, None when it is gone."""
        result: dict[str, Any] | None = await self.call(
            host, "attachment_connect", ctx, volume=volume, attachment=attachment, connector=connector
        )
        return result

    async def attachment_delete(
        self,
        ctx: RequestContext,
        host: str,
        volume_id: str,
        attachment_id: str,
        *,
        volume: dict[str, Any] | None = None,
        attachment: dict[str, Any] | None = None,
    ) -> None:
        await self.call(
            host,
            "attachment_delete",
            ctx,
            volume_id=volume_id,
            attachment_id=attachment_id,
            volume=volume,
            attachment=attachment,
        )


class BackupAPI:
    def __init__(self, bus: Bus) -> None:
        self.bus = bus

    async def create_backup(self, ctx: RequestContext, backup_id: str) -> None:
        await self.bus.cast(BACKUP_TOPIC, "create_backup", ctx, backup_id=backup_id)

    async def restore_backup(self, ctx: RequestContext, backup_id: str, volume_id: str) -> None:
        await self.bus.cast(BACKUP_TOPIC, "restore_backup", ctx, backup_id=backup_id, volume_id=volume_id)

    async def delete_backup(self, ctx: RequestContext, backup_id: str) -> None:
        await self.bus.cast(BACKUP_TOPIC, "delete_backup", ctx, backup_id=backup_id)
