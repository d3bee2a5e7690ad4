"""``/resource_providers``: providers, their traits, aggregates, usages and allocations."""

from __future__ import annotations

import re
from typing import Any

from twinstack.core.errors import BadRequest
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.placement.api import cache_headers, check, placement, require_mv, rp_links
from twinstack.services.placement.state import Provider

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
_UUID = {"type": "string", "pattern": UUID_RE.pattern}

CREATE = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 200, "minLength": 1},
        "uuid": _UUID,
        "parent_provider_uuid": {"anyOf": [_UUID, {"type": "null"}]},
    },
    "required": ["name"],
    "additionalProperties": False,
}
UPDATE = {**CREATE, "properties": dict(CREATE["properties"])}  # type: ignore[arg-type]

TRAITS_PUT = {
    "type": "object",
    "properties": {
        "traits": {"type": "array", "items": {"type": "string", "pattern": "^[A-Z0-9_]+$"}},
        "resource_provider_generation": {"type": "integer"},
    },
    "required": ["traits", "resource_provider_generation"],
    "additionalProperties": False,
}
AGGS_LIST = {"type": "array", "items": _UUID, "uniqueItems": True}
AGGS_PUT = {
    "type": "object",
    "properties": {"aggregates": AGGS_LIST, "resource_provider_generation": {"type": "integer"}},
    "required": ["aggregates", "resource_provider_generation"],
    "additionalProperties": False,
}


def normalize_uuid(value: str) -> str:
    raw = value.replace("-", "").lower()
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"


def view(p: Provider, req: ApiRequest) -> dict[str, Any]:
    body: dict[str, Any] = {
        "uuid": p.uuid,
        "name": p.name,
        "generation": p.generation,
        "links": rp_links(p.uuid, req),
    }
    if req.ctx.mv("1.14"):
        body["parent_provider_uuid"] = p.parent_uuid
        body["root_provider_uuid"] = p.root_uuid
    return body


def parse_member_of(req: ApiRequest) -> tuple[list[set[str]], set[str]]:
    """``member_of=in:a,b`` (any of), repeated (all of, 1.24), ``!`` forbidden (1.32)."""
    groups: list[set[str]] = []
    forbidden: set[str] = set()
    values = req.query.getlist("member_of")
    if len(values) > 1 and not req.ctx.mv("1.24"):
        raise BadRequest(
            "Query parameter 'member_of' can only be specified once.", kind="placement.query.duplicate_key"
        )
    for raw in values:
        negate = raw.startswith("!") and req.ctx.mv("1.32")
        text = raw[1:] if negate else raw
        if text.startswith("in:"):
            if negate:
                raise BadRequest(
                    "The query parameter 'member_of' with '!in:' is not supported.",
                    kind="placement.query.bad_value",
                )
            text = text[3:]
        items = {a.strip() for a in text.split(",") if a.strip()}
        if not items or not all(UUID_RE.match(a) for a in items):
            raise BadRequest(
                f"Invalid query string parameters: Expected 'member_of' parameter to contain valid "
                f"UUID(s). Got: {raw}",
                kind="placement.query.bad_value",
            )
        items = {normalize_uuid(a) for a in items}
        if negate:
            forbidden |= items
        else:
            groups.append(items)
    return groups, forbidden


def parse_resources(text: str) -> dict[str, int]:
    result: dict[str, int] = {}
    for part in text.split(","):
        try:
            rc, amount = part.split(":")
            value = int(amount)
        except ValueError:
            raise BadRequest(
                "Badly formed resources parameter. Expected resources query string parameter in "
                f"form: ?resources=VCPU:2,MEMORY_MB:1024. Got: {text}.",
                kind="placement.query.bad_value",
            ) from None
        if rc in result:
            raise BadRequest(
                f"Badly formed resources parameter. Expected resources query string parameter in "
                f"form: ?resources=VCPU:2,MEMORY_MB:1024. Got: {text}.",
                kind="placement.query.bad_value",
            )
        if value < 1:
            raise BadRequest(
                f"Requested resource {rc} expected positive integer amount. Got: {value}.",
                kind="placement.query.bad_value",
            )
        result[rc.strip()] = value
    return result


