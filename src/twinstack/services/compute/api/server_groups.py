"""``/os-server-groups``: policies (list before 2.64, one ``policy`` + ``rules`` from 2.64)."""

from __future__ import annotations

from typing import Any

from twinstack.core.errors import BadRequest
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.compute.api import check, compute, int_param, route

POLICIES = ["anti-affinity", "affinity"]
SOFT = ["soft-anti-affinity", "soft-affinity"]


def view(req: ApiRequest, group: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"id": group["uuid"], "name": group["name"], "members": group["members"]}
    if req.ctx.mv("2.64"):
        body["policy"] = group["policy"]
        body["rules"] = group["rules"] or {}
    else:
        body["policies"] = [group["policy"]]
        body["metadata"] = {}
    if req.ctx.mv("2.13"):
        body["project_id"] = group["project_id"]
        body["user_id"] = group["user_id"]
    return body


def list_groups(req: ApiRequest) -> dict[str, Any]:
    all_projects = req.query.get("all_projects", "").lower() in ("1", "true", "yes", "")
    all_projects = "all_projects" in req.query and all_projects
    groups = compute(req).list_groups(req.ctx, all_projects)
    offset = int_param(req, "offset", 0) or 0
    limit = int_param(req, "limit", 0)
    groups = groups[offset:]
    if limit is not None:
        groups = groups[:limit]
    return {"server_groups": [view(req, g) for g in groups]}


def show_group(req: ApiRequest) -> dict[str, Any]:
    return {"server_group": view(req, compute(req).get_group(req.ctx, req.path["group_id"]))}


def create_group(req: ApiRequest) -> dict[str, Any]:
    name = {"type": "string", "minLength": 1, "maxLength": 255}
    if req.ctx.mv("2.64"):
        inner = {
            "type": "object",
            "properties": {
                "name": name,
                "policy": {"type": "string", "enum": POLICIES + SOFT},
                "rules": {
                    "type": "object",
                    "properties": {
                        "max_server_per_host": {
                            "type": ["integer", "string"],
                            "pattern": "^[0-9]*$",
                            "minimum": 1,
                        }
                    },
                    "additionalProperties": False,
                },
            },
            "required": ["name", "policy"],
            "additionalProperties": False,
        }
    else:
        allowed = POLICIES + (SOFT if req.ctx.mv("2.15") else [])
        inner = {
            "type": "object",
            "properties": {
                "name": name,
                "policies": {
                    "type": "array",
                    "items": {"type": "string", "enum": allowed},
                    "minItems": 1,
                    "maxItems": 1,
                    "uniqueItems": True,
                },
            },
            "required": ["name", "policies"],
            "additionalProperties": False,
        }
    check(
        {
            "type": "object",
            "properties": {"server_group": inner},
            "required": ["server_group"],
            "additionalProperties": False,
        },
        req.body,
    )
    body = req.body["server_group"]
    policy = body.get("policy") or body["policies"][0]
    rules = dict(body.get("rules") or {})
    if rules and policy != "anti-affinity":
        raise BadRequest("Only anti-affinity policy supports rules.")
    if "max_server_per_host" in rules:
        rules["max_server_per_host"] = int(rules["max_server_per_host"])
    group = compute(req).create_group(req.ctx, body["name"], policy, rules)
    return {"server_group": view(req, group)}


def delete_group(req: ApiRequest) -> ApiResponse:
    compute(req).delete_group(req.ctx, req.path["group_id"])
    return ApiResponse(None, 204)


def register(api: ServiceApi) -> None:
    route(api, "GET", "/os-server-groups", list_groups)
    route(api, "POST", "/os-server-groups", create_group)
    route(api, "GET", "/os-server-groups/{group_id}", show_group)
    route(api, "DELETE", "/os-server-groups/{group_id}", delete_group, status=204)
