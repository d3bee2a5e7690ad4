"""Per-server sub-resources: metadata, tags, ips, instance actions, interfaces, diagnostics, volumes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from twinstack.core.errors import ApiError, BadRequest, Conflict, Forbidden, NotFound
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.compute import models as m
from twinstack.services.compute.api import check, compute, route, since
from twinstack.services.compute.api.views import ts

_META_KEY = "^[a-zA-Z0-9-_:. ]{1,255}$"
METADATA = {
    "type": "object",
    "properties": {
        "metadata": {
            "type": "object",
            "patternProperties": {_META_KEY: {"type": "string", "maxLength": 255}},
            "additionalProperties": False,
        }
    },
    "required": ["metadata"],
    "additionalProperties": False,
}
META_ITEM = {
    "type": "object",
    "properties": {
        "meta": {
            "type": "object",
            "patternProperties": {_META_KEY: {"type": "string", "maxLength": 255}},
            "additionalProperties": False,
            "minProperties": 1,
            "maxProperties": 1,
        }
    },
    "required": ["meta"],
    "additionalProperties": False,
}
TAG = {"type": "string", "minLength": 1, "maxLength": 60, "pattern": "^[^,/]*$"}


# metadata -----------------------------------------------------------------------------------------
def _inst(req: ApiRequest) -> dict[str, Any]:
    return compute(req).get_instance(req.ctx, req.path["server_id"])


def _writable(req: ApiRequest, action: str) -> dict[str, Any]:
    svc = compute(req)
    inst = _inst(req)
    svc.check_lock(req.ctx, inst)
    if inst["task_state"] is not None and action == "metadata" and inst["vm_state"] == "building":
        pass
    if inst["vm_state"] in ("deleted",) or inst["task_state"] in ("deleting",):
        raise Conflict(
            f"Cannot 'update metadata' instance {inst['id']} while it is in task_state {inst['task_state']}"
        )
    return inst


def _save_metadata(req: ApiRequest, inst: dict[str, Any], metadata: dict[str, str]) -> None:
    svc = compute(req)
    limit = svc.quota_limit(inst["project_id"], "metadata_items")
    if limit >= 0 and len(metadata) > limit:
        raise Forbidden(
            f"Quota exceeded for metadata_items: Requested {len(metadata)}, but already used 0 of "
            f"{limit} metadata_items"
        )
    svc.store.save(inst["id"], metadata=metadata)


def list_metadata(req: ApiRequest) -> dict[str, Any]:
    return {"metadata": dict(_inst(req)["metadata"] or {})}


def replace_metadata(req: ApiRequest) -> dict[str, Any]:
    check(METADATA, req.body)
    inst = _writable(req, "metadata")
    _save_metadata(req, inst, dict(req.body["metadata"]))
    return {"metadata": dict(req.body["metadata"])}


def update_metadata(req: ApiRequest) -> dict[str, Any]:
    check(METADATA, req.body)
    inst = _writable(req, "metadata")
    metadata = {**(inst["metadata"] or {}), **req.body["metadata"]}
    _save_metadata(req, inst, metadata)
    return {"metadata": metadata}


def get_metadata_item(req: ApiRequest) -> dict[str, Any]:
    metadata = _inst(req)["metadata"] or {}
    key = req.path["key"]
    if key not in metadata:
        raise NotFound("Metadata item was not found")
    return {"meta": {key: metadata[key]}}


def set_metadata_item(req: ApiRequest) -> dict[str, Any]:
    check(META_ITEM, req.body)
    key = req.path["key"]
    if key not in req.body["meta"]:
        raise BadRequest("Request body and URI mismatch")
    inst = _writable(req, "metadata")
    metadata = {**(inst["metadata"] or {}), key: req.body["meta"][key]}
    _save_metadata(req, inst, metadata)
    return {"meta": {key: req.body["meta"][key]}}


def delete_metadata_item(req: ApiRequest) -> ApiResponse:
    inst = _writable(req, "metadata")
    metadata = dict(inst["metadata"] or {})
    if req.path["key"] not in metadata:
        raise NotFound("Metadata item was not found")
    del metadata[req.path["key"]]
    compute(req).store.save(inst["id"], metadata=metadata)
    return ApiResponse(None, 204)


# tags (2.26) ---------------------------------------------------------------------------------------
def list_tags(req: ApiRequest) -> dict[str, Any]:
    since(req, "2.26")
    return {"tags": list(_inst(req)["tags"] or [])}


def _save_tags(req: ApiRequest, inst: dict[str, Any], tags: list[str]) -> None:
    if len(tags) > 50:
        raise BadRequest("The number of tags exceeded the per-server limit 50")
    compute(req).store.save(inst["id"], tags=tags)


def replace_tags(req: ApiRequest) -> dict[str, Any]:
    since(req, "2.26")
    check(
        {
            "type": "object",
            "properties": {"tags": {"type": "array", "items": TAG}},
            "required": ["tags"],
            "additionalProperties": False,
        },
        req.body,
    )
    inst = _writable(req, "tags")
    tags = list(dict.fromkeys(req.body["tags"]))
    _save_tags(req, inst, tags)
    return {"tags": tags}


def delete_tags(req: ApiRequest) -> ApiResponse:
    since(req, "2.26")
    inst = _writable(req, "tags")
    _save_tags(req, inst, [])
    return ApiResponse(None, 204)


def check_tag(req: ApiRequest) -> ApiResponse:
    since(req, "2.26")
    if req.path["tag"] not in (_inst(req)["tags"] or []):
        raise NotFound(f"Tag '{req.path['tag']}' could not be found.")
    return ApiResponse(None, 204)


def add_tag(req: ApiRequest) -> ApiResponse:
    since(req, "2.26")
    tag = req.path["tag"]
    from twinstack.core.validation import validate

    validate(TAG, tag, style="nova")
    inst = _writable(req, "tags")
    tags = list(inst["tags"] or [])
    if tag in tags:
        return ApiResponse(None, 204)
    _save_tags(req, inst, [*tags, tag])
    location = req.url_for(f"/compute/v2.1/servers/{inst['id']}/tags/{tag}")
    return ApiResponse(None, 201, {"Location": location})


def delete_tag(req: ApiRequest) -> ApiResponse:
    since(req, "2.26")
    inst = _writable(req, "tags")
    tags = list(inst["tags"] or [])
    if req.path["tag"] not in tags:
        raise NotFound(f"Tag '{req.path['tag']}' could not be found.")
    tags.remove(req.path["tag"])
    _save_tags(req, inst, tags)
    return ApiResponse(None, 204)


# ips ------------------------------------------------------------------------------------------------
def list_ips(req: ApiRequest) -> dict[str, Any]:
    inst = _inst(req)
    addresses = compute(req).addresses(inst["id"])
    return {
        "addresses": {
            n: [{"version": a["version"], "addr": a["addr"]} for a in items] for n, items in addresses.items()
        }
    }


def show_ips(req: ApiRequest) -> dict[str, Any]:
    inst = _inst(req)
    addresses = compute(req).addresses(inst["id"])
    network = req.path["network"]
    if network not in addresses:
        raise NotFound("Instance is not a member of specified network")
    return {network: [{"version": a["version"], "addr": a["addr"]} for a in addresses[network]]}


# instance actions -------------------------------------------------------------------------------------
def _action_view(req: ApiRequest, row: dict[str, Any]) -> dict[str, Any]:
    body = {
        "action": row["action"],
        "instance_uuid": row["instance_uuid"],
        "message": row["message"],
        "project_id": row["project_id"],
        "request_id": row["request_id"],
        "start_time": ts(row["start_time"]),
        "user_id": row["user_id"],
    }
    if req.ctx.mv("2.58"):
        body["updated_at"] = ts(row["updated_at"])
    return body


def _action_instance(req: ApiRequest) -> str:
    svc = compute(req)
    sid = req.path["server_id"]
    inst = svc.store.get(sid, deleted=req.ctx.mv("2.21"))
    if inst is None or (not req.ctx.is_admin and inst["project_id"] != req.ctx.project_id):
        raise NotFound(f"Instance {sid} could not be found.")
    return sid


def list_actions(req: ApiRequest) -> dict[str, Any]:
    sid = _action_instance(req)
    a = m.instance_actions
    with req.cloud.db.begin() as conn:
        rows = [
            dict(r)
            for r in conn.execute(
                select(a).where(a.c.instance_uuid == sid).order_by(a.c.start_time.desc(), a.c.id.desc())
            ).mappings()
        ]
    limit = req.query.get("limit")
    marker = req.query.get("marker")
    if marker and req.ctx.mv("2.58"):
        ids = [r["request_id"] for r in rows]
        if marker not in ids:
            raise BadRequest(f"Marker {marker} could not be found.")
        rows = rows[ids.index(marker) + 1 :]
    if limit and req.ctx.mv("2.58"):
        rows = rows[: int(limit)]
    body: dict[str, Any] = {"instanceActions": [_action_view(req, r) for r in rows]}
    return body


def show_action(req: ApiRequest) -> dict[str, Any]:
    sid = _action_instance(req)
    a = m.instance_actions
    e = m.instance_action_events
    with req.cloud.db.begin() as conn:
        row = (
            conn.execute(select(a).where(a.c.instance_uuid == sid, a.c.request_id == req.path["request_id"]))
            .mappings()
            .first()
        )
        if row is None:
            raise NotFound(f"Action for request_id {req.path['request_id']} on instance {sid} not found")
        events = [
            dict(r)
            for r in conn.execute(select(e).where(e.c.action_id == row["id"]).order_by(e.c.id)).mappings()
        ]
    body = _action_view(req, dict(row))
    show_traceback = req.ctx.is_admin
    views = []
    for ev in events:
        item: dict[str, Any] = {
            "event": ev["event"],
            "start_time": ts(ev["start_time"]),
            "finish_time": ts(ev["finish_time"]),
            "result": ev["result"],
        }
        if show_traceback:
            item["traceback"] = ev["traceback"]
        if req.ctx.mv("2.62"):
            if req.ctx.is_admin:
                item["host"] = ev["host"] or ""
            item["hostId"] = __import__("twinstack.services.compute.api.views", fromlist=["host_id"]).host_id(
                row["project_id"] or "", ev["host"]
            )
        if req.ctx.mv("2.84"):
            item["details"] = ev["details"]
        views.append(item)
    if req.ctx.is_admin or req.ctx.mv("2.51"):
        body["events"] = views
    return {"instanceAction": body}


# interfaces (os-interface) -----------------------------------------------------------------------------
def _network(req: ApiRequest) -> Any:
    return req.cloud.service("network")


def _interface_view(req: ApiRequest, port: dict[str, Any]) -> dict[str, Any]:
    body = {
        "port_id": port["id"],
        "net_id": port["network_id"],
        "mac_addr": port["mac_address"],
        "port_state": port.get("status", "ACTIVE"),
        "fixed_ips": [
            {"subnet_id": f["subnet_id"], "ip_address": f["ip_address"]} for f in port.get("fixed_ips", [])
        ],
    }
    if req.ctx.mv("2.70"):
        body["tag"] = None
    return body


def list_interfaces(req: ApiRequest) -> dict[str, Any]:
    inst = _inst(req)
    ports = _network(req).list_ports(req.ctx, device_id=inst["id"])
    return {"interfaceAttachments": [_interface_view(req, p) for p in ports]}


def show_interface(req: ApiRequest) -> dict[str, Any]:
    inst = _inst(req)
    try:
        port = _network(req).get_port(req.ctx, req.path["port_id"])
    except ApiError:
        raise NotFound("Network interface not found") from None
    if port.get("device_id") != inst["id"]:
        raise NotFound(f"Port {req.path['port_id']} is not attached")
    return {"interfaceAttachment": _interface_view(req, port)}


def attach_interface(req: ApiRequest) -> dict[str, Any]:
    check(
        {
            "type": "object",
            "properties": {
                "interfaceAttachment": {
                    "type": "object",
                    "properties": {
                        "net_id": {"type": "string"},
                        "port_id": {"type": "string"},
                        "fixed_ips": {"type": "array"},
                        "tag": {"type": "string"},
                    },
                    "additionalProperties": False,
                }
            },
            "additionalProperties": False,
        },
        req.body or {},
    )
    svc = compute(req)
    inst = _inst(req)
    svc.check_lock(req.ctx, inst)
    svc.check_state(inst, "attach_interface", ("active", "paused", "stopped"))
    network = _network(req)
    spec = (req.body or {}).get("interfaceAttachment") or {}
    try:
        if spec.get("port_id"):
            port = network.get_port(req.ctx, spec["port_id"])
            if port.get("device_id"):
                raise Conflict(f"Port {spec['port_id']} is still in use.")
            port = network.update_port(
                req.ctx,
                port["id"],
                {
                    "device_id": inst["id"],
                    "device_owner": f"compute:{inst['availability_zone']}",
                    "binding:host_id": inst["host"],
                },
            )
        else:
            body: dict[str, Any] = {
                "network_id": spec.get("net_id"),
                "device_id": inst["id"],
                "device_owner": f"compute:{inst['availability_zone']}",
                "binding:host_id": inst["host"],
                "project_id": inst["project_id"],
            }
            if spec.get("fixed_ips"):
                body["fixed_ips"] = [{"ip_address": f["ip_address"]} for f in spec["fixed_ips"]]
            if not spec.get("net_id"):
                raise BadRequest("Network ID is required to create a port")
            port = network.create_port(req.ctx, body)
    except ApiError as exc:
        if exc.status in (400, 409):
            raise
        raise BadRequest(exc.message) from None
    svc.store.start_action(req.ctx, [inst["id"]], "attach_interface")
    return {"interfaceAttachment": _interface_view(req, port)}


def detach_interface(req: ApiRequest) -> ApiResponse:
    svc = compute(req)
    inst = _inst(req)
    svc.check_lock(req.ctx, inst)
    network = _network(req)
    try:
        port = network.get_port(req.ctx, req.path["port_id"])
    except ApiError:
        raise NotFound(f"Port {req.path['port_id']} is not attached") from None
    if port.get("device_id") != inst["id"]:
        raise NotFound(f"Port {req.path['port_id']} is not attached")
    network.delete_port(req.ctx, port["id"])
    svc.store.start_action(req.ctx, [inst["id"]], "detach_interface")
    return ApiResponse(None, 202)


# diagnostics, volumes, misc ----------------------------------------------------------------------------
async def diagnostics(req: ApiRequest) -> dict[str, Any]:
    from twinstack.services.compute.api import admin_only

    admin_only(req, "os_compute_api:os-server-diagnostics")
    data = await compute(req).diagnostics(req.ctx, req.path["server_id"])
    if req.ctx.mv("2.48"):
        return {
            "state": "running",
            "driver": "libvirt",
            "hypervisor": "qemu",
            "hypervisor_os": "linux",
            "uptime": 46664,
            "config_drive": False,
            "num_cpus": 1,
            "num_nics": 0,
            "num_disks": 1,
            "memory_details": {"maximum": data.get("memory", 0) // 1024, "used": 0},
            "cpu_details": [{"id": 0, "time": 17300000000, "utilisation": 15}],
            "nic_details": [],
            "disk_details": [
                {
                    "read_bytes": 262144,
                    "read_requests": 112,
                    "write_bytes": 5778432,
                    "write_requests": 488,
                    "errors_count": 1,
                }
            ],
        }
    return data


def server_password(req: ApiRequest) -> dict[str, Any]:
    _inst(req)
    return {"password": ""}


def clear_password(req: ApiRequest) -> ApiResponse:
    _inst(req)
    return ApiResponse(None, 204)


def register(api: ServiceApi) -> None:
    route(api, "GET", "/servers/{server_id}/metadata", list_metadata)
    route(api, "PUT", "/servers/{server_id}/metadata", replace_metadata)
    route(api, "POST", "/servers/{server_id}/metadata", update_metadata)
    route(api, "GET", "/servers/{server_id}/metadata/{key}", get_metadata_item)
    route(api, "PUT", "/servers/{server_id}/metadata/{key}", set_metadata_item)
    route(api, "DELETE", "/servers/{server_id}/metadata/{key}", delete_metadata_item, status=204)
    route(api, "GET", "/servers/{server_id}/tags", list_tags)
    route(api, "PUT", "/servers/{server_id}/tags", replace_tags)
    route(api, "DELETE", "/servers/{server_id}/tags", delete_tags, status=204)
    route(api, "GET", "/servers/{server_id}/tags/{tag}", check_tag, status=204)
    route(api, "PUT", "/servers/{server_id}/tags/{tag}", add_tag, status=201, body="none")
    route(api, "DELETE", "/servers/{server_id}/tags/{tag}", delete_tag, status=204)
    route(api, "GET", "/servers/{server_id}/ips", list_ips)
    route(api, "GET", "/servers/{server_id}/ips/{network}", show_ips)
    route(api, "GET", "/servers/{server_id}/os-instance-actions", list_actions)
    route(api, "GET", "/servers/{server_id}/os-instance-actions/{request_id}", show_action)
    route(api, "GET", "/servers/{server_id}/os-interface", list_interfaces)
    route(api, "POST", "/servers/{server_id}/os-interface", attach_interface)
    route(api, "GET", "/servers/{server_id}/os-interface/{port_id}", show_interface)
    route(api, "DELETE", "/servers/{server_id}/os-interface/{port_id}", detach_interface, status=202)
    route(api, "GET", "/servers/{server_id}/diagnostics", diagnostics)
    route(api, "GET", "/servers/{server_id}/os-server-password", server_password)
    route(api, "DELETE", "/servers/{server_id}/os-server-password", clear_password, status=204)
