"""``/backups``: create, list, show, update (3.9), delete, restore, admin actions."""

from __future__ import annotations

from typing import Any

from twinstack.core.errors import BadRequest
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.block_storage.api._common import (
    BOOLEAN,
    DESCRIPTION,
    METADATA_NULL,
    NAME,
    UUID_OR_NULL,
    add,
    body,
    list_body,
    query,
    require_admin,
    svc,
)
from twinstack.services.block_storage.backups import BACKUP_SORT_KEYS
from twinstack.services.block_storage.common import parse_bool
from twinstack.services.block_storage.listing import apply, parse_list_params
from twinstack.services.block_storage.views import backup_detail, backup_summary

CREATE = {
    "type": "object",
    "properties": {
        "backup": {
            "type": "object",
            "properties": {
                "volume_id": {"type": "string", "format": "uuid"},
                "container": {"type": ["string", "null"]},
                "description": DESCRIPTION,
                "name": NAME,
                "incremental": BOOLEAN,
                "force": BOOLEAN,
                "snapshot_id": UUID_OR_NULL,
                "metadata": METADATA_NULL,
                "availability_zone": {"type": ["string", "null"]},
            },
            "required": ["volume_id"],
            "additionalProperties": False,
        }
    },
    "required": ["backup"],
    "additionalProperties": False,
}


async def create_backup(req: ApiRequest) -> ApiResponse:
    b = body(req, "backup", CREATE)
    row = await svc(req).create_backup(
        req.ctx,
        volume_id=b["volume_id"],
        name=b.get("name"),
        description=b.get("description"),
        incremental=parse_bool(b.get("incremental", False), "incremental"),
        force=parse_bool(b.get("force", False), "force"),
        snapshot_id=b.get("snapshot_id"),
        container=b.get("container"),
        metadata=b.get("metadata"),
        availability_zone=b.get("availability_zone"),
    )
    view = backup_summary(req.cloud.base_url, row)
    if req.ctx.mv("3.43"):
        view["metadata"] = dict(row["metadata"] or {})
    return ApiResponse({"backup": view}, status=202)


def _list(req: ApiRequest, detail: bool) -> dict[str, Any]:
    q = query(req)
    params = parse_list_params(q)
    rows = svc(req).list_backup_rows(req.ctx, params.filters)
    total = len(rows)
    rows = apply(rows, params, sort_keys=BACKUP_SORT_KEYS, key_alias={"display_name": "name"})
    if detail:
        items = [backup_detail(req.ctx, req.cloud.base_url, r) for r in rows]
    else:
        items = [backup_summary(req.cloud.base_url, r) for r in rows]
    count = total if req.ctx.mv("3.45") and q.get("with_count") else None
    return list_body(req, "backups", items, rows, detail=detail, query=q, limit=params.limit, count=count)


def list_backups(req: ApiRequest) -> dict[str, Any]:
    return _list(req, False)


def list_backups_detail(req: ApiRequest) -> dict[str, Any]:
    return _list(req, True)


def show_backup(req: ApiRequest) -> dict[str, Any]:
    return {
        "backup": backup_detail(
            req.ctx, req.cloud.base_url, svc(req).get_backup(req.ctx, req.path["backup_id"])
        )
    }


def update_backup(req: ApiRequest) -> dict[str, Any]:
    b = body(req, "backup")
    allowed = {"name", "description"} | ({"metadata"} if req.ctx.mv("3.43") else set())
    unknown = set(b) - allowed
    if unknown:
        raise BadRequest(
            f"Invalid input for field/attribute backup. Additional properties are not allowed "
            f"({', '.join(sorted(unknown))} were unexpected)"
        )
    row = svc(req).update_backup(req.ctx, req.path["backup_id"], b)
    view = backup_summary(req.cloud.base_url, row)
    if req.ctx.mv("3.43"):
        view["metadata"] = dict(row["metadata"] or {})
    return {"backup": view}


async def delete_backup(req: ApiRequest) -> ApiResponse:
    await svc(req).delete_backup(req.ctx, req.path["backup_id"])
    return ApiResponse(None, status=202)


async def restore_backup(req: ApiRequest) -> ApiResponse:
    data = req.body if isinstance(req.body, dict) else {}
    restore = data.get("restore")
    if not isinstance(restore, dict):
        raise BadRequest("Missing required element 'restore' in request body.")
    result = await svc(req).restore_backup(
        req.ctx, req.path["backup_id"], restore.get("volume_id"), restore.get("name")
    )
    return ApiResponse({"restore": result}, status=202)


async def backup_action(req: ApiRequest) -> ApiResponse:
    data = req.body
    if not isinstance(data, dict) or len(data) != 1:
        raise BadRequest("Malformed request body")
    name, arg = next(iter(data.items()))
    bid = req.path["backup_id"]
    if name == "os-reset_status":
        require_admin(req, "volume_extension:backup_admin_actions:reset_status")
        svc(req).reset_backup_status(req.ctx, bid, (arg or {}).get("status"))
    elif name == "os-force_delete":
        require_admin(req, "volume_extension:backup_admin_actions:force_delete")
        await svc(req).delete_backup(req.ctx, bid, force=True)
    else:
        raise BadRequest(f"There is no such action: {name}")
    return ApiResponse(None, status=202)


def register(api: ServiceApi) -> None:
    add(api, "POST", "/backups", create_backup, status=202)
    add(api, "GET", "/backups", list_backups)
    add(api, "GET", "/backups/detail", list_backups_detail)
    add(api, "GET", "/backups/{backup_id}", show_backup)
    add(api, "PUT", "/backups/{backup_id}", update_backup, min_version="3.9")
    add(api, "DELETE", "/backups/{backup_id}", delete_backup, status=202)
    add(api, "POST", "/backups/{backup_id}/restore", restore_backup, status=202)
    add(api, "POST", "/backups/{backup_id}/action", backup_action, status=202)
