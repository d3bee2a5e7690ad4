"""Nova's volume side over the block storage service (cinder's v3 attachments flow).

- Boot from volume: ``block_device_mapping_v2`` entries with ``destination_type`` volume are
  checked at create (``check_block_devices``); on the host, in task_state block_device_mapping,
  ``prepare_block_devices`` creates the volumes a mapping asks for (image, blank, snapshot
  sources), waits for them to be ``available`` and attaches every volume
  (attachment_create -> attachment_update with the host's connector -> attachment_complete).
- ``os-volume_attachments``: ``attach_volume`` / ``detach_volume`` do the same for a running
  server; the instance record's ``block_device_mapping`` is the list nova shows.
- Delete (and a failed build): ``release_block_devices`` detaches every volume and deletes those
  marked ``delete_on_termination``, so volumes and servers always agree.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import string
from typing import TYPE_CHECKING, Any

from twinstack.core.errors import ApiError, BadRequest, Conflict, NotFound

if TYPE_CHECKING:
    from twinstack.core.context import RequestContext
    from twinstack.services.compute.service import ComputeService

LOG = logging.getLogger(__name__)
ROOT_DEVICE = "/dev/vda"
VOLUME_WAIT = 60.0


class BlockDeviceError(Exception):
    """A volume for the instance could not be made ready (the build aborts)."""


def _storage(svc: ComputeService) -> Any:
    return svc.cloud.service("block_storage")


def _bool(value: Any) -> bool:
    return str(value).lower() in ("1", "true", "t", "yes", "y", "on")


def is_volume(bdm: dict[str, Any]) -> bool:
    return bdm.get("destination_type") == "volume"


def check_block_devices(
    svc: ComputeService, ctx: RequestContext, bdms: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Validate ``block_device_mapping_v2`` at create; returns the mappings to store."""
    result: list[dict[str, Any]] = []
    storage = _storage(svc)
    for index, raw in enumerate(bdms):
        bdm = dict(raw)
        if not is_volume(bdm):
            result.append(bdm)
            continue
        source = bdm.get("source_type")
        boot = bdm.get("boot_index") in (0, "0")
        bdm["boot_index"] = 0 if boot else bdm.get("boot_index")
        bdm["delete_on_termination"] = _bool(bdm.get("delete_on_termination", False))
        if source not in ("volume", "image", "blank", "snapshot"):
            raise BadRequest(f"Block Device Mapping is Invalid: source_type {source} is not valid.")
        if source == "volume":
            volume_id = bdm.get("uuid") or bdm.get("volume_id")
            try:
                volume = storage.get_volume(ctx, volume_id)
            except NotFound:
                raise BadRequest(
                    f"Block Device Mapping is Invalid: failed to get volume {volume_id}."
                ) from None
            if boot and not _bool(volume.get("bootable", True)):
                raise BadRequest(f"Block Device {volume_id} is not bootable.")
            if volume["status"] != "available" and not volume.get("multiattach"):
                raise BadRequest(
                    f"Block Device Mapping is Invalid: Volume {volume_id} status must be available "
                    f"or reserved, but the current status is {volume['status']}."
                )
            bdm["volume_id"] = volume_id
        elif source == "snapshot" and boot:
            _check_boot_snapshot(storage, ctx, bdm.get("uuid") or bdm.get("snapshot_id"))
        if source in ("image", "blank", "snapshot"):
            size = bdm.get("volume_size")
            if source == "blank" and not size:
                raise BadRequest(
                    "Block Device Mapping is Invalid: You specified more local devices than the limit allows"
                )
            if size is not None:
                try:
                    bdm["volume_size"] = int(size)
                except (TypeError, ValueError):
                    raise BadRequest(
                        f"Invalid input for field/attribute volume_size. Value: {size}."
                    ) from None
        bdm["device_name"] = bdm.get("device_name") or (ROOT_DEVICE if boot else None)
        bdm.setdefault("bdm_uuid", svc.cloud.ids.uuid())
        bdm["index"] = index
        result.append(bdm)
    return result


def _check_boot_snapshot(storage: Any, ctx: RequestContext, snapshot_id: Any) -> None:
    """nova's ``_get_bdm_image_metadata`` for a root disk made from a snapshot: its volume must be
    bootable (a snapshot cinder does not know is left to the build, as before)."""
    try:
        snapshot = storage.get_snapshot(ctx, str(snapshot_id))
        volume = storage.get_volume(ctx, snapshot["volume_id"])
    except NotFound:
        return
    if not _bool(volume.get("bootable", True)):
        raise BadRequest(f"Block Device {volume['id']} is not bootable.")