def parse_required(req: ApiRequest, values: list[str]) -> tuple[set[str], set[str], list[set[str]]]:
    required: set[str] = set()
    forbidden: set[str] = set()
    any_of: list[set[str]] = []
    svc = placement(req)
    for raw in values:
        if raw.startswith("in:") and req.ctx.mv("1.39"):
            group = {t.strip() for t in raw[3:].split(",") if t.strip()}
            any_of.append(group)
            names = group
        else:
            names = set()
            for t in (x.strip() for x in raw.split(",")):
                if not t:
                    raise BadRequest(
                        f"Invalid query string parameters: Expected 'required' parameter value of the "
                        f"form: HW_CPU_X86_VMX,CUSTOM_MAGIC. Got: {raw}",
                        kind="placement.query.bad_value",
                    )
                if t.startswith("!") and req.ctx.mv("1.22"):
                    forbidden.add(t[1:])
                    names.add(t[1:])
                else:
                    required.add(t)
                    names.add(t)
        missing = sorted(n for n in names if not svc.trait_exists(n))
        if missing:
            raise BadRequest(f"No such trait(s): {', '.join(missing)}.")
    if required & forbidden:
        raise BadRequest(
            "Conflicting required and forbidden traits found in the following traits keys: "
            f"{', '.join(sorted(required & forbidden))}",
            kind="placement.query.bad_value",
        )
    return required, forbidden, any_of


def list_providers(req: ApiRequest) -> ApiResponse:
    svc = placement(req)
    q = req.query
    known = {"name", "uuid"}
    if req.ctx.mv("1.3"):
        known.add("member_of")
    if req.ctx.mv("1.4"):
        known.add("resources")
    if req.ctx.mv("1.14"):
        known.add("in_tree")
    if req.ctx.mv("1.18"):
        known.add("required")
    unknown = sorted(set(q.keys()) - known)
    if unknown:
        raise BadRequest(
            f"Invalid query string parameters: Additional properties are not allowed "
            f"('{unknown[0]}' was unexpected)"
        )
    kwargs: dict[str, Any] = {"name": q.get("name")}
    if q.get("uuid") is not None:
        if not UUID_RE.match(q["uuid"]):
            raise BadRequest(f"Invalid query string parameters: '{q['uuid']}' is not a 'uuid'")
        kwargs["uuid"] = normalize_uuid(q["uuid"])
    if "member_of" in q:
        kwargs["member_of"], kwargs["not_member_of"] = parse_member_of(req)
    if "resources" in q:
        resources = parse_resources(q["resources"])
        svc.check_resource_classes(resources)
        kwargs["resources"] = resources
    if "in_tree" in q:
        kwargs["in_tree"] = q["in_tree"]
    if "required" in q:
        kwargs["required"], kwargs["forbidden"], kwargs["any_traits"] = parse_required(
            req, q.getlist("required")
        )
    providers = svc.list_providers(**kwargs)
    return ApiResponse({"resource_providers": [view(p, req) for p in providers]}, headers=cache_headers(req))


def create_provider(req: ApiRequest) -> ApiResponse:
    body = req.body
    schema = (
        CREATE
        if req.ctx.mv("1.14")
        else {
            **CREATE,
            "properties": {k: v for k, v in CREATE["properties"].items() if k != "parent_provider_uuid"},
        }
    )
    check(schema, body)
    uuid = normalize_uuid(body["uuid"]) if body.get("uuid") else None
    parent = normalize_uuid(body["parent_provider_uuid"]) if body.get("parent_provider_uuid") else None
    p = placement(req).create_provider(body["name"], uuid, parent)
    headers = {"Location": req.url_for(f"/placement/resource_providers/{p.uuid}")}
    if req.ctx.mv("1.20"):
        return ApiResponse(view(p, req), 200, {**headers, **cache_headers(req)})
    return ApiResponse(None, 201, headers)


def get_provider(req: ApiRequest) -> ApiResponse:
    p = placement(req).get_provider(req.path["uuid"])
    return ApiResponse(view(p, req), headers=cache_headers(req, p.updated_at))


