"""``/volumes``: create, list (summary/detail), show, update, delete, summary, metadata."""

from __future__ import annotations

import copy
from typing import Any

from twinstack.core.errors import BadRequest
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.core.validation import validate
from twinstack.services.block_storage.api._common import (
    DESCRIPTION,
    METADATA,
    METADATA_NULL,
    NAME,
    SIZE,
    UUID_OR_NULL,
    add,
    body,
    list_body,
    query,
    svc,
)
from twinstack.services.block_storage.common import parse_bool
from twinstack.services.block_storage.listing import apply, parse_list_params
from twinstack.services.block_storage.views import volume_summary
from twinstack.services.block_storage.volumes import VOLUME_SORT_KEYS

CREATE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "volume": {
            "type": "object",
            "properties": {
                "name": NAME,
                "description": DESCRIPTION,
                "display_name": NAME,
                "display_description": DESCRIPTION,
                "volume_type": {"type": ["string", "null"], "maxLength": 255},
                "metadata": METADATA_NULL,
                "snapshot_id": UUID_OR_NULL,
                "source_volid": UUID_OR_NULL,
                "consistencygroup_id": UUID_OR_NULL,
                "size": {**SIZE, "type": ["integer", "string", "null"]},
                "availability_zone": {"type": ["string", "null"], "maxLength": 255},
                "multiattach": {"type": ["boolean", "string", "null"]},
                "image_id": {"type": ["string", "null"], "maxLength": 255},
                "imageRef": {"type": ["string", "null"], "maxLength": 255},
                "group_id": {"type": ["string", "null"], "maxLength": 255},
                "backup_id": UUID_OR_NULL,
            },
            "additionalProperties": True,
        },
        "OS-SCH-HNT:scheduler_hints": {"type": ["object", "null"]},
    },
    "required": ["volume"],
    "additionalProperties": False,
}
CREATE_353 = copy.deepcopy(CREATE)
CREATE_353["properties"]["volume"]["additionalProperties"] = False

UPDATE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "volume": {
            "type": "object",
            "properties": {
                "name": NAME,
                "description": DESCRIPTION,
                "display_name": NAME,
                "display_description": DESCRIPTION,
                "metadata": METADATA,
            },
            "additionalProperties": False,
        }
    },
    "required": ["volume"],
    "additionalProperties": False,
}
UPDATE_353 = copy.deepcopy(UPDATE)
UPDATE_353["properties"]["volume"]["anyOf"] = [
    {"required": [k]} for k in ("name", "description", "display_name", "display_description", "metadata")
]

METADATA_BODY = {
    "type": "object",
    "properties": {"metadata": METADATA},
    "required": ["metadata"],
    "additionalProperties": False,
}
META_ITEM_BODY = {
    "type": "object",
    "properties": {"meta": {**METADATA, "minProperties": 1, "maxProperties": 1}},
    "required": ["meta"],
    "additionalProperties": False,
}


async def create_volume(req: ApiRequest) -> ApiResponse:
    ctx = req.ctx
    v = body(req, "volume", CREATE_353 if ctx.mv("3.53") else CREATE)
    if v.get("multiattach") not in (None, False, "false", "False"):
        raise BadRequest(
            "multiattach parameter has been removed. The default behavior is to use multiattach "
            "enabled volume types. Contact your administrator to create a multiattach enabled volume "
            "type and use it to create multiattach volumes."
        )
    if v.get("consistencygroup_id"):
        raise BadRequest("Consistency groups are not supported by twinstack.")
    view = await svc(req).create_volume(
        ctx,
        size=v.get("size"),
        name=v.get("name", v.get("display_name")),
        description=v.get("description", v.get("display_description")),
        image_id=v.get("imageRef") or v.get("image_id") or None,
        snapshot_id=v.get("snapshot_id"),
        source_volid=v.get("source_volid"),
        backup_id=v.get("backup_id") if ctx.mv("3.47") else None,
        volume_type=v.get("volume_type") or None,
        availability_zone=v.get("availability_zone") or None,
        metadata=v.get("metadata"),
    )
    return ApiResponse({"volume": view}, status=202)


def _list(req: ApiRequest, detail: bool) -> dict[str, Any]:
    ctx = req.ctx
    q = query(req)
    params = parse_list_params(q)
    service = svc(req)
    rows = service.list_volume_rows(ctx, params.filters)
    total = len(rows)
    rows = apply(
        rows,
        params,
        sort_keys=VOLUME_SORT_KEYS,
        key_alias={"display_name": "name", "volume_type": "volume_type_id"},
    )
    if detail:
        with req.cloud.db.begin() as conn:
            items = service.render_volumes(conn, ctx, rows)
    else:
        items = [volume_summary(req.cloud.base_url, r) for r in rows]
    wanted = ctx.mv("3.45") and q.get("with_count") and parse_bool(q["with_count"], "with_count")
    count = total if wanted else None
    return list_body(req, "volumes", items, rows, detail=detail, query=q, limit=params.limit, count=count)


def list_volumes(req: ApiRequest) -> dict[str, Any]:
    return _list(req, detail=False)


