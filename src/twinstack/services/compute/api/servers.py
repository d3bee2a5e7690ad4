"""``/servers``: create, list (filters, sort, paging), show, update, delete."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import urlencode

import orjson

from twinstack.core.errors import BadRequest, Forbidden, NotFound
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.compute.api import (
    api_url,
    bool_param,
    check,
    compute,
    int_param,
    links,
    normalize_ipv6,
    route,
)
from twinstack.services.compute.api.views import server_body, server_ref
from twinstack.services.compute.servers import SORT_KEYS

_NAME = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"^(?!\s)[\s\S]*(?<!\s)$"}
_UUID_OR_EMPTY = {"type": "string"}
FQDN = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[a-zA-Z0-9-._]*$"}
_NETWORK_ITEM = {
    "type": "object",
    "properties": {
        "fixed_ip": {"type": "string"},
        "port": {"type": ["string", "null"]},
        "uuid": {"type": "string"},
        "tag": {"type": "string", "maxLength": 60},
    },
    "additionalProperties": False,
}
_BDM = {
    "type": "object",
    "properties": {
        "source_type": {"type": "string", "enum": ["volume", "image", "snapshot", "blank"]},
        "uuid": {"type": "string"},
        "image_id": {"type": "string"},
        "destination_type": {"type": "string", "enum": ["local", "volume"]},
        "guest_format": {"type": "string"},
        "device_type": {"type": "string"},
        "disk_bus": {"type": "string"},
        "boot_index": {"type": ["integer", "string", "null"]},
        "tag": {"type": "string"},
        "delete_on_termination": {"type": ["boolean", "string"]},
        "volume_size": {"type": ["integer", "string"]},
        "device_name": {"type": "string"},
        "no_device": {},
        "volume_type": {"type": ["string", "null"]},
        "connection_info": {"type": "string"},
        "snapshot_id": {"type": "string"},
        "volume_id": {"type": "string"},
    },
    "additionalProperties": False,
}


_SCHEMA_VERSIONS = ("2.19", "2.37", "2.52", "2.57", "2.63", "2.74", "2.90", "2.94")
_CREATE_SCHEMAS: dict[tuple[bool, ...], dict[str, Any]] = {}


def create_schema(req: ApiRequest) -> dict[str, Any]:
    """The create body schema at the request's microversion (built once per set of changes)."""
    key = tuple(req.ctx.mv(v) for v in _SCHEMA_VERSIONS)
    schema = _CREATE_SCHEMAS.get(key)
    if schema is None:
        schema = _CREATE_SCHEMAS[key] = _build_create_schema(req)
    return schema


def _build_create_schema(req: ApiRequest) -> dict[str, Any]:
    ctx = req.ctx
    props: dict[str, Any] = {
        "name": _NAME,
        "imageRef": _UUID_OR_EMPTY,
        "flavorRef": {"type": ["string", "integer"], "minLength": 1},
        "adminPass": {"type": "string"},
        "metadata": {
            "type": "object",
            "patternProperties": {"^[a-zA-Z0-9-_:. ]{1,255}$": {"type": "string", "maxLength": 255}},
            "additionalProperties": False,
        },
        "networks": {"type": "array", "items": _NETWORK_ITEM},
        "OS-DCF:diskConfig": {"type": "string", "enum": ["AUTO", "MANUAL"]},
        "accessIPv4": {"type": "string", "format": "ipv4"},
        "accessIPv6": {"type": "string", "format": "ipv6"},
        "availability_zone": {"type": "string", "minLength": 1, "maxLength": 255},
        "block_device_mapping": {"type": "array"},
        "block_device_mapping_v2": {"type": "array", "items": _BDM},
        "config_drive": {"type": ["boolean", "string"]},
        "key_name": {"type": "string", "minLength": 1, "maxLength": 255},
        "min_count": {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 1},
        "max_count": {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 1},
        "return_reservation_id": {"type": ["boolean", "string"]},
        "security_groups": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}},
                "additionalProperties": False,
            },
        },
        "user_data": {"type": "string", "maxLength": 65535},
    }
    required = ["name", "flavorRef"]
    if not ctx.mv("2.57"):
        props["personality"] = {"type": "array"}
    if ctx.mv("2.19"):
        props["description"] = {"type": ["string", "null"], "maxLength": 255}
    if ctx.mv("2.37"):
        props["networks"] = {
            "oneOf": [{"type": "array", "items": _NETWORK_ITEM}, {"type": "string", "enum": ["none", "auto"]}]
        }
        required.append("networks")
    if ctx.mv("2.52"):
        props["tags"] = {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": 60, "pattern": "^[^,/]*$"},
            "maxItems": 50,
        }
    if ctx.mv("2.63"):
        props["trusted_image_certificates"] = {"type": ["array", "null"], "items": {"type": "string"}}
    if ctx.mv("2.74"):
        props["host"] = {"type": "string"}
        props["hypervisor_hostname"] = {"type": "string"}
    if ctx.mv("2.90"):
        props["hostname"] = {"type": "string", "minLength": 2, "maxLength": 63}
    if ctx.mv("2.94"):
        props["hostname"] = FQDN
    return {
        "type": "object",
        "properties": {
            "server": {
                "type": "object",
                "properties": props,
                "required": required,
                "additionalProperties": False,
            },
            "os:scheduler_hints": {"type": "object"},
            "OS-SCH-HNT:scheduler_hints": {"type": "object"},
        },
        "required": ["server"],
        "additionalProperties": False,
    }


