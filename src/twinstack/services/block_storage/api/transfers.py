"""``/os-volume-transfer`` (and ``/volume-transfers`` from 3.55): offer, accept, cancel."""

from __future__ import annotations

from typing import Any

from twinstack.core.errors import BadRequest
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.block_storage.api._common import BOOLEAN, NAME, add, body, query, svc
from twinstack.services.block_storage.common import parse_bool
from twinstack.services.block_storage.listing import apply, parse_list_params
from twinstack.services.block_storage.views import transfer_view

CREATE = {
    "type": "object",
    "properties": {
        "transfer": {
            "type": "object",
            "properties": {
                "volume_id": {"type": "string", "format": "uuid"},
                "name": NAME,
                "no_snapshots": BOOLEAN,
            },
            "required": ["volume_id"],
            "additionalProperties": False,
        }
    },
    "required": ["transfer"],
    "additionalProperties": False,
}


def create_transfer(req: ApiRequest) -> ApiResponse:
    t = body(req, "transfer", CREATE)
    no_snapshots = parse_bool(t.get("no_snapshots", False), "no_snapshots") if req.ctx.mv("3.55") else False
    row, key = svc(req).create_transfer(req.ctx, t["volume_id"], t.get("name"), no_snapshots)
    return ApiResponse(
        {"transfer": transfer_view(req.ctx, req.cloud.base_url, row, auth_key=key)}, status=202
    )


def _list(req: ApiRequest, detail: bool) -> dict[str, Any]:
    q = query(req)
    params = parse_list_params(q)
    rows = apply(
        svc(req).list_transfers(req.ctx, params.filters),
        params,
        sort_keys={"id", "created_at", "name", "volume_id"},
    )
    return {"transfers": [transfer_view(req.ctx, req.cloud.base_url, r, detail=detail) for r in rows]}


def list_transfers(req: ApiRequest) -> dict[str, Any]:
    return _list(req, False)


def list_transfers_detail(req: ApiRequest) -> dict[str, Any]:
    return _list(req, True)


def show_transfer(req: ApiRequest) -> dict[str, Any]:
    row = svc(req).get_transfer(req.ctx, req.path["transfer_id"])
    return {"transfer": transfer_view(req.ctx, req.cloud.base_url, row)}


def delete_transfer(req: ApiRequest) -> ApiResponse:
    svc(req).delete_transfer(req.ctx, req.path["transfer_id"])
    return ApiResponse(None, status=202)


def accept_transfer(req: ApiRequest) -> ApiResponse:
    accept = body(req, "accept")
    key = accept.get("auth_key")
    if not key:
        raise BadRequest("Invalid input for field/attribute auth_key.")
    row = svc(req).accept_transfer(req.ctx, req.path["transfer_id"], key)
    view = transfer_view(req.ctx, req.cloud.base_url, row, detail=False)
    return ApiResponse({"transfer": view}, status=202)


def register(api: ServiceApi) -> None:
    for base in ("/os-volume-transfer", "/volume-transfers"):
        add(api, "POST", base, create_transfer, status=202)
        add(api, "GET", base, list_transfers)
        add(api, "GET", base + "/detail", list_transfers_detail)
        add(api, "GET", base + "/{transfer_id}", show_transfer)
        add(api, "DELETE", base + "/{transfer_id}", delete_transfer, status=202)
        add(api, "POST", base + "/{transfer_id}/accept", accept_transfer, status=202)
