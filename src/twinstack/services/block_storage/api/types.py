"""``/types``: volume types, extra specs, access (``os-volume-type-access``), the default type."""

from __future__ import annotations

from typing import Any

from twinstack.core.errors import BadRequest, NotFound
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.core.validation import validate
from twinstack.services.block_storage.api._common import BOOLEAN, add, body, require_admin, svc
from twinstack.services.block_storage.common import parse_bool
from twinstack.services.block_storage.views import volume_type_view

SPECS = {
    "type": "object",
    "patternProperties": {"^[a-zA-Z0-9-_:. /]{1,255}$": {"type": "string", "maxLength": 255}},
    "additionalProperties": False,
}
CREATE = {
    "type": "object",
    "properties": {
        "volume_type": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 255},
                "description": {"type": ["string", "null"], "maxLength": 255},
                "os-volume-type-access:is_public": BOOLEAN,
                "extra_specs": SPECS,
            },
            "required": ["name"],
            "additionalProperties": False,
        }
    },
    "required": ["volume_type"],
    "additionalProperties": False,
}
UPDATE = {
    "type": "object",
    "properties": {
        "volume_type": {
            "type": "object",
            "properties": {
                "name": {"type": ["string", "null"], "minLength": 1, "maxLength": 255},
                "description": {"type": ["string", "null"], "maxLength": 255},
                "is_public": BOOLEAN,
            },
            "additionalProperties": False,
        }
    },
    "required": ["volume_type"],
    "additionalProperties": False,
}
SPECS_BODY = {
    "type": "object",
    "properties": {"extra_specs": SPECS},
    "required": ["extra_specs"],
    "additionalProperties": False,
}


def list_types(req: ApiRequest) -> dict[str, Any]:
    types = svc(req).list_volume_types(req.ctx, req.query.get("is_public"))
    return {"volume_types": [volume_type_view(req.ctx, t) for t in types]}


def show_type(req: ApiRequest) -> dict[str, Any]:
    vtype = svc(req).get_volume_type(req.ctx, req.path["type_id"])
    return {"volume_type": volume_type_view(req.ctx, vtype)}


def create_type(req: ApiRequest) -> dict[str, Any]:
    require_admin(req, "volume_extension:types_manage")
    t = body(req, "volume_type", CREATE)
    name = t["name"].strip()
    if not name:
        raise BadRequest("Invalid input for field/attribute name. Value: . '' should be non-empty")
    vtype = svc(req).create_volume_type(
        req.ctx,
        name=name,
        description=t.get("description"),
        is_public=parse_bool(t.get("os-volume-type-access:is_public", True), "is_public"),
        extra_specs=t.get("extra_specs") or {},
    )
    return {"volume_type": volume_type_view(req.ctx, vtype, create=True)}


def update_type(req: ApiRequest) -> dict[str, Any]:
    require_admin(req, "volume_extension:types_manage")
    t = body(req, "volume_type", UPDATE)
    changes: dict[str, Any] = {}
    if t.get("name") is not None:
        changes["name"] = t["name"].strip()
    if "description" in t:
        changes["description"] = t["description"]
    if "is_public" in t:
        changes["is_public"] = parse_bool(t["is_public"], "is_public")
    if not changes:
        raise BadRequest("Specify volume type name, description, is_public or a combination thereof.")
    vtype = svc(req).update_volume_type(req.ctx, req.path["type_id"], changes)
    return {"volume_type": volume_type_view(req.ctx, vtype, update=True)}


def delete_type(req: ApiRequest) -> ApiResponse:
    require_admin(req, "volume_extension:types_manage")
    svc(req).delete_volume_type(req.ctx, req.path["type_id"])
    return ApiResponse(None, status=202)


def default_type(req: ApiRequest) -> dict[str, Any]:
    with req.cloud.db.begin() as conn:
        vtype = svc(req).default_volume_type(conn, req.ctx)
    return {"volume_type": volume_type_view(req.ctx, vtype)}


