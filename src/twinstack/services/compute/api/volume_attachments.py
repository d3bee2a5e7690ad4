"""``/servers/{id}/os-volume_attachments``: list, show, attach, update, detach (views per microversion)."""

from __future__ import annotations

from typing import Any

from twinstack.core.errors import BadRequest, Forbidden, NotFound
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.compute import volumes
from twinstack.services.compute.api import check, compute, route

_ATTACH_STATES = ("active", "paused", "stopped", "resized", "soft-delete", "shelved", "shelved_offloaded")
_SHELVED = ("shelved", "shelved_offloaded")


def _allowed_states(req: ApiRequest) -> tuple[str, ...]:
    """Shelved servers take volume (de)attachments from microversion 2.20 (409 before)."""
    if req.ctx.mv("2.20"):
        return _ATTACH_STATES
    return tuple(s for s in _ATTACH_STATES if s not in _SHELVED)


def _view(req: ApiRequest, server_id: str, bdm: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": bdm["volume_id"],
        "serverId": server_id,
        "volumeId": bdm["volume_id"],
        "device": bdm.get("device_name"),
    }
    if req.ctx.mv("2.70"):
        body["tag"] = bdm.get("tag")
    if req.ctx.mv("2.79"):
        body["delete_on_termination"] = bool(bdm.get("delete_on_termination"))
    if req.ctx.mv("2.89"):
        del body["id"]
        body["attachment_id"] = bdm.get("attachment_id")
        body["bdm_uuid"] = bdm.get("bdm_uuid")
    return body


def _instance(req: ApiRequest) -> dict[str, Any]:
    return compute(req).get_instance(req.ctx, req.path["server_id"])


def list_attachments(req: ApiRequest) -> dict[str, Any]:
    inst = _instance(req)
    items = volumes.attached_volumes(inst)
    limit = req.query.get("limit")
    offset = int(req.query.get("offset") or 0)
    items = items[offset : offset + int(limit) if limit else None]
    return {"volumeAttachments": [_view(req, inst["id"], b) for b in items]}


def show_attachment(req: ApiRequest) -> dict[str, Any]:
    inst = _instance(req)
    volume_id = req.path["volume_id"]
    bdm = next((b for b in volumes.attached_volumes(inst) if b["volume_id"] == volume_id), None)
    if bdm is None:
        raise NotFound(f"Instance {inst['id']} is not attached.")
    return {"volumeAttachment": _view(req, inst["id"], bdm)}


def _attach_schema(req: ApiRequest) -> dict[str, Any]:
    key = (req.ctx.mv("2.49"), req.ctx.mv("2.79"))
    schema = _SCHEMAS.get(key)
    if schema is None:
        props: dict[str, Any] = {
            "volumeId": {"type": "string", "format": "uuid"},
            "device": {
                "type": ["string", "null"],
                "pattern": "(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$",
            },
        }
        if key[0]:
            props["tag"] = {"type": "string", "minLength": 1, "maxLength": 60, "pattern": "^[^,/]*$"}
        if key[1]:
            props["delete_on_termination"] = {"type": ["boolean", "string"]}
        schema = _SCHEMAS[key] = {
            "type": "object",
            "properties": {
                "volumeAttachment": {
                    "type": "object",
                    "properties": props,
                    "required": ["volumeId"],
                    "additionalProperties": False,
                }
            },
            "required": ["volumeAttachment"],
            "additionalProperties": False,
        }
    return schema


_SCHEMAS: dict[tuple[bool, bool], dict[str, Any]] = {}


async def attach(req: ApiRequest) -> dict[str, Any]:
    check(_attach_schema(req), req.body)
    body = req.body["volumeAttachment"]
    svc = compute(req)
    inst = _instance(req)
    svc.check_lock(req.ctx, inst)
    svc.check_state(inst, "attach_volume", _allowed_states(req))
    bdm = await volumes.attach_volume(
        svc,
        req.ctx,
        inst,
        body["volumeId"],
        device=body.get("device"),
        tag=body.get("tag"),
        delete_on_termination=str(body.get("delete_on_termination", False)).lower() in ("true", "1", "yes"),
    )
    return {"volumeAttachment": _view(req, inst["id"], bdm)}


_UPDATE = {
    "type": "object",
    "properties": {
        "volumeAttachment": {
            "type": "object",
            "properties": {
                "volumeId": {"type": "string", "format": "uuid"},
                "device": {"type": ["string", "null"]},
                "id": {"type": "string"},
                "serverId": {"type": "string"},
                "tag": {"type": "string"},
                "delete_on_termination": {"type": "boolean"},
            },
            "required": ["volumeId"],
            "additionalProperties": False,
        }
    },
    "required": ["volumeAttachment"],
    "additionalProperties": False,
}


async def update(req: ApiRequest) -> ApiResponse:
    check(_UPDATE, req.body)
    body = req.body["volumeAttachment"]
    svc = compute(req)
    inst = _instance(req)
    old = req.path["volume_id"]
    if body["volumeId"] != old:  # swap volume: an admin action in nova
        if not req.ctx.is_admin:
            raise Forbidden(
                "Policy doesn't allow os_compute_api:os-volumes-attachments:swap to be performed."
            )
        svc.check_state(inst, "swap_volume", ("active", "paused", "resized"))
        bdm = next((b for b in volumes.attached_volumes(inst) if b["volume_id"] == old), None)
        if bdm is None:
            raise NotFound(f"volume_id not found: {old}")
        await volumes.attach_volume(
            svc, req.ctx, inst, body["volumeId"], device=bdm.get("device_name"),
            delete_on_termination=bool(bdm.get("delete_on_termination")),
        )  # fmt: skip
        await volumes.detach_volume(svc, req.ctx, compute(req).get_instance(req.ctx, inst["id"]), old)
        return ApiResponse(None, 202)
    if not req.ctx.mv("2.85"):
        raise BadRequest("The volumeId and the attached volume must differ before microversion 2.85.")
    for key in ("device", "id", "serverId", "tag"):
        if key in body:
            raise BadRequest(f"Invalid input for field/attribute {key}: it can not be updated.")
    volumes.update_attachment(svc, inst, old, body.get("delete_on_termination"))
    return ApiResponse(None, 202)


async def detach(req: ApiRequest) -> ApiResponse:
    svc = compute(req)
    inst = _instance(req)
    svc.check_lock(req.ctx, inst)
    svc.check_state(inst, "detach_volume", _allowed_states(req))
    await volumes.detach_volume(svc, req.ctx, inst, req.path["volume_id"])
    return ApiResponse(None, 202)


def register(api: ServiceApi) -> None:
    route(api, "GET", "/servers/{server_id}/os-volume_attachments", list_attachments)
    route(api, "POST", "/servers/{server_id}/os-volume_attachments", attach)
    route(api, "GET", "/servers/{server_id}/os-volume_attachments/{volume_id}", show_attachment)
    route(api, "PUT", "/servers/{server_id}/os-volume_attachments/{volume_id}", update, status=202)
    route(api, "DELETE", "/servers/{server_id}/os-volume_attachments/{volume_id}", detach, status=202)