def next_device(bdms: list[dict[str, Any]]) -> str:
    used = {b.get("device_name") for b in bdms} | {ROOT_DEVICE}
    for letter in string.ascii_lowercase[1:]:
        name = f"/dev/vd{letter}"
        if name not in used:
            return name
    raise BadRequest("No free disk device names for prefix 'vd'")


async def _wait_available(svc: ComputeService, ctx: RequestContext, volume_id: str) -> dict[str, Any]:
    storage = _storage(svc)
    deadline = asyncio.get_running_loop().time() + VOLUME_WAIT
    while True:
        volume = storage.get_volume(ctx, volume_id)
        if volume["status"] == "available":
            return dict(volume)
        if volume["status"] == "error" or asyncio.get_running_loop().time() > deadline:
            raise BlockDeviceError(
                f"Volume {volume_id} did not finish being created (status {volume['status']})."
            )
        await asyncio.sleep(0.01)


async def _connect(
    svc: ComputeService, ctx: RequestContext, volume_id: str, instance_id: str, host: str | None
) -> str:
    storage = _storage(svc)
    attachment = storage.attachment_create(ctx, volume_id, instance_id, mode="rw")
    try:
        await storage.attachment_update(
            ctx, attachment["id"], {"host": host or "", "initiator": f"iqn.{host}"}
        )
        storage.attachment_complete(ctx, attachment["id"])
    except ApiError:
        with contextlib.suppress(ApiError):
            await storage.attachment_delete(ctx, attachment["id"])
        raise
    return str(attachment["id"])


async def prepare_block_devices(
    svc: ComputeService, ctx: RequestContext, instance_id: str, host: str
) -> list[dict[str, Any]]:
    """Create and attach the instance's volumes on ``host``; raises ``BlockDeviceError``."""
    inst = svc.store.get(instance_id)
    if inst is None:
        return []
    bdms = [dict(b) for b in inst["block_device_mapping"] or []]
    if not any(is_volume(b) for b in bdms):
        return bdms
    storage = _storage(svc)
    try:
        for bdm in bdms:
            if not is_volume(bdm) or bdm.get("attachment_id"):
                continue
            if not bdm.get("volume_id"):
                source = bdm.get("source_type")
                created = await storage.create_volume(
                    ctx,
                    size=bdm.get("volume_size") or max(1, int(inst["flavor"]["root_gb"] or 1)),
                    name=f"{inst['display_name']}-{source}-{bdm['index']}",
                    image_id=bdm.get("uuid") if source == "image" else None,
                    snapshot_id=bdm.get("uuid") if source == "snapshot" else None,
                    volume_type=bdm.get("volume_type"),
                    availability_zone=inst.get("availability_zone"),
                )
                bdm["volume_id"] = created["id"]
                svc.store.save(instance_id, block_device_mapping=bdms)
                await _wait_available(svc, ctx, created["id"])
            bdm["device_name"] = bdm.get("device_name") or next_device(bdms)
            bdm["attachment_id"] = await _connect(svc, ctx, bdm["volume_id"], instance_id, host)
            svc.store.save(instance_id, block_device_mapping=bdms)
    except ApiError as exc:
        raise BlockDeviceError(exc.message) from exc
    return bdms


async def release_block_devices(
    svc: ComputeService, ctx: RequestContext, instance_id: str, *, delete: bool = True
) -> None:
    """Detach every volume of the instance; with ``delete`` (the server is deleted), delete those
    marked delete_on_termination (a failed build only detaches: a reschedule attaches again)."""
    inst = svc.store.get(instance_id)
    if inst is None:
        return
    storage = _storage(svc)
    for bdm in inst["block_device_mapping"] or []:
        if not is_volume(bdm) or not bdm.get("volume_id"):
            continue
        if bdm.get("attachment_id"):
            with contextlib.suppress(ApiError):
                await storage.attachment_delete(ctx, bdm["attachment_id"])
        if delete and bdm.get("delete_on_termination"):
            try:
                await storage.delete_volume(ctx, bdm["volume_id"])
            except ApiError:
                LOG.warning("deleting volume %s of %s failed", bdm["volume_id"], instance_id, exc_info=True)
    svc.store.save(
        instance_id,
        block_device_mapping=[
            {k: v for k, v in b.items() if k != "attachment_id"} for b in inst["block_device_mapping"] or []
        ],
    )


