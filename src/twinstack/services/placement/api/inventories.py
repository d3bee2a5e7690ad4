"""``/resource_providers/{uuid}/inventories``."""

from __future__ import annotations

from typing import Any

from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.placement.api import cache_headers, check, placement, require_mv
from twinstack.services.placement.service import MAX_INT
from twinstack.services.placement.state import Inventory, Provider

_INT = {"type": "integer", "maximum": MAX_INT}
FIELDS = {
    "total": {**_INT, "minimum": 1},
    "reserved": {**_INT, "minimum": 0},
    "min_unit": {**_INT, "minimum": 1},
    "max_unit": {**_INT, "minimum": 1},
    "step_size": {**_INT, "minimum": 1},
    "allocation_ratio": {"type": "number", "maximum": 3.40282e38, "exclusiveMinimum": True, "minimum": 0},
}
INVENTORY = {"type": "object", "properties": FIELDS, "required": ["total"], "additionalProperties": False}
ONE_PUT = {
    "type": "object",
    "properties": {**FIELDS, "resource_provider_generation": {"type": "integer"}},
    "required": ["total", "resource_provider_generation"],
    "additionalProperties": False,
}
ONE_POST = {
    "type": "object",
    "properties": {**FIELDS, "resource_class": {"type": "string", "pattern": "^[A-Z0-9_]+$"}},
    "required": ["total", "resource_class"],
    "additionalProperties": False,
}
ALL_PUT = {
    "type": "object",
    "properties": {
        "resource_provider_generation": {"type": "integer"},
        "inventories": {
            "type": "object",
            "patternProperties": {"^[A-Z0-9_]+$": INVENTORY},
            "additionalProperties": False,
        },
    },
    "required": ["inventories", "resource_provider_generation"],
    "additionalProperties": False,
}


def to_inventory(data: dict[str, Any]) -> Inventory:
    return Inventory(
        total=data["total"],
        reserved=data.get("reserved", 0),
        min_unit=data.get("min_unit", 1),
        max_unit=data.get("max_unit", MAX_INT),
        step_size=data.get("step_size", 1),
        allocation_ratio=float(data.get("allocation_ratio", 1.0)),
    )


def _all(p: Provider) -> dict[str, Any]:
    return {
        "inventories": {rc: inv.view() for rc, inv in p.inventories.items()},
        "resource_provider_generation": p.generation,
    }


def _one(p: Provider, rc: str) -> dict[str, Any]:
    return {**p.inventories[rc].view(), "resource_provider_generation": p.generation}


def list_inventories(req: ApiRequest) -> ApiResponse:
    p = placement(req).get_provider(req.path["uuid"])
    return ApiResponse(_all(p), headers=cache_headers(req, p.updated_at))


def put_inventories(req: ApiRequest) -> dict[str, Any]:
    check(ALL_PUT, req.body)
    invs = {rc: to_inventory(d) for rc, d in req.body["inventories"].items()}
    p = placement(req).set_inventories(req.path["uuid"], req.body["resource_provider_generation"], invs)
    return _all(p)


def post_inventory(req: ApiRequest) -> ApiResponse:
    check(ONE_POST, req.body)
    rc = req.body["resource_class"]
    p = placement(req).add_inventory(req.path["uuid"], rc, None, to_inventory(req.body))
    location = req.url_for(f"/placement/resource_providers/{p.uuid}/inventories/{rc}")
    return ApiResponse(_one(p, rc), 201, {"Location": location})


def delete_inventories(req: ApiRequest) -> ApiResponse:
    require_mv(req, "1.5")
    svc = placement(req)
    p = svc.get_provider(req.path["uuid"])
    svc.set_inventories(p.uuid, None, {})
    return ApiResponse(None, 204)


def get_inventory(req: ApiRequest) -> ApiResponse:
    p = placement(req).get_provider(req.path["uuid"])
    rc = req.path["rc"]
    if rc not in p.inventories:
        from twinstack.core.errors import NotFound

        raise NotFound(f"No inventory of class {rc} for {p.uuid}")
    return ApiResponse(_one(p, rc), headers=cache_headers(req, p.updated_at))


def put_inventory(req: ApiRequest) -> dict[str, Any]:
    check(ONE_PUT, req.body)
    rc = req.path["rc"]
    p = placement(req).set_inventory(
        req.path["uuid"], rc, req.body["resource_provider_generation"], to_inventory(req.body)
    )
    return _one(p, rc)


def delete_inventory(req: ApiRequest) -> ApiResponse:
    placement(req).delete_inventory(req.path["uuid"], req.path["rc"])
    return ApiResponse(None, 204)


def register(api: ServiceApi) -> None:
    api.add("GET", "/resource_providers/{uuid}/inventories", list_inventories)
    api.add("PUT", "/resource_providers/{uuid}/inventories", put_inventories)
    api.add("POST", "/resource_providers/{uuid}/inventories", post_inventory, status=201)
    api.add("DELETE", "/resource_providers/{uuid}/inventories", delete_inventories)
    api.add("GET", "/resource_providers/{uuid}/inventories/{rc}", get_inventory)
    api.add("PUT", "/resource_providers/{uuid}/inventories/{rc}", put_inventory)
    api.add("DELETE", "/resource_providers/{uuid}/inventories/{rc}", delete_inventory)
