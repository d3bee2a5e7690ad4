"""``/attachments`` (3.27+; ``os-complete`` 3.44+): the attach flow nova drives."""

from __future__ import annotations

from typing import Any

from twinstack.core.errors import BadRequest
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.block_storage.api._common import add, body, query, svc
from twinstack.services.block_storage.listing import apply, parse_list_params
from twinstack.services.block_storage.views import attachment_detail, attachment_summary

CREATE = {
    "type": "object",
    "properties": {
        "attachment": {
            "type": "object",
            "properties": {
                "instance_uuid": {"oneOf": [{"type": "null"}, {"type": "string", "format": "uuid"}]},
                "connector": {"type": ["object", "null"]},
                "volume_uuid": {"type": "string", "format": "uuid"},
                "mode": {"type": "string", "enum": ["rw", "ro"]},
            },
            "required": ["volume_uuid"],
            "additionalProperties": False,
        }
    },
    "required": ["attachment"],
    "additionalProperties": False,
}
UPDATE = {
    "type": "object",
    "properties": {
        "attachment": {
            "type": "object",
            "properties": {"connector": {"type": "object"}},
            "required": ["connector"],
            "additionalProperties": False,
        }
    },
    "required": ["attachment"],
    "additionalProperties": False,
}


async def create_attachment(req: ApiRequest) -> dict[str, Any]:
    a = body(req, "attachment", CREATE)
    if "mode" in a and not req.ctx.mv("3.54"):
        raise BadRequest(
            "Invalid input for field/attribute attachment. Additional properties are not allowed "
            "('mode' was unexpected)"
        )
    row = await svc(req).attachment_create_async(
        req.ctx, a["volume_uuid"], a.get("instance_uuid"), a.get("connector"), a.get("mode", "null")
    )
    return {"attachment": attachment_detail(row)}


def _list(req: ApiRequest, detail: bool) -> dict[str, Any]:
    q = query(req)
    params = parse_list_params(q)
    rows = apply(
        svc(req).list_attachments(req.ctx, params.filters),
        params,
        sort_keys={"id", "created_at", "volume_id", "instance_uuid", "attach_status"},
    )
    view = attachment_detail if detail else attachment_summary
    return {"attachments": [view(r) for r in rows]}


def list_attachments(req: ApiRequest) -> dict[str, Any]:
    return _list(req, False)


def list_attachments_detail(req: ApiRequest) -> dict[str, Any]:
    return _list(req, True)


def show_attachment(req: ApiRequest) -> dict[str, Any]:
    return {"attachment": attachment_detail(svc(req).get_attachment(req.ctx, req.path["attachment_id"]))}


async def update_attachment(req: ApiRequest) -> dict[str, Any]:
    a = body(req, "attachment", UPDATE)
    row = await svc(req).attachment_update(req.ctx, req.path["attachment_id"], a["connector"])
    return {"attachment": attachment_detail(row)}


async def delete_attachment(req: ApiRequest) -> dict[str, Any]:
    left = await svc(req).attachment_delete(req.ctx, req.path["attachment_id"])
    return {"attachments": [attachment_summary(a) for a in left]}


def attachment_action(req: ApiRequest) -> ApiResponse:
    data = req.body
    if not isinstance(data, dict) or "os-complete" not in data:
        raise BadRequest("There is no such action")
    if not req.ctx.mv("3.44"):
        raise BadRequest("There is no such action: os-complete")
    svc(req).attachment_complete(req.ctx, req.path["attachment_id"])
    return ApiResponse(None, status=204)


def register(api: ServiceApi) -> None:
    add(api, "POST", "/attachments", create_attachment, min_version="3.27")
    add(api, "GET", "/attachments", list_attachments, min_version="3.27")
    add(api, "GET", "/attachments/detail", list_attachments_detail, min_version="3.27")
    add(api, "GET", "/attachments/{attachment_id}", show_attachment, min_version="3.27")
    add(api, "PUT", "/attachments/{attachment_id}", update_attachment, min_version="3.27")
    add(api, "DELETE", "/attachments/{attachment_id}", delete_attachment, min_version="3.27")
    add(api, "POST", "/attachments/{attachment_id}/action", attachment_action, status=204, min_version="3.27")
