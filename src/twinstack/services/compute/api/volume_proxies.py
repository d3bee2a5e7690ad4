"""Nova's volume proxy APIs over the block storage service (cinder), until microversion 2.35:
``os-volumes`` (list, detail, show, create, delete), ``os-snapshots`` (the same) and the
admin/service ``os-assisted-volume-snapshots`` (create/delete, answered for an attached volume).

Views are nova's camelCase translations of cinder's (``displayName``, ``availabilityZone``,
``attachments`` as ``[{}]`` when detached...); cinder's refusals come back in nova's shape.
Lists page with nova's ``limit``/``offset`` (``common.limited``).
"""

from __future__ import annotations

import json
from typing import Any

from twinstack.core.errors import ApiError, BadRequest, Forbidden, NotFound
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.compute import volumes
from twinstack.services.compute.api import api_url, check, compute, route, until

PROXY_MAX = "2.35"
MAX_LIMIT = 1000
_BOOLEAN = {
    "type": ["boolean", "string"],
    "enum": [True, "True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes",
             False, "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no"],
}  # fmt: skip
CREATE_VOLUME = {
    "type": "object",
    "properties": {
        "volume": {
            "type": "object",
            "properties": {
                "volume_type": {"type": "string"},
                "metadata": {"type": "object"},
                "snapshot_id": {"type": "string"},
                "size": {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 1},
                "availability_zone": {"type": "string"},
                "display_name": {"type": "string"},
                "display_description": {"type": "string"},
            },
            "required": ["size"],
            "additionalProperties": False,
        }
    },
    "required": ["volume"],
    "additionalProperties": False,
}
CREATE_SNAPSHOT = {
    "type": "object",
    "properties": {
        "snapshot": {
            "type": "object",
            "properties": {
                "volume_id": {"type": "string"},
                "force": _BOOLEAN,
                "display_name": {"type": "string"},
                "display_description": {"type": "string"},
            },
            "required": ["volume_id"],
            "additionalProperties": False,
        }
    },
    "required": ["snapshot"],
    "additionalProperties": False,
}
CREATE_ASSISTED = {
    "type": "object",
    "properties": {
        "snapshot": {
            "type": "object",
            "properties": {
                "volume_id": {"type": "string", "minLength": 1},
                "create_info": {
                    "type": "object",
                    "properties": {
                        "snapshot_id": {"type": "string", "minLength": 1},
                        "type": {"type": "string", "enum": ["qcow2"]},
                        "new_file": {"type": "string", "minLength": 1},
                        "id": {"type": "string", "minLength": 1},
                    },
                    "required": ["snapshot_id", "type", "new_file"],
                    "additionalProperties": False,
                },
            },
            "required": ["volume_id", "create_info"],
            "additionalProperties": False,
        }
    },
    "required": ["snapshot"],
    "additionalProperties": False,
}


def _storage(req: ApiRequest) -> Any:
    return req.cloud.service("block_storage")