def _user_data(value: str | None) -> None:
    if value is None:
        return
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest("User data needs to be valid base 64.") from None


def _check_security_groups(req: ApiRequest, groups: list[dict[str, Any]]) -> None:
    """Requested groups must exist for the project (nova: 400 before anything is created)."""
    from twinstack.services.compute.api.network_proxies import find_group

    for item in groups:
        name = item.get("name")
        if not name or name == "default":
            continue
        try:
            find_group(req, name)
        except NotFound:
            raise BadRequest(f"Security group {name} not found for project {req.ctx.project_id}.") from None


async def create_server(req: ApiRequest) -> ApiResponse:
    check(create_schema(req), req.body)
    server = dict(req.body["server"])
    normalize_ipv6(server)
    _user_data(server.get("user_data"))
    hints = req.body.get("os:scheduler_hints") or req.body.get("OS-SCH-HNT:scheduler_hints")
    if hints:
        server["os:scheduler_hints"] = hints
    if server.get("networks") == "none":
        server["networks"] = "none"
    for key in ("min_count", "max_count"):
        if key in server:
            server[key] = int(server[key])
    _check_security_groups(req, server.get("security_groups") or [])
    svc = compute(req)
    instances, reservation_id, admin_pass = svc.create_servers(req.ctx, server)
    for inst in instances:
        svc.set_disk_config(inst["id"], server.get("OS-DCF:diskConfig"))
    await svc.cast_build(req.ctx, instances, reservation_id)
    if bool_param(str(server.get("return_reservation_id", "false"))):
        return ApiResponse({"reservation_id": reservation_id}, 202)
    first = instances[0]
    body: dict[str, Any] = {
        "id": first["id"],
        "links": links(req, "servers", first["id"]),
        "OS-DCF:diskConfig": server.get("OS-DCF:diskConfig", "MANUAL"),
        "security_groups": [{"name": n} for n in first["security_groups"]],
    }
    body["adminPass"] = admin_pass
    return ApiResponse({"server": body}, 202, {"Location": api_url(req, f"/servers/{first['id']}")})


_PUBLIC_FILTERS = {
    "name",
    "status",
    "image",
    "flavor",
    "ip",
    "changes-since",
    "reservation_id",
    "all_tenants",
}


