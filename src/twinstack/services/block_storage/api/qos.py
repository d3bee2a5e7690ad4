"""``/qos-specs``: stored and associated with types; the fake backend does not enforce them."""

from __future__ import annotations

from typing import Any

from twinstack.core.errors import BadRequest
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.block_storage.api._common import add, body, require_admin, svc
from twinstack.services.block_storage.common import parse_bool


def _view(req: ApiRequest, q: dict[str, Any]) -> dict[str, Any]:
    return {"id": q["id"], "name": q["name"], "consumer": q["consumer"], "specs": dict(q["specs"])}


def _links(req: ApiRequest, qos_id: str) -> list[dict[str, str]]:
    base = f"{req.cloud.base_url}/volume"
    return [
        {"href": f"{base}/v3/{req.ctx.project_id}/qos-specs/{qos_id}", "rel": "self"},
        {"href": f"{base}/{req.ctx.project_id}/qos-specs/{qos_id}", "rel": "bookmark"},
    ]


def list_qos(req: ApiRequest) -> dict[str, Any]:
    require_admin(req, "volume_extension:qos_specs_manage:get_all")
    return {"qos_specs": [_view(req, q) for q in svc(req).list_qos()]}


def create_qos(req: ApiRequest) -> dict[str, Any]:
    require_admin(req, "volume_extension:qos_specs_manage:create")
    spec = body(req, "qos_specs")
    name = spec.pop("name", None)
    if not name or not isinstance(name, str) or not name.strip():
        raise BadRequest("Please specify a name for QoS specs.")
    q = svc(req).create_qos(name.strip(), {str(k): str(v) for k, v in spec.items()})
    return {"qos_specs": _view(req, q), "links": _links(req, q["id"])}


def show_qos(req: ApiRequest) -> dict[str, Any]:
    require_admin(req, "volume_extension:qos_specs_manage:get")
    q = svc(req).get_qos(req.path["qos_id"])
    return {"qos_specs": _view(req, q), "links": _links(req, q["id"])}


def set_keys(req: ApiRequest) -> dict[str, Any]:
    require_admin(req, "volume_extension:qos_specs_manage:update")
    spec = body(req, "qos_specs")
    return {"qos_specs": svc(req).set_qos_keys(req.path["qos_id"], {str(k): str(v) for k, v in spec.items()})}


def unset_keys(req: ApiRequest) -> ApiResponse:
    require_admin(req, "volume_extension:qos_specs_manage:update")
    keys = (req.body or {}).get("keys") if isinstance(req.body, dict) else None
    if not isinstance(keys, list):
        raise BadRequest("Missing required element 'keys' in request body.")
    svc(req).unset_qos_keys(req.path["qos_id"], [str(k) for k in keys])
    return ApiResponse(None, status=202)


def delete_qos(req: ApiRequest) -> ApiResponse:
    require_admin(req, "volume_extension:qos_specs_manage:delete")
    svc(req).delete_qos(req.path["qos_id"], parse_bool(req.query.get("force", "false"), "force"))
    return ApiResponse(None, status=202)


def associations(req: ApiRequest) -> dict[str, Any]:
    require_admin(req, "volume_extension:qos_specs_manage:get")
    return {"qos_associations": svc(req).qos_associations(req.path["qos_id"])}


def associate(req: ApiRequest) -> ApiResponse:
    require_admin(req, "volume_extension:qos_specs_manage:update")
    svc(req).associate_qos(req.path["qos_id"], req.query.get("vol_type_id"))
    return ApiResponse(None, status=202)


def disassociate(req: ApiRequest) -> ApiResponse:
    require_admin(req, "volume_extension:qos_specs_manage:update")
    type_id = req.query.get("vol_type_id")
    if not type_id:
        raise BadRequest("Volume Type id must not be None.")
    svc(req).disassociate_qos(req.path["qos_id"], type_id)
    return ApiResponse(None, status=202)


def disassociate_all(req: ApiRequest) -> ApiResponse:
    require_admin(req, "volume_extension:qos_specs_manage:update")
    svc(req).disassociate_qos(req.path["qos_id"], None)
    return ApiResponse(None, status=202)


def register(api: ServiceApi) -> None:
    add(api, "GET", "/qos-specs", list_qos)
    add(api, "POST", "/qos-specs", create_qos)
    add(api, "GET", "/qos-specs/{qos_id}", show_qos)
    add(api, "PUT", "/qos-specs/{qos_id}", set_keys)
    add(api, "DELETE", "/qos-specs/{qos_id}", delete_qos, status=202)
    add(api, "PUT", "/qos-specs/{qos_id}/delete_keys", unset_keys, status=202)
    add(api, "GET", "/qos-specs/{qos_id}/associations", associations)
    add(api, "GET", "/qos-specs/{qos_id}/associate", associate, status=202)
    add(api, "GET", "/qos-specs/{qos_id}/disassociate", disassociate, status=202)
    add(api, "GET", "/qos-specs/{qos_id}/disassociate_all", disassociate_all, status=202)