def list_volumes_detail(req: ApiRequest) -> dict[str, Any]:
    return _list(req, detail=True)


def show_volume(req: ApiRequest) -> dict[str, Any]:
    return {"volume": svc(req).get_volume(req.ctx, req.path["volume_id"])}


def update_volume(req: ApiRequest) -> dict[str, Any]:
    v = body(req, "volume", UPDATE_353 if req.ctx.mv("3.53") else UPDATE)
    changes: dict[str, Any] = {}
    if "name" in v or "display_name" in v:
        changes["name"] = v.get("name", v.get("display_name"))
    if "description" in v or "display_description" in v:
        changes["description"] = v.get("description", v.get("display_description"))
    if "metadata" in v:
        changes["metadata"] = v["metadata"]
    return {"volume": svc(req).update_volume(req.ctx, req.path["volume_id"], changes)}


async def delete_volume(req: ApiRequest) -> ApiResponse:
    q = query(req)
    cascade = parse_bool(q.get("cascade", "false"), "cascade")
    force = parse_bool(q.get("force", "false"), "force") if req.ctx.mv("3.23") else False
    if force and not req.ctx.is_admin:
        from twinstack.core.errors import Forbidden

        raise Forbidden("Policy doesn't allow volume:force_delete to be performed.")
    await svc(req).delete_volume(req.ctx, req.path["volume_id"], force=force, cascade=cascade)
    return ApiResponse(None, status=202)


def volume_summary_view(req: ApiRequest) -> dict[str, Any]:
    rows = svc(req).list_volume_rows(req.ctx, query(req))
    out: dict[str, Any] = {"total_count": len(rows), "total_size": sum(r["size"] for r in rows)}
    if req.ctx.mv("3.36"):
        meta: dict[str, list[str]] = {}
        for r in rows:
            for k, v in (r["metadata"] or {}).items():
                if v not in meta.setdefault(k, []):
                    meta[k].append(v)
        out["metadata"] = meta
    return {"volume-summary": out}


# metadata
def get_metadata(req: ApiRequest) -> dict[str, Any]:
    return {"metadata": svc(req).volume_metadata(req.ctx, req.path["volume_id"])}


def create_metadata(req: ApiRequest) -> dict[str, Any]:
    validate(METADATA_BODY, req.body, style="nova")
    meta = svc(req).set_volume_metadata(req.ctx, req.path["volume_id"], req.body["metadata"], replace=False)
    return {"metadata": meta}


def replace_metadata(req: ApiRequest) -> dict[str, Any]:
    validate(METADATA_BODY, req.body, style="nova")
    meta = svc(req).set_volume_metadata(req.ctx, req.path["volume_id"], req.body["metadata"], replace=True)
    return {"metadata": meta}


def get_metadata_item(req: ApiRequest) -> dict[str, Any]:
    key = req.path["key"]
    meta = svc(req).volume_metadata(req.ctx, req.path["volume_id"])
    if key not in meta:
        from twinstack.core.errors import NotFound

        raise NotFound(f"Volume {req.path['volume_id']} has no metadata with key {key}.")
    return {"meta": {key: meta[key]}}


def update_metadata_item(req: ApiRequest) -> dict[str, Any]:
    validate(META_ITEM_BODY, req.body, style="nova")
    item = req.body["meta"]
    key = req.path["key"]
    if key not in item:
        raise BadRequest("Request body and URI mismatch")
    svc(req).set_volume_metadata(req.ctx, req.path["volume_id"], {key: item[key]}, replace=False)
    return {"meta": {key: item[key]}}


def delete_metadata_item(req: ApiRequest) -> None:
    svc(req).delete_volume_metadata_key(req.ctx, req.path["volume_id"], req.path["key"])


def no_such_route(req: ApiRequest) -> None:
    """cinder's router has no ``PUT``/``DELETE /volumes``: a missing id is a 404, not a 405."""
    from twinstack.core.errors import NotFound

    raise NotFound("The resource could not be found.")


def register(api: ServiceApi) -> None:
    add(api, "POST", "/volumes", create_volume, status=202)
    add(api, "PUT", "/volumes", no_such_route)
    add(api, "DELETE", "/volumes", no_such_route)
    add(api, "GET", "/volumes", list_volumes)
    add(api, "GET", "/volumes/detail", list_volumes_detail)
    add(api, "GET", "/volumes/summary", volume_summary_view, min_version="3.12")
    add(api, "GET", "/volumes/{volume_id}", show_volume)
    add(api, "PUT", "/volumes/{volume_id}", update_volume)
    add(api, "DELETE", "/volumes/{volume_id}", delete_volume, status=202)
    add(api, "GET", "/volumes/{volume_id}/metadata", get_metadata)
    add(api, "POST", "/volumes/{volume_id}/metadata", create_metadata)
    add(api, "PUT", "/volumes/{volume_id}/metadata", replace_metadata)
    add(api, "GET", "/volumes/{volume_id}/metadata/{key}", get_metadata_item)
    add(api, "PUT", "/volumes/{volume_id}/metadata/{key}", update_metadata_item)
    add(api, "DELETE", "/volumes/{volume_id}/metadata/{key}", delete_metadata_item)