# extra specs
def _specs(req: ApiRequest) -> dict[str, str]:
    vtype = svc(req).get_volume_type(req.ctx, req.path["type_id"])
    return dict(vtype["extra_specs"] or {})


def list_specs(req: ApiRequest) -> dict[str, Any]:
    require_admin(req, "volume_extension:types_extra_specs:index")
    return {"extra_specs": _specs(req)}


def create_specs(req: ApiRequest) -> dict[str, Any]:
    require_admin(req, "volume_extension:types_extra_specs:create")
    validate(SPECS_BODY, req.body, style="nova")
    svc(req).set_extra_specs(req.ctx, req.path["type_id"], req.body["extra_specs"])
    return {"extra_specs": req.body["extra_specs"]}


def show_spec(req: ApiRequest) -> dict[str, Any]:
    require_admin(req, "volume_extension:types_extra_specs:show")
    specs = _specs(req)
    key = req.path["key"]
    if key not in specs:
        raise NotFound(f"Volume Type {req.path['type_id']} has no extra specs with key {key}.")
    return {key: specs[key]}


def update_spec(req: ApiRequest) -> dict[str, Any]:
    require_admin(req, "volume_extension:types_extra_specs:update")
    validate(SPECS, req.body, style="nova")
    data = req.body
    key = req.path["key"]
    if not isinstance(data, dict) or key not in data:
        raise BadRequest("Request body and URI mismatch")
    if len(data) > 1:
        raise BadRequest("Request body contains too many items")
    svc(req).set_extra_specs(req.ctx, req.path["type_id"], {key: data[key]})
    return {key: data[key]}


def delete_spec(req: ApiRequest) -> ApiResponse:
    require_admin(req, "volume_extension:types_extra_specs:delete")
    svc(req).delete_extra_spec(req.ctx, req.path["type_id"], req.path["key"])
    return ApiResponse(None, status=202)


# access
def list_access(req: ApiRequest) -> dict[str, Any]:
    require_admin(req, "volume_extension:volume_type_access")
    return {"volume_type_access": svc(req).type_access(req.ctx, req.path["type_id"])}


def type_action(req: ApiRequest) -> ApiResponse:
    require_admin(req, "volume_extension:volume_type_access:addProjectAccess")
    data = req.body if isinstance(req.body, dict) else {}
    if "addProjectAccess" in data:
        project = (data["addProjectAccess"] or {}).get("project")
        if not project:
            raise BadRequest("Missing required element 'project' in request body.")
        svc(req).add_type_access(req.ctx, req.path["type_id"], project)
    elif "removeProjectAccess" in data:
        project = (data["removeProjectAccess"] or {}).get("project")
        if not project:
            raise BadRequest("Missing required element 'project' in request body.")
        svc(req).remove_type_access(req.ctx, req.path["type_id"], project)
    else:
        raise BadRequest("Invalid action.")
    return ApiResponse(None, status=202)


def register(api: ServiceApi) -> None:
    add(api, "GET", "/types", list_types)
    add(api, "POST", "/types", create_type)
    add(api, "GET", "/types/default", default_type)
    add(api, "GET", "/types/{type_id}", show_type)
    add(api, "PUT", "/types/{type_id}", update_type)
    add(api, "DELETE", "/types/{type_id}", delete_type, status=202)
    add(api, "GET", "/types/{type_id}/extra_specs", list_specs)
    add(api, "POST", "/types/{type_id}/extra_specs", create_specs)
    add(api, "GET", "/types/{type_id}/extra_specs/{key}", show_spec)
    add(api, "PUT", "/types/{type_id}/extra_specs/{key}", update_spec)
    add(api, "DELETE", "/types/{type_id}/extra_specs/{key}", delete_spec, status=202)
    add(api, "GET", "/types/{type_id}/os-volume-type-access", list_access)
    add(api, "POST", "/types/{type_id}/action", type_action, status=202)
