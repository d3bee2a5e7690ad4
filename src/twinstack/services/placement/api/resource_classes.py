"""``/resource_classes`` (custom classes from 1.2)."""

from __future__ import annotations

from typing import Any

from twinstack.core.errors import Conflict, NotFound
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.placement.api import cache_headers, check, placement, require_mv

CREATE = {
    "type": "object",
    "properties": {"name": {"type": "string", "pattern": "^CUSTOM_[A-Z0-9_]+$", "maxLength": 255}},
    "required": ["name"],
    "additionalProperties": False,
}


def _view(name: str) -> dict[str, Any]:
    return {"name": name, "links": [{"rel": "self", "href": f"/placement/resource_classes/{name}"}]}


def list_classes(req: ApiRequest) -> ApiResponse:
    require_mv(req, "1.2")
    return ApiResponse(
        {"resource_classes": [_view(n) for n in placement(req).list_resource_classes()]},
        headers=cache_headers(req),
    )


def create_class(req: ApiRequest) -> ApiResponse:
    require_mv(req, "1.2")
    check(CREATE, req.body)
    name = req.body["name"]
    if not placement(req).create_resource_class(name):
        raise Conflict(f"Conflicting resource class already exists: {name}", kind="placement.duplicate_name")
    return ApiResponse(None, 201, {"Location": req.url_for(f"/placement/resource_classes/{name}")})


def get_class(req: ApiRequest) -> ApiResponse:
    require_mv(req, "1.2")
    name = req.path["name"]
    if not placement(req).resource_class_exists(name):
        raise NotFound(f"No such resource class {name}.")
    return ApiResponse(_view(name), headers=cache_headers(req))


def put_class(req: ApiRequest) -> ApiResponse:
    require_mv(req, "1.2")
    name = req.path["name"]
    svc = placement(req)
    if not req.ctx.mv("1.7"):
        check(CREATE, req.body)
        raise Conflict("Updating a resource class name is not supported.")
    check(CREATE, {"name": name})
    created = svc.create_resource_class(name)
    return ApiResponse(
        None, 201 if created else 204, {"Location": req.url_for(f"/placement/resource_classes/{name}")}
    )


def delete_class(req: ApiRequest) -> ApiResponse:
    require_mv(req, "1.2")
    placement(req).delete_resource_class(req.path["name"])
    return ApiResponse(None, 204)


def register(api: ServiceApi) -> None:
    api.add("GET", "/resource_classes", list_classes)
    api.add("POST", "/resource_classes", create_class, status=201)
    api.add("GET", "/resource_classes/{name}", get_class)
    api.add("PUT", "/resource_classes/{name}", put_class)
    api.add("DELETE", "/resource_classes/{name}", delete_class)