# os-volume_attachments -------------------------------------------------------------------------------
def attached_volumes(inst: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in inst["block_device_mapping"] or [] if is_volume(b) and b.get("volume_id")]


async def attach_volume(
    svc: ComputeService,
    ctx: RequestContext,
    inst: dict[str, Any],
    volume_id: str,
    device: str | None = None,
    tag: str | None = None,
    delete_on_termination: bool = False,
) -> dict[str, Any]:
    storage = _storage(svc)
    if tag and not inst["host"]:
        raise BadRequest("Tagged volume attachment is not supported for shelved-offloaded instances.")
    bdms = [dict(b) for b in inst["block_device_mapping"] or []]
    if any(b.get("volume_id") == volume_id for b in bdms):
        raise BadRequest(f"Invalid volume: volume {volume_id} already attached")
    try:
        volume = storage.get_volume(ctx, volume_id)
    except NotFound:
        raise NotFound(f"Volume {volume_id} could not be found.") from None
    if volume["status"] != "available" and not volume.get("multiattach"):
        raise BadRequest(
            f"Invalid volume: volume {volume_id} status must be available or downloading to reserve, "
            f"but the current status is {volume['status']}."
        )
    bdm = {
        "source_type": "volume",
        "destination_type": "volume",
        "volume_id": volume_id,
        "device_name": device if device else next_device(bdms),
        "tag": tag,
        "delete_on_termination": delete_on_termination,
        "boot_index": None,
        "bdm_uuid": svc.cloud.ids.uuid(),
    }
    if inst["host"]:
        try:
            bdm["attachment_id"] = await _connect(svc, ctx, volume_id, inst["id"], inst["host"])
        except ApiError as exc:
            raise BadRequest(f"Invalid volume: {exc.message}") from None
    else:
        # shelved offloaded (nova's _attach_volume_shelved_offloaded): the attachment is created
        # and completed without a host connector, so the volume goes in-use now; the host that
        # unshelves the server finds it attached.
        attachment_id = storage.attachment_create(ctx, volume_id, inst["id"], mode="rw")["id"]
        try:
            storage.attachment_complete(ctx, attachment_id)
        except ApiError as exc:
            with contextlib.suppress(ApiError):
                await storage.attachment_delete(ctx, attachment_id)
            raise BadRequest(f"Invalid volume: {exc.message}") from None
        bdm["attachment_id"] = attachment_id
    bdms.append(bdm)
    svc.store.save(inst["id"], block_device_mapping=bdms)
    svc.store.start_action(ctx, [inst["id"]], "attach_volume")
    return bdm


async def detach_volume(
    svc: ComputeService, ctx: RequestContext, inst: dict[str, Any], volume_id: str
) -> None:
    bdms = [dict(b) for b in inst["block_device_mapping"] or []]
    bdm = next((b for b in bdms if is_volume(b) and b.get("volume_id") == volume_id), None)
    if bdm is None:
        raise NotFound(f"volume_id not found: {volume_id}")
    if bdm.get("boot_index") in (0, "0"):
        raise BadRequest("Cannot detach a root device volume")
    if bdm.get("attachment_id"):
        try:
            await _storage(svc).attachment_delete(ctx, bdm["attachment_id"])
        except NotFound:
            pass
        except ApiError as exc:
            raise Conflict(exc.message) from None
    svc.store.save(inst["id"], block_device_mapping=[b for b in bdms if b is not bdm])
    svc.store.start_action(ctx, [inst["id"]], "detach_volume")


def update_attachment(
    svc: ComputeService, inst: dict[str, Any], volume_id: str, delete_on_termination: bool | None
) -> None:
    bdms = [dict(b) for b in inst["block_device_mapping"] or []]
    bdm = next((b for b in bdms if is_volume(b) and b.get("volume_id") == volume_id), None)
    if bdm is None:
        raise NotFound(f"volume_id not found: {volume_id}")
    if delete_on_termination is not None:
        bdm["delete_on_termination"] = delete_on_termination
        svc.store.save(inst["id"], block_device_mapping=bdms)
