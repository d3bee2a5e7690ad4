"""``/flavors``, ``os-extra_specs``, ``os-flavor-access``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from twinstack.core.errors import BadRequest, NotFound
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.compute.api import (
    admin_only,
    api_url,
    bool_param,
    check,
    compute,
    int_param,
    route,
    since,
)
from twinstack.services.compute.api.views import flavor_view

CREATE = {
    "type": "object",
    "properties": {
        "flavor": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 255},
                "id": {
                    "type": ["string", "number", "null"],
                    "minLength": 1,
                    "maxLength": 255,
                    "pattern": r"^(?! )[a-zA-Z0-9. _-]+(?<! )$",
                },
                "ram": {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 1},
                "vcpus": {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 1},
                "disk": {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 0},
                "OS-FLV-EXT-DATA:ephemeral": {
                    "type": ["integer", "string"],
                    "pattern": "^[0-9]+$",
                    "minimum": 0,
                },
                "swap": {"type": ["integer", "string"], "pattern": "^[0-9]*$", "minimum": 0},
                "rxtx_factor": {
                    "type": ["number", "string"],
                    "pattern": r"^[0-9]+(\.[0-9]+)?$",
                    "minimum": 0,
                    "exclusiveMinimum": True,
                    "maximum": 3.40282e38,
                },
                "os-flavor-access:is_public": {"type": ["boolean", "string"]},
                "description": {"type": ["string", "null"], "maxLength": 65535},
            },
            "required": ["name", "ram", "vcpus", "disk"],
            "additionalProperties": False,
        }
    },
    "required": ["flavor"],
    "additionalProperties": False,
}
EXTRA_SPECS = {
    "type": "object",
    "properties": {
        "extra_specs": {
            "type": "object",
            "patternProperties": {"^[a-zA-Z0-9-_:. ]{1,255}$": {"type": ["string", "number", "boolean"]}},
            "additionalProperties": False,
        }
    },
    "required": ["extra_specs"],
    "additionalProperties": False,
}


def _list(req: ApiRequest, detail: bool) -> dict[str, Any]:
    svc = compute(req)
    is_public: bool | None = True
    raw = req.query.get("is_public")
    if raw is not None:
        if raw.lower() == "none":
            is_public = None
        else:
            try:
                is_public = bool_param(raw)
            except BadRequest:
                raise BadRequest(f"Invalid is_public filter [{raw}]") from None
    min_ram = req.query.get("minRam")
    min_disk = req.query.get("minDisk")
    try:
        rows = svc.list_flavors(
            req.ctx,
            is_public=is_public,
            min_ram=int(min_ram) if min_ram else None,
            min_disk=int(min_disk) if min_disk else None,
        )
    except ValueError:
        raise BadRequest("Invalid minRam or minDisk filter") from None
    sort_key = req.query.get("sort_key", "flavorid")
    sort_dir = req.query.get("sort_dir", "asc")
    key_map = {
        "id": "flavorid",
        "flavorid": "flavorid",
        "name": "name",
        "memory_mb": "memory_mb",
        "ram": "memory_mb",
        "vcpus": "vcpus",
        "root_gb": "root_gb",
        "disk": "root_gb",
        "swap": "swap",
        "ephemeral_gb": "ephemeral_gb",
        "rxtx_factor": "rxtx_factor",
        "created_at": "created_at",
    }
    if sort_key not in key_map:
        raise BadRequest(f"Invalid input for query parameters sort_key. Value: {sort_key}.")
    if sort_dir not in ("asc", "desc"):
        raise BadRequest(f"Invalid input for query parameters sort_dir. Value: {sort_dir}.")
    column = key_map[sort_key]
    if column == "flavorid":
        rows.sort(
            key=lambda r: (len(r["flavorid"]) if r["flavorid"].isdigit() else 99, r["flavorid"]),
            reverse=sort_dir == "desc",
        )
    else:
        rows.sort(key=lambda r: (r[column], r["flavorid"]), reverse=sort_dir == "desc")
    marker = req.query.get("marker")
    if marker:
        ids = [r["flavorid"] for r in rows]
        if marker not in ids:
            raise BadRequest(f"marker [{marker}] not found")
        rows = rows[ids.index(marker) + 1 :]
    limit = int_param(req, "limit", 0)
    body: dict[str, Any] = {}
    if limit is not None:
        more = len(rows) > limit
        rows = rows[:limit]
        if more or (rows and len(rows) == limit):
            params = [(k, v) for k, v in req.query.multi_items() if k not in ("marker",)]
            params.append(("marker", rows[-1]["flavorid"]))
            body["flavors_links"] = [
                {
                    "rel": "next",
                    "href": api_url(req, "/flavors/detail" if detail else "/flavors")
                    + "?"
                    + urlencode(params),
                }
            ]
    body = {"flavors": [flavor_view(req, r, detail) for r in rows], **body}
    return body


def list_flavors(req: ApiRequest) -> dict[str, Any]:
    return _list(req, False)


def list_flavors_detail(req: ApiRequest) -> dict[str, Any]:
    return _list(req, True)


def show_flavor(req: ApiRequest) -> dict[str, Any]:
    return {"flavor": flavor_view(req, compute(req).get_flavor(req.ctx, req.path["flavor_id"]))}


def create_flavor(req: ApiRequest) -> dict[str, Any]:
    admin_only(req, "os_compute_api:os-flavor-manage:create")
    check(CREATE, req.body)
    body = dict(req.body["flavor"])
    if "description" in body and not req.ctx.mv("2.55"):
        raise BadRequest(
            "Invalid input for field/attribute flavor. Additional properties are not allowed "
            "('description' was unexpected)"
        )
    public = body.get("os-flavor-access:is_public", True)
    body["os-flavor-access:is_public"] = public if isinstance(public, bool) else bool_param(str(public))
    row = compute(req).create_flavor(req.ctx, body)
    return {"flavor": flavor_view(req, row)}


def update_flavor(req: ApiRequest) -> dict[str, Any]:
    since(req, "2.55")
    admin_only(req, "os_compute_api:os-flavor-manage:update")
    check(
        {
            "type": "object",
            "properties": {
                "flavor": {
                    "type": "object",
                    "properties": {"description": {"type": ["string", "null"], "maxLength": 65535}},
                    "required": ["description"],
                    "additionalProperties": False,
                }
            },
            "required": ["flavor"],
            "additionalProperties": False,
        },
        req.body,
    )
    row = compute(req).update_flavor(req.ctx, req.path["flavor_id"], req.body["flavor"]["description"])
    return {"flavor": flavor_view(req, row)}


def delete_flavor(req: ApiRequest) -> ApiResponse:
    admin_only(req, "os_compute_api:os-flavor-manage:delete")
    compute(req).delete_flavor(req.ctx, req.path["flavor_id"])
    return ApiResponse(None, 202)


def list_extra_specs(req: ApiRequest) -> dict[str, Any]:
    return {"extra_specs": dict(compute(req).get_flavor(req.ctx, req.path["flavor_id"])["extra_specs"] or {})}


def create_extra_specs(req: ApiRequest) -> dict[str, Any]:
    admin_only(req, "os_compute_api:os-flavor-extra-specs:create")
    check(EXTRA_SPECS, req.body)
    specs = compute(req).set_extra_specs(req.ctx, req.path["flavor_id"], req.body["extra_specs"])
    return {"extra_specs": {k: specs[k] for k in req.body["extra_specs"]}}


def show_extra_spec(req: ApiRequest) -> dict[str, Any]:
    specs = compute(req).get_flavor(req.ctx, req.path["flavor_id"])["extra_specs"] or {}
    key = req.path["key"]
    if key not in specs:
        raise NotFound(f"Flavor {req.path['flavor_id']} has no extra specs with key {key}.")
    return {key: specs[key]}


def update_extra_spec(req: ApiRequest) -> dict[str, Any]:
    admin_only(req, "os_compute_api:os-flavor-extra-specs:update")
    body = req.body
    key = req.path["key"]
    if not isinstance(body, dict) or len(body) != 1:
        raise BadRequest("Request body contains too many items")
    if key not in body:
        raise BadRequest("Request body and URI mismatch")
    compute(req).set_extra_specs(req.ctx, req.path["flavor_id"], body)
    return {key: str(body[key])}


def delete_extra_spec(req: ApiRequest) -> ApiResponse:
    admin_only(req, "os_compute_api:os-flavor-extra-specs:delete")
    compute(req).delete_extra_spec(req.ctx, req.path["flavor_id"], req.path["key"])
    return ApiResponse(None, 200)


def _access_view(flavorid: str, projects: list[str]) -> dict[str, Any]:
    return {"flavor_access": [{"flavor_id": flavorid, "tenant_id": p} for p in projects]}


def list_access(req: ApiRequest) -> dict[str, Any]:
    admin_only(req, "os_compute_api:os-flavor-access")
    return _access_view(req.path["flavor_id"], compute(req).flavor_access(req.ctx, req.path["flavor_id"]))


def flavor_action(req: ApiRequest) -> dict[str, Any]:
    admin_only(req, "os_compute_api:os-flavor-access:add_tenant_access")
    body = req.body or {}
    svc = compute(req)
    fid = req.path["flavor_id"]
    if "addTenantAccess" in body:
        check(
            {
                "type": "object",
                "properties": {"tenant": {"type": "string", "minLength": 1}},
                "required": ["tenant"],
                "additionalProperties": False,
            },
            body["addTenantAccess"],
        )
        return _access_view(fid, svc.add_flavor_access(req.ctx, fid, body["addTenantAccess"]["tenant"]))
    if "removeTenantAccess" in body:
        check(
            {
                "type": "object",
                "properties": {"tenant": {"type": "string", "minLength": 1}},
                "required": ["tenant"],
                "additionalProperties": False,
            },
            body["removeTenantAccess"],
        )
        return _access_view(fid, svc.remove_flavor_access(req.ctx, fid, body["removeTenantAccess"]["tenant"]))
    raise BadRequest("Invalid action")


def register(api: ServiceApi) -> None:
    route(api, "GET", "/flavors", list_flavors)
    route(api, "POST", "/flavors", create_flavor)
    route(api, "GET", "/flavors/detail", list_flavors_detail)
    route(api, "GET", "/flavors/{flavor_id}", show_flavor)
    route(api, "PUT", "/flavors/{flavor_id}", update_flavor)
    route(api, "DELETE", "/flavors/{flavor_id}", delete_flavor, status=202)
    route(api, "GET", "/flavors/{flavor_id}/os-extra_specs", list_extra_specs)
    route(api, "POST", "/flavors/{flavor_id}/os-extra_specs", create_extra_specs)
    route(api, "GET", "/flavors/{flavor_id}/os-extra_specs/{key}", show_extra_spec)
    route(api, "PUT", "/flavors/{flavor_id}/os-extra_specs/{key}", update_extra_spec)
    route(api, "DELETE", "/flavors/{flavor_id}/os-extra_specs/{key}", delete_extra_spec)
    route(api, "GET", "/flavors/{flavor_id}/os-flavor-access", list_access)
    route(api, "POST", "/flavors/{flavor_id}/action", flavor_action)