def _filters(req: ApiRequest) -> tuple[dict[str, Any], bool]:
    ctx = req.ctx
    q = req.query
    allowed = set(_PUBLIC_FILTERS)
    if ctx.mv("2.26"):
        allowed |= {"tags", "tags-any", "not-tags", "not-tags-any"}
    if ctx.mv("2.66"):
        allowed.add("changes-before")
    if ctx.mv("2.73"):
        allowed.add("locked")
    if ctx.mv("2.83"):
        allowed |= {
            "availability_zone",
            "config_drive",
            "key_name",
            "created_at",
            "launched_at",
            "terminated_at",
            "power_state",
            "task_state",
            "vm_state",
            "progress",
            "user_id",
        }
    if ctx.is_admin:
        allowed |= {
            "host",
            "node",
            "project_id",
            "tenant_id",
            "user_id",
            "deleted",
            "ip6",
            "availability_zone",
            "key_name",
            "uuid",
            "hostname",
            "description",
        }
    filters: dict[str, Any] = {}
    for key in q:
        if key not in allowed:
            continue
        value = q.getlist(key)[-1]
        if key == "tenant_id":
            key = "project_id"
        if key == "locked":
            parsed = bool_param(value)
            if parsed is None:
                continue
            filters[key] = parsed
        elif key == "deleted":
            filters[key] = bool_param(value)
        elif key == "status":
            filters[key] = ",".join(q.getlist("status"))
        elif key in ("changes-since", "changes-before"):
            from twinstack.core.clock import parse_isotime

            try:
                parse_isotime(value)
            except ValueError:
                raise BadRequest(
                    f"Invalid input for query parameters {key}. Value: {value}. '{value}' is not a "
                    "'date-time'"
                ) from None
            filters[key] = value
        elif key != "all_tenants":
            filters[key] = value
    all_tenants = "all_tenants" in q and bool_param(q.get("all_tenants") or "true") is not False
    # project_id/tenant_id filter an admin's listing only with all_tenants (nova's behaviour,
    # bug 1185290): without it the caller's own project is listed.
    if (
        "changes-since" in filters
        and "changes-before" in filters
        and filters["changes-since"] > filters["changes-before"]
    ):
        raise BadRequest("The value of changes-since must be less than or equal to changes-before.")
    return filters, all_tenants


def _list_page(req: ApiRequest, detail: bool) -> ApiResponse:
    """A page of servers; the rendered bytes are reused while the database is unchanged."""
    ctx = req.ctx
    key = (
        detail,
        req.url_for(),
        req.request.url.query,
        ctx.project_id,
        ctx.user_id,
        ctx.is_admin,
        tuple(sorted(ctx.roles)),
        str(ctx.microversion),
    )
    body = compute(req).list_cache.get_or_render(key, lambda: orjson.dumps(_list(req, detail)))
    return ApiResponse(body, 200, content_type="application/json")


def _list(req: ApiRequest, detail: bool) -> dict[str, Any]:
    svc = compute(req)
    filters, all_tenants = _filters(req)
    if all_tenants and not req.ctx.is_admin:
        rule = "detail" if detail else "index"
        raise Forbidden(
            f"Policy doesn't allow os_compute_api:servers:{rule}:get_all_tenants to be performed."
        )
    limit = int_param(req, "limit", 0)
    max_limit = 1000
    if limit is None or limit > max_limit:
        limit_used = max_limit if limit is None else max_limit
    else:
        limit_used = limit
    marker = req.query.get("marker")
    sort_keys = req.query.getlist("sort_key") or ["created_at"]
    sort_dirs = req.query.getlist("sort_dir") or ["desc"] * len(sort_keys)
    for key in sort_keys:
        if key not in SORT_KEYS:
            raise BadRequest(f"Invalid input for query parameters sort_key. Value: {key}.")
    for direction in sort_dirs:
        if direction not in ("asc", "desc"):
            raise BadRequest(f"Invalid input for query parameters sort_dir. Value: {direction}.")
    if len(sort_dirs) < len(sort_keys):
        sort_dirs += [sort_dirs[-1]] * (len(sort_keys) - len(sort_dirs))
    sort_dirs = sort_dirs[: len(sort_keys)]
    if "status" in filters and not any(
        __import__("twinstack.services.compute.states", fromlist=["x"]).states_from_status(st)
        for st in filters["status"].split(",")
    ):
        return {"servers": []}
    rows = svc.list_instances(
        req.ctx,
        filters,
        limit=limit_used,
        marker=marker,
        sort_keys=sort_keys,
        sort_dirs=sort_dirs,
        all_tenants=all_tenants,
    )
    if detail:
        addresses, groups = svc.network_info_many(rows)
        items = [
            server_body(req, inst, addresses=addresses[inst["id"]], security_groups=groups[inst["id"]])
            for inst in rows
        ]
    else:
        items = [server_ref(req, inst) for inst in rows]
    body: dict[str, Any] = {"servers": items}
    if rows and len(rows) == limit_used:
        params = [(k, v) for k, v in req.query.multi_items() if k not in ("marker", "limit")]
        params += [("limit", str(limit_used)), ("marker", rows[-1]["id"])]
        path = "/servers/detail" if detail else "/servers"
        body["servers_links"] = [{"rel": "next", "href": api_url(req, path) + "?" + urlencode(params)}]
    return body