def _limited(req: ApiRequest, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """nova's ``common.limited``: ``offset`` and ``limit`` (at most 1000) from the query."""
    values = {}
    for name in ("offset", "limit"):
        raw = req.query.get(name)
        if raw is None:
            continue
        try:
            values[name] = int(raw)
        except ValueError:
            raise BadRequest(f"{name} param must be an integer") from None
        if values[name] < 0:
            raise BadRequest(f"{name} param must be positive")
    offset = values.get("offset", 0)
    limit = min(MAX_LIMIT, values.get("limit") or MAX_LIMIT)
    return items[offset : offset + limit]


# views -------------------------------------------------------------------------------------------
def volume_view(vol: dict[str, Any]) -> dict[str, Any]:
    """nova's ``_translate_volume_summary_view`` of a cinder v3 volume view."""
    attachments: list[dict[str, Any]] = [{}]
    live = vol.get("attachments") or []
    if live:
        first = live[0]
        attachment = {"id": vol["id"], "volumeId": vol["id"], "serverId": first.get("server_id")}
        if first.get("device"):
            attachment["device"] = first["device"]
        attachments = [attachment]
    return {
        "id": vol["id"],
        "status": vol["status"],
        "size": vol["size"],
        "availabilityZone": vol["availability_zone"],
        "createdAt": vol["created_at"],
        "attachments": attachments,
        "displayName": vol.get("name"),
        "displayDescription": vol.get("description"),
        "volumeType": vol.get("volume_type"),
        "snapshotId": vol.get("snapshot_id"),
        "metadata": dict(vol.get("metadata") or {}),
    }


def snapshot_view(snap: dict[str, Any]) -> dict[str, Any]:
    """nova's ``_translate_snapshot_summary_view`` of a cinder snapshot record."""
    from twinstack.services.block_storage.views import ts

    created = snap.get("created_at")
    return {
        "id": snap["id"],
        "volumeId": snap["volume_id"],
        "status": snap["status"],
        "size": snap["size"],
        "createdAt": created if isinstance(created, str) else ts(created),
        "displayName": snap.get("name"),
        "displayDescription": snap.get("description"),
    }


def _over_quota(exc: ApiError) -> ApiError:
    """cinder's 413 over-quota is nova's 403 (OverQuota); other refusals keep their status."""
    return Forbidden(exc.message) if exc.status == 413 else exc


def _no_empty_id(req: ApiRequest) -> None:
    """``/os-volumes/`` (an empty id) is no route in nova: 404, not the collection."""
    if req.request.url.path.endswith("/"):
        raise NotFound("The resource could not be found.")


def without_id(req: ApiRequest) -> None:
    until(req, PROXY_MAX)
    raise NotFound("The resource could not be found.")


# os-volumes --------------------------------------------------------------------------------------
def list_volumes(req: ApiRequest) -> dict[str, Any]:
    until(req, PROXY_MAX)
    _no_empty_id(req)
    storage = _storage(req)
    rows = storage.list_volume_rows(req.ctx, {})
    rows.sort(key=lambda r: (r["created_at"], r["id"]), reverse=True)  # cinder's default order
    rows = _limited(req, rows)
    with req.cloud.db.begin() as conn:
        rendered = storage.render_volumes(conn, req.ctx, rows)
    return {"volumes": [volume_view(v) for v in rendered]}


def show_volume(req: ApiRequest) -> dict[str, Any]:
    until(req, PROXY_MAX)
    return {"volume": volume_view(_storage(req).get_volume(req.ctx, req.path["volume_id"]))}


async def create_volume(req: ApiRequest) -> ApiResponse:
    until(req, PROXY_MAX)
    check(CREATE_VOLUME, req.body)
    body = req.body["volume"]
    storage = _storage(req)
    snapshot_id = body.get("snapshot_id")
    if snapshot_id is not None:
        storage.get_snapshot(req.ctx, snapshot_id)  # cinder's 404 "Snapshot ... could not be found."
    try:
        created = await storage.create_volume(
            req.ctx,
            size=int(body["size"]),
            name=body.get("display_name"),
            description=body.get("display_description"),
            snapshot_id=snapshot_id,
            volume_type=body.get("volume_type"),
            availability_zone=body.get("availability_zone"),
            metadata=body.get("metadata"),
        )
    except ApiError as exc:
        raise _over_quota(exc) from None
    location = api_url(req, f"/os-volumes/{created['id']}")
    return ApiResponse({"volume": volume_view(created)}, 200, headers={"Location": location})


async def delete_volume(req: ApiRequest) -> ApiResponse:
    until(req, PROXY_MAX)
    await _storage(req).delete_volume(req.ctx, req.path["volume_id"])
    return ApiResponse(None, 202)


# os-snapshots ------------------------------------------------------------------------------------
def list_snapshots(req: ApiRequest) -> dict[str, Any]:
    until(req, PROXY_MAX)
    _no_empty_id(req)
    rows = _storage(req).list_snapshot_rows(req.ctx, {})
    rows.sort(key=lambda r: (r["created_at"], r["id"]), reverse=True)
    return {"snapshots": [snapshot_view(s) for s in _limited(req, rows)]}


def show_snapshot(req: ApiRequest) -> dict[str, Any]:
    until(req, PROXY_MAX)
    return {"snapshot": snapshot_view(_storage(req).get_snapshot(req.ctx, req.path["snapshot_id"]))}


async def create_snapshot(req: ApiRequest) -> dict[str, Any]:
    until(req, PROXY_MAX)
    check(CREATE_SNAPSHOT, req.body)
    body = req.body["snapshot"]
    force = str(body.get("force", False)).lower() in ("true", "1", "on", "yes")
    try:
        created = await _storage(req).create_snapshot(
            req.ctx,
            volume_id=body["volume_id"],
            name=body.get("display_name"),
            description=body.get("display_description"),
            force=force,
        )
    except ApiError as exc:
        raise _over_quota(exc) from None
    return {"snapshot": snapshot_view(created)}


async def delete_snapshot(req: ApiRequest) -> ApiResponse:
    until(req, PROXY_MAX)
    await _storage(req).delete_snapshot(req.ctx, req.path["snapshot_id"])
    return ApiResponse(None, 202)


# os-assisted-volume-snapshots --------------------------------------------------------------------
def _assisted_allowed(req: ApiRequest, action: str) -> None:
    if not (req.ctx.is_admin or "service" in req.ctx.roles):
        raise Forbidden(
            f"Policy doesn't allow os_compute_api:os-assisted-volume-snapshots:{action} to be performed."
        )


def _attached_server(req: ApiRequest, volume_id: str) -> dict[str, Any]:
    """The instance whose block device mapping holds ``volume_id`` (nova's VolumeBDMNotFound: 400)."""
    svc = compute(req)
    for attachment in _attachments_of(req, volume_id):
        inst = svc.store.get(attachment)
        if inst is not None and any(b.get("volume_id") == volume_id for b in volumes.attached_volumes(inst)):
            return inst
    raise BadRequest(f"No volume Block Device Mapping with id {volume_id}.")


def _attachments_of(req: ApiRequest, volume_id: str) -> list[str]:
    try:
        volume = _storage(req).get_volume(req.ctx, volume_id)
    except NotFound:
        return []
    return [a["server_id"] for a in volume.get("attachments") or [] if a.get("server_id")]


def create_assisted_snapshot(req: ApiRequest) -> dict[str, Any]:
    _assisted_allowed(req, "create")
    check(CREATE_ASSISTED, req.body)
    body = req.body["snapshot"]
    inst = _attached_server(req, body["volume_id"])
    if not inst.get("host"):
        raise BadRequest(f"Instance {inst['id']} is not ready")
    if inst.get("task_state") is not None:
        raise BadRequest(
            f"Instance {inst['id']} in task_state {inst['task_state']}. Cannot volume_snapshot_create "
            "while the instance is in this state."
        )
    # The fake hypervisor has no qcow2 chain to extend: the snapshot is accepted and done.
    return {"snapshot": {"id": body["create_info"].get("id"), "volumeId": body["volume_id"]}}


def delete_assisted_snapshot(req: ApiRequest) -> ApiResponse:
    _assisted_allowed(req, "delete")
    raw = req.query.get("delete_info")
    if raw is None:
        raise BadRequest("'delete_info'")
    try:
        info = json.loads(raw)
        volume_id = info["volume_id"]
    except (ValueError, TypeError, KeyError) as exc:
        raise BadRequest(str(exc)) from None
    _attached_server(req, str(volume_id))
    return ApiResponse(None, 204)


def register(api: ServiceApi) -> None:
    route(api, "GET", "/os-volumes", list_volumes)
    route(api, "GET", "/os-volumes/detail", list_volumes)
    route(api, "POST", "/os-volumes", create_volume)
    route(api, "DELETE", "/os-volumes", without_id)
    route(api, "GET", "/os-volumes/{volume_id}", show_volume)
    route(api, "DELETE", "/os-volumes/{volume_id}", delete_volume, status=202)
    route(api, "GET", "/os-snapshots", list_snapshots)
    route(api, "GET", "/os-snapshots/detail", list_snapshots)
    route(api, "POST", "/os-snapshots", create_snapshot)
    route(api, "DELETE", "/os-snapshots", without_id)
    route(api, "GET", "/os-snapshots/{snapshot_id}", show_snapshot)
    route(api, "DELETE", "/os-snapshots/{snapshot_id}", delete_snapshot, status=202)
    route(api, "POST", "/os-assisted-volume-snapshots", create_assisted_snapshot)
    route(api, "DELETE", "/os-assisted-volume-snapshots/{snapshot_id}", delete_assisted_snapshot, status=204)
