"""``/allocations`` and ``/usages``."""

from __future__ import annotations

from typing import Any

from twinstack.core.errors import BadRequest, NotFound
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.placement.api import cache_headers, check, placement, require_mv
from twinstack.services.placement.api.providers import UUID_RE, normalize_uuid

_UUID = {"type": "string", "pattern": UUID_RE.pattern}
_RESOURCES = {
    "type": "object",
    "minProperties": 1,
    "patternProperties": {"^[0-9A-Z_]+$": {"type": "integer", "minimum": 1}},
    "additionalProperties": False,
}
_RESOURCES_0 = {**_RESOURCES, "patternProperties": {"^[0-9A-Z_]+$": {"type": "integer", "minimum": 0}}}
_ID = {"type": "string", "minLength": 1, "maxLength": 255}
LIST_FORM = {
    "type": "object",
    "properties": {
        "allocations": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "properties": {
                    "resource_provider": {
                        "type": "object",
                        "properties": {"uuid": _UUID},
                        "required": ["uuid"],
                        "additionalProperties": False,
                    },
                    "resources": _RESOURCES,
                },
                "required": ["resource_provider", "resources"],
                "additionalProperties": False,
            },
        },
        "project_id": _ID,
        "user_id": _ID,
    },
    "required": ["allocations"],
    "additionalProperties": False,
}


def dict_form(req: ApiRequest) -> dict[str, Any]:
    props: dict[str, Any] = {
        "allocations": {
            "type": "object",
            "minProperties": 0 if req.ctx.mv("1.28") else 1,
            "patternProperties": {
                UUID_RE.pattern: {
                    "type": "object",
                    "properties": {"resources": _RESOURCES, "generation": {}},
                    "required": ["resources"],
                    "additionalProperties": False,
                }
            },
            "additionalProperties": False,
        },
        "project_id": _ID,
        "user_id": _ID,
    }
    required = ["allocations", "project_id", "user_id"]
    if req.ctx.mv("1.28"):
        props["consumer_generation"] = {"type": ["integer", "null"]}
        required.append("consumer_generation")
    if req.ctx.mv("1.38"):
        props["consumer_type"] = {"type": "string", "pattern": "^[A-Z0-9_]+$", "maxLength": 255}
        required.append("consumer_type")
    props["mappings"] = {"type": "object"}
    return {"type": "object", "properties": props, "required": required, "additionalProperties": False}


def _request_from_body(req: ApiRequest, body: dict[str, Any]) -> dict[str, Any]:
    if req.ctx.mv("1.12"):
        allocs = {normalize_uuid(rp): dict(a["resources"]) for rp, a in body["allocations"].items()}
    else:
        allocs = {}
        for item in body["allocations"]:
            allocs.setdefault(normalize_uuid(item["resource_provider"]["uuid"]), {}).update(item["resources"])
    return {
        "allocations": allocs,
        "project_id": body.get("project_id") or req.ctx.project_id,
        "user_id": body.get("user_id") or req.ctx.user_id,
        "consumer_generation": body.get("consumer_generation"),
        "consumer_type": body.get("consumer_type") or ("INSTANCE" if not req.ctx.mv("1.38") else None),
    }


def get_allocations(req: ApiRequest) -> ApiResponse:
    svc = placement(req)
    consumer = svc.get_consumer(req.path["consumer"])
    allocations: dict[str, Any] = {}
    body: dict[str, Any] = {"allocations": allocations}
    if consumer is not None:
        for rp, res in consumer.allocations.items():
            allocations[rp] = {"generation": svc.providers[rp].generation, "resources": dict(res)}
        if req.ctx.mv("1.12"):
            body["project_id"] = consumer.project_id
            body["user_id"] = consumer.user_id
        if req.ctx.mv("1.28"):
            body["consumer_generation"] = consumer.generation
        if req.ctx.mv("1.38"):
            body["consumer_type"] = consumer.consumer_type or "unknown"
    return ApiResponse(body, headers=cache_headers(req))


def put_allocations(req: ApiRequest) -> ApiResponse:
    consumer = req.path["consumer"]
    if not UUID_RE.match(consumer):
        raise BadRequest(f"Malformed consumer_uuid: {consumer}")
    if req.ctx.mv("1.12"):
        check(dict_form(req), req.body)
    else:
        schema = LIST_FORM
        if req.ctx.mv("1.8"):
            schema = {**LIST_FORM, "required": ["allocations", "project_id", "user_id"]}
        check(schema, req.body)
    request = _request_from_body(req, req.body)
    placement(req).replace_allocations(
        {normalize_uuid(consumer): request}, check_consumer_generation=req.ctx.mv("1.28")
    )
    return ApiResponse(None, 204)


def post_allocations(req: ApiRequest) -> ApiResponse:
    require_mv(req, "1.13")
    body = req.body
    if not isinstance(body, dict) or not body:
        raise BadRequest("JSON does not validate: {} does not have enough properties")
    requests = {}
    schema = dict_form(req)
    schema["properties"]["allocations"]["minProperties"] = 0
    for consumer, item in body.items():
        if not UUID_RE.match(consumer):
            raise BadRequest(f"JSON does not validate: '{consumer}' does not match any of the regexes")
        check(schema, item)
        requests[normalize_uuid(consumer)] = _request_from_body(req, item)
    placement(req).replace_allocations(requests, check_consumer_generation=req.ctx.mv("1.28"))
    return ApiResponse(None, 204)


def delete_allocations(req: ApiRequest) -> ApiResponse:
    placement(req).delete_allocations(req.path["consumer"])
    return ApiResponse(None, 204)


def usages(req: ApiRequest) -> ApiResponse:
    require_mv(req, "1.9")
    project_id = req.query.get("project_id")
    if not project_id:
        raise BadRequest("Invalid query string parameters: 'project_id' is a required property")
    consumer_type = req.query.get("consumer_type") if req.ctx.mv("1.38") else None
    by_type = placement(req).usages(project_id, req.query.get("user_id"), consumer_type)
    if req.ctx.mv("1.38"):
        if consumer_type == "all" and by_type:
            total: dict[str, Any] = {"consumer_count": 0}
            for bucket in by_type.values():
                for key, value in bucket.items():
                    total[key] = total.get(key, 0) + value
            by_type = {"all": total}
        return ApiResponse({"usages": by_type}, headers=cache_headers(req))
    flat: dict[str, int] = {}
    for bucket in by_type.values():
        for key, value in bucket.items():
            if key != "consumer_count":
                flat[key] = flat.get(key, 0) + value
    return ApiResponse({"usages": flat}, headers=cache_headers(req))


def _not_found(req: ApiRequest) -> None:
    raise NotFound("The resource could not be found.")


def register(api: ServiceApi) -> None:
    api.add("GET", "/allocations/{consumer}", get_allocations)
    api.add("PUT", "/allocations/{consumer}", put_allocations)
    api.add("DELETE", "/allocations/{consumer}", delete_allocations)
    api.add("POST", "/allocations", post_allocations)
    api.add("GET", "/usages", usages)
