"""``/snapshots``: create, list (summary/detail), show, update, delete, metadata, actions."""

from __future__ import annotations

from typing import Any

from twinstack.core.errors import BadRequest, NotFound
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.core.validation import validate
from twinstack.services.block_storage.api._common import (
    BOOLEAN,
    DESCRIPTION,
    METADATA,
    METADATA_NULL,
    NAME,
    add,
    body,
    list_body,
    query,
    require_admin,
    svc,
)
from twinstack.services.block_storage.listing import apply, parse_list_params
from twinstack.services.block_storage.snapshots import SNAPSHOT_SORT_KEYS
from twinstack.services.block_storage.views import snapshot_view

CREATE = {
    "type": "object",
    "properties": {
        "snapshot": {
            "type": "object",
            "properties": {
                "name": NAME,
                "display_name": NAME,
                "description": DESCRIPTION,
                "display_description": DESCRIPTION,
                "volume_id": {"type": ["string", "null"], "format": "uuid"},
                "force": BOOLEAN,
                "metadata": METADATA_NULL,
            },
            "required": ["volume_id"],
            "additionalProperties": False,
        }
    },
    "required": ["snapshot"],
    "additionalProperties": False,
}
UPDATE = {
    "type": "object",
    "properties": {
        "snapshot": {
            "type": "object",
            "properties": {
                "name": NAME,
                "display_name": NAME,
                "description": DESCRIPTION,
                "display_description": DESCRIPTION,
            },
            "additionalProperties": False,
        }
    },
    "required": ["snapshot"],
    "additionalProperties": False,
}
METADATA_BODY = {
    "type": "object",
    "properties": {"metadata": METADATA},
    "required": ["metadata"],
    "additionalProperties": False,
}


async def create_snapshot(req: ApiRequest) -> ApiResponse:
    s = body(req, "snapshot", CREATE)
    row = await svc(req).create_snapshot(
        req.ctx,
        volume_id=s["volume_id"],
        name=s.get("name", s.get("display_name")),
        description=s.get("description", s.get("display_description")),
        force=s.get("force", False),
        metadata=s.get("metadata"),
    )
    return ApiResponse({"snapshot": snapshot_view(req.ctx, row, detail=False)}, status=202)


def _list(req: ApiRequest, detail: bool) -> dict[str, Any]:
    q = query(req)
    params = parse_list_params(q)
    rows = svc(req).list_snapshot_rows(req.ctx, params.filters)
    total = len(rows)
    rows = apply(rows, params, sort_keys=SNAPSHOT_SORT_KEYS, key_alias={"display_name": "name"})
    items = [snapshot_view(req.ctx, r, detail=detail) for r in rows]
    count = total if req.ctx.mv("3.45") and q.get("with_count") else None
    return list_body(req, "snapshots", items, rows, detail=detail, query=q, limit=params.limit, count=count)


def list_snapshots(req: ApiRequest) -> dict[str, Any]:
    return _list(req, False)


def list_snapshots_detail(req: ApiRequest) -> dict[str, Any]:
    return _list(req, True)


def show_snapshot(req: ApiRequest) -> dict[str, Any]:
    return {"snapshot": snapshot_view(req.ctx, svc(req).get_snapshot(req.ctx, req.path["snapshot_id"]))}


def update_snapshot(req: ApiRequest) -> dict[str, Any]:
    s = body(req, "snapshot", UPDATE)
    if not s:
        raise BadRequest("Must specify name or description.")
    changes: dict[str, Any] = {}
    if "name" in s or "display_name" in s:
        changes["name"] = s.get("name", s.get("display_name"))
    if "description" in s or "display_description" in s:
        changes["description"] = s.get("description", s.get("display_description"))
    row = svc(req).update_snapshot(req.ctx, req.path["snapshot_id"], changes)
    return {"snapshot": snapshot_view(req.ctx, row, detail=False)}


async def delete_snapshot(req: ApiRequest) -> ApiResponse:
    await svc(req).delete_snapshot(req.ctx, req.path["snapshot_id"])
    return ApiResponse(None, status=202)