def list_servers(req: ApiRequest) -> ApiResponse:
    return _list_page(req, False)


def list_servers_detail(req: ApiRequest) -> ApiResponse:
    return _list_page(req, True)


def show_server(req: ApiRequest) -> dict[str, Any]:
    inst = compute(req).get_instance(req.ctx, req.path["server_id"])
    return {"server": server_body(req, inst, show_groups=True)}


UPDATE = {
    "type": "object",
    "properties": {
        "server": {
            "type": "object",
            "properties": {
                "name": _NAME,
                "accessIPv4": {"type": "string", "format": "ipv4"},
                "accessIPv6": {"type": "string", "format": "ipv6"},
                "OS-DCF:diskConfig": {"type": "string", "enum": ["AUTO", "MANUAL"]},
                "description": {"type": ["string", "null"], "maxLength": 255},
                "hostname": {"type": "string", "minLength": 2, "maxLength": 255},
            },
            "additionalProperties": False,
        }
    },
    "required": ["server"],
    "additionalProperties": False,
}


_UPDATE_HOSTNAME = {"type": "object", "properties": {"hostname": {"type": "string", "maxLength": 63}}}
_UPDATE_HOSTNAME_294 = {"type": "object", "properties": {"hostname": FQDN}}


def update_server(req: ApiRequest) -> dict[str, Any]:
    check(UPDATE, req.body)
    body = dict(req.body["server"])
    normalize_ipv6(body)
    if "hostname" in body:
        check(_UPDATE_HOSTNAME_294 if req.ctx.mv("2.94") else _UPDATE_HOSTNAME, body)
    if "description" in body and not req.ctx.mv("2.19"):
        raise BadRequest(
            "Invalid input for field/attribute server. Additional properties are not allowed "
            "('description' was unexpected)"
        )
    if "hostname" in body and not req.ctx.mv("2.90"):
        raise BadRequest(
            "Invalid input for field/attribute server. Additional properties are not allowed "
            "('hostname' was unexpected)"
        )
    mapping = {
        "name": "display_name",
        "accessIPv4": "access_ip_v4",
        "accessIPv6": "access_ip_v6",
        "description": "display_description",
        "hostname": "hostname",
    }
    values = {mapping[k]: v for k, v in body.items() if k in mapping}
    svc = compute(req)
    inst = svc.get_instance(req.ctx, req.path["server_id"])
    svc.check_lock(req.ctx, inst)
    inst = svc.update_instance(req.ctx, req.path["server_id"], values)
    if "OS-DCF:diskConfig" in body:
        svc.set_disk_config(inst["id"], body["OS-DCF:diskConfig"])
        inst = svc.get_instance(req.ctx, inst["id"])
    return {"server": server_body(req, inst, full=req.ctx.mv("2.75"), show_groups=True)}


async def delete_server(req: ApiRequest) -> ApiResponse:
    await compute(req).delete_instance(req.ctx, req.path["server_id"])
    return ApiResponse(None, 204)


def register(api: ServiceApi) -> None:
    route(api, "POST", "/servers", create_server, status=202)
    route(api, "GET", "/servers", list_servers)
    route(api, "GET", "/servers/detail", list_servers_detail)
    route(api, "GET", "/servers/{server_id}", show_server)
    route(api, "PUT", "/servers/{server_id}", update_server)
    route(api, "DELETE", "/servers/{server_id}", delete_server, status=204)