def update_provider(req: ApiRequest) -> ApiResponse:
    body = req.body
    props = {k: v for k, v in CREATE["properties"].items() if k != "uuid"}  # type: ignore[attr-defined]
    if not req.ctx.mv("1.14"):
        props.pop("parent_provider_uuid")
    check({**CREATE, "properties": props}, body)
    parent: Any = ...
    if "parent_provider_uuid" in body:
        parent = normalize_uuid(body["parent_provider_uuid"]) if body["parent_provider_uuid"] else None
    p = placement(req).update_provider(req.path["uuid"], body["name"], parent)
    return ApiResponse(view(p, req), headers=cache_headers(req, p.updated_at))


def delete_provider(req: ApiRequest) -> ApiResponse:
    placement(req).delete_provider(req.path["uuid"])
    return ApiResponse(None, 204)


def get_traits(req: ApiRequest) -> ApiResponse:
    require_mv(req, "1.6")
    p = placement(req).get_provider(req.path["uuid"])
    return ApiResponse(
        {"traits": sorted(p.traits), "resource_provider_generation": p.generation},
        headers=cache_headers(req, p.updated_at),
    )


def put_traits(req: ApiRequest) -> dict[str, Any]:
    require_mv(req, "1.6")
    check(TRAITS_PUT, req.body)
    p = placement(req).set_traits(
        req.path["uuid"], req.body["resource_provider_generation"], req.body["traits"]
    )
    return {"traits": sorted(p.traits), "resource_provider_generation": p.generation}


def delete_traits(req: ApiRequest) -> ApiResponse:
    require_mv(req, "1.6")
    svc = placement(req)
    svc.set_traits(req.path["uuid"], None, [])
    return ApiResponse(None, 204)


def _aggs_body(p: Provider, req: ApiRequest) -> dict[str, Any]:
    body: dict[str, Any] = {"aggregates": sorted(p.aggregates)}
    if req.ctx.mv("1.19"):
        body["resource_provider_generation"] = p.generation
    return body


def get_aggregates(req: ApiRequest) -> ApiResponse:
    require_mv(req, "1.1")
    p = placement(req).get_provider(req.path["uuid"])
    return ApiResponse(_aggs_body(p, req), headers=cache_headers(req, p.updated_at))


def put_aggregates(req: ApiRequest) -> dict[str, Any]:
    require_mv(req, "1.1")
    svc = placement(req)
    if req.ctx.mv("1.19"):
        check(AGGS_PUT, req.body)
        generation, aggs = req.body["resource_provider_generation"], req.body["aggregates"]
    else:
        check(AGGS_LIST, req.body)
        generation, aggs = None, req.body
    p = svc.set_aggregates(req.path["uuid"], generation, [normalize_uuid(a) for a in aggs])
    return _aggs_body(p, req)


def get_usages(req: ApiRequest) -> ApiResponse:
    p = placement(req).get_provider(req.path["uuid"])
    usages = {rc: p.used.get(rc, 0) for rc in p.inventories}
    for rc, used in p.used.items():
        if used:
            usages[rc] = used
    return ApiResponse(
        {"usages": usages, "resource_provider_generation": p.generation}, headers=cache_headers(req)
    )


def get_provider_allocations(req: ApiRequest) -> ApiResponse:
    require_mv(req, "1.11")
    svc = placement(req)
    p = svc.get_provider(req.path["uuid"])
    allocations = {c: {"resources": res} for c, res in svc.provider_allocations(p.uuid).items()}
    return ApiResponse(
        {"allocations": allocations, "resource_provider_generation": p.generation}, headers=cache_headers(req)
    )


def register(api: ServiceApi) -> None:
    api.add("GET", "/resource_providers", list_providers)
    api.add("POST", "/resource_providers", create_provider, status=201)
    api.add("GET", "/resource_providers/{uuid}", get_provider)
    api.add("PUT", "/resource_providers/{uuid}", update_provider)
    api.add("DELETE", "/resource_providers/{uuid}", delete_provider)
    api.add("GET", "/resource_providers/{uuid}/traits", get_traits)
    api.add("PUT", "/resource_providers/{uuid}/traits", put_traits)
    api.add("DELETE", "/resource_providers/{uuid}/traits", delete_traits)
    api.add("GET", "/resource_providers/{uuid}/aggregates", get_aggregates)
    api.add("PUT", "/resource_providers/{uuid}/aggregates", put_aggregates)
    api.add("GET", "/resource_providers/{uuid}/usages", get_usages)
    api.add("GET", "/resource_providers/{uuid}/allocations", get_provider_allocations)