async def snapshot_action(req: ApiRequest) -> ApiResponse:
    data = req.body
    if not isinstance(data, dict) or len(data) != 1:
        raise BadRequest("Malformed request body")
    name, arg = next(iter(data.items()))
    sid = req.path["snapshot_id"]
    service = svc(req)
    if name == "os-reset_status":
        require_admin(req, "volume_extension:snapshot_admin_actions:reset_status")
        service.reset_snapshot_status(req.ctx, sid, (arg or {}).get("status"))
    elif name == "os-force_delete":
        require_admin(req, "volume_extension:snapshot_admin_actions:force_delete")
        await service.delete_snapshot(req.ctx, sid, force=True)
    elif name == "os-update_snapshot_status":
        arg = arg or {}
        status = arg.get("status")
        current = service.get_snapshot(req.ctx, sid)["status"]
        allowed = {"creating": ("available", "error"), "deleting": ("error_deleting",)}
        if status not in allowed.get(current, ()):
            raise BadRequest(
                f"Provided snapshot status {status} not allowed for snapshot with status {current}."
            )
        service.reset_snapshot_status(req.ctx, sid, status, progress=arg.get("progress"))
    elif name == "os-unmanage":
        require_admin(req, "snapshot_extension:snapshot_unmanage")
        await service.delete_snapshot(req.ctx, sid, force=True)
    else:
        raise BadRequest(f"There is no such action: {name}")
    return ApiResponse(None, status=202)


# metadata
def get_metadata(req: ApiRequest) -> dict[str, Any]:
    return {"metadata": svc(req).snapshot_metadata(req.ctx, req.path["snapshot_id"])}


def create_metadata(req: ApiRequest) -> dict[str, Any]:
    validate(METADATA_BODY, req.body, style="nova")
    return {
        "metadata": svc(req).set_snapshot_metadata(
            req.ctx, req.path["snapshot_id"], req.body["metadata"], replace=False
        )
    }


def replace_metadata(req: ApiRequest) -> dict[str, Any]:
    validate(METADATA_BODY, req.body, style="nova")
    return {
        "metadata": svc(req).set_snapshot_metadata(
            req.ctx, req.path["snapshot_id"], req.body["metadata"], replace=True
        )
    }


def get_metadata_item(req: ApiRequest) -> dict[str, Any]:
    meta = svc(req).snapshot_metadata(req.ctx, req.path["snapshot_id"])
    key = req.path["key"]
    if key not in meta:
        raise NotFound(f"Snapshot {req.path['snapshot_id']} has no metadata with key {key}.")
    return {"meta": {key: meta[key]}}


def update_metadata_item(req: ApiRequest) -> dict[str, Any]:
    validate(
        {"type": "object", "properties": {"meta": METADATA}, "required": ["meta"]}, req.body, style="nova"
    )
    item = req.body["meta"]
    key = req.path["key"]
    if key not in item:
        raise BadRequest("Request body and URI mismatch")
    if len(item) > 1:
        raise BadRequest("Request body contains too many items")
    svc(req).set_snapshot_metadata(req.ctx, req.path["snapshot_id"], {key: item[key]}, replace=False)
    return {"meta": {key: item[key]}}


def delete_metadata_item(req: ApiRequest) -> None:
    svc(req).delete_snapshot_metadata_key(req.ctx, req.path["snapshot_id"], req.path["key"])


def register(api: ServiceApi) -> None:
    add(api, "POST", "/snapshots", create_snapshot, status=202)
    add(api, "GET", "/snapshots", list_snapshots)
    add(api, "GET", "/snapshots/detail", list_snapshots_detail)
    add(api, "GET", "/snapshots/{snapshot_id}", show_snapshot)
    add(api, "PUT", "/snapshots/{snapshot_id}", update_snapshot)
    add(api, "DELETE", "/snapshots/{snapshot_id}", delete_snapshot, status=202)
    add(api, "POST", "/snapshots/{snapshot_id}/action", snapshot_action, status=202)
    add(api, "GET", "/snapshots/{snapshot_id}/metadata", get_metadata)
    add(api, "POST", "/snapshots/{snapshot_id}/metadata", create_metadata)
    add(api, "PUT", "/snapshots/{snapshot_id}/metadata", replace_metadata)
    add(api, "GET", "/snapshots/{snapshot_id}/metadata/{key}", get_metadata_item)
    add(api, "PUT", "/snapshots/{snapshot_id}/metadata/{key}", update_metadata_item)
    add(api, "DELETE", "/snapshots/{snapshot_id}/metadata/{key}", delete_metadata_item)
