"""``os-services``, ``os-hypervisors``, ``os-aggregates``, ``os-availability-zone``."""

from __future__ import annotations

import json
from typing import Any

from twinstack.core.errors import BadRequest, NotFound
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.compute.api import (
    admin_only,
    bool_param,
    check,
    compute,
    int_param,
    route,
    since,
    until,
)
from twinstack.services.compute.api.views import ts, usage_ts
from twinstack.services.compute.hosts import INTERNAL_ZONE


# services ----------------------------------------------------------------------------------------
def _service_view(req: ApiRequest, svc_row: dict[str, Any], zones: dict[str, str]) -> dict[str, Any]:
    svc = compute(req)
    body: dict[str, Any] = {
        "id": svc_row["uuid"] if req.ctx.mv("2.53") else svc_row["id"],
        "binary": svc_row["binary"],
        "host": svc_row["host"],
        "zone": zones.get(svc_row["host"], INTERNAL_ZONE)
        if svc_row["binary"] == "nova-compute"
        else INTERNAL_ZONE,
        "status": "disabled" if svc_row["disabled"] else "enabled",
        "state": "up" if svc.service_is_up(svc_row) else "down",
        "updated_at": usage_ts(svc_row["updated_at"] or svc_row["last_seen_up"]),
        "disabled_reason": svc_row["disabled_reason"],
    }
    if req.ctx.mv("2.11"):
        body["forced_down"] = bool(svc_row["forced_down"])
    return body


def list_services(req: ApiRequest) -> dict[str, Any]:
    admin_only(req, "os_compute_api:os-services:list")
    svc = compute(req)
    zones = svc.host_zones()
    rows = svc.list_services(req.query.get("host"), req.query.get("binary"))
    return {"services": [_service_view(req, r, zones) for r in rows]}


def _host_binary(req: ApiRequest, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    props = {
        "host": {"type": "string", "minLength": 1, "maxLength": 255},
        "binary": {"type": "string", "minLength": 1, "maxLength": 255},
        **(extra or {}),
    }
    check(
        {
            "type": "object",
            "properties": props,
            "required": ["host", "binary"],
            "additionalProperties": False,
        },
        req.body,
    )
    return dict(req.body)


def update_service_legacy(req: ApiRequest) -> dict[str, Any]:
    admin_only(req, "os_compute_api:os-services:update")
    if req.ctx.mv("2.53"):
        raise NotFound("The resource could not be found.")
    action = req.path["action"]
    svc = compute(req)
    if action == "enable":
        body = _host_binary(req)
        row = svc.update_service(
            svc.find_service(body["host"], body["binary"]), disabled=False, disabled_reason=None
        )
        return {"service": {"host": row["host"], "binary": row["binary"], "status": "enabled"}}
    if action == "disable":
        body = _host_binary(req)
        row = svc.update_service(svc.find_service(body["host"], body["binary"]), disabled=True)
        return {"service": {"host": row["host"], "binary": row["binary"], "status": "disabled"}}
    if action == "disable-log-reason":
        body = _host_binary(req, {"disabled_reason": {"type": "string", "minLength": 1, "maxLength": 255}})
        if not body.get("disabled_reason"):
            raise BadRequest("Missing disabled reason field")
        row = svc.update_service(
            svc.find_service(body["host"], body["binary"]),
            disabled=True,
            disabled_reason=body["disabled_reason"],
        )
        return {
            "service": {
                "host": row["host"],
                "binary": row["binary"],
                "status": "disabled",
                "disabled_reason": row["disabled_reason"],
            }
        }
    if action == "force-down" and req.ctx.mv("2.11"):
        body = _host_binary(req, {"forced_down": {"type": ["boolean", "string"]}})
        forced = bool(bool_param(str(body.get("forced_down"))))
        row = svc.update_service(svc.find_service(body["host"], body["binary"]), forced_down=forced)
        return {
            "service": {"host": row["host"], "binary": row["binary"], "forced_down": bool(row["forced_down"])}
        }
    raise NotFound("Unknown action")


def put_service(req: ApiRequest) -> dict[str, Any]:
    """``PUT /os-services/{enable,disable,...}`` before 2.53, ``PUT /os-services/{uuid}`` from 2.53."""
    if req.ctx.mv("2.53"):
        return update_service(req)
    req.path["action"] = req.path["service_id"]
    return update_service_legacy(req)


def update_service(req: ApiRequest) -> dict[str, Any]:
    since(req, "2.53")
    admin_only(req, "os_compute_api:os-services:update")
    check(
        {
            "type": "object",
            "properties": {
                "status": {"type": "string", "enum": ["enabled", "disabled"]},
                "disabled_reason": {"type": "string", "minLength": 1, "maxLength": 255},
                "forced_down": {"type": "boolean"},
            },
            "additionalProperties": False,
        },
        req.body,
    )
    body = req.body
    if "disabled_reason" in body and body.get("status") != "disabled":
        raise BadRequest("Specifying 'disabled_reason' with status 'enabled' is invalid.")
    svc = compute(req)
    row = svc.get_service(req.path["service_id"])
    if row["binary"] != "nova-compute":
        raise BadRequest(
            f"Updating a {row['binary']} service is not supported. Only nova-compute services can be updated."
        )
    values: dict[str, Any] = {}
    if "status" in body:
        values["disabled"] = body["status"] == "disabled"
        values["disabled_reason"] = body.get("disabled_reason") if values["disabled"] else None
    if "forced_down" in body:
        values["forced_down"] = body["forced_down"]
    row = svc.update_service(row, **values)
    return {"service": _service_view(req, row, svc.host_zones())}


def delete_service(req: ApiRequest) -> ApiResponse:
    admin_only(req, "os_compute_api:os-services:delete")
    svc = compute(req)
    svc.delete_service(svc.get_service(req.path["service_id"]))
    return ApiResponse(None, 204)


# hypervisors ------------------------------------------------------------------------------------
def _hv_brief(req: ApiRequest, node: dict[str, Any]) -> dict[str, Any]:
    svc = compute(req)
    rows = svc.list_services(node["host"], "nova-compute")
    service = rows[0] if rows else None
    return {
        "id": node["uuid"] if req.ctx.mv("2.53") else node["id"],
        "hypervisor_hostname": node["hypervisor_hostname"],
        "state": "up" if service and svc.service_is_up(service) else "down",
        "status": "disabled" if service and service["disabled"] else "enabled",
    }


def _hv_detail(req: ApiRequest, node: dict[str, Any], with_servers: bool = False) -> dict[str, Any]:
    svc = compute(req)
    body = _hv_brief(req, node)
    rows = svc.list_services(node["host"], "nova-compute")
    service = rows[0] if rows else {"id": 0, "uuid": "", "disabled_reason": None}
    body.update(
        {
            "host_ip": node["host_ip"],
            "hypervisor_type": node["hypervisor_type"],
            "hypervisor_version": node["hypervisor_version"],
            "service": {
                "host": node["host"],
                "id": service["uuid"] if req.ctx.mv("2.53") else service["id"],
                "disabled_reason": service["disabled_reason"],
            },
        }
    )
    if not req.ctx.mv("2.88"):
        free_ram = node["memory_mb"] - node["memory_mb_used"]
        free_disk = node["local_gb"] - node["local_gb_used"]
        body.update(
            {
                "cpu_info": json.loads(node["cpu_info"] or "{}") if req.ctx.mv("2.28") else node["cpu_info"],
                "current_workload": 0,
                "disk_available_least": free_disk,
                "free_disk_gb": free_disk,
                "free_ram_mb": free_ram,
                "local_gb": node["local_gb"],
                "local_gb_used": node["local_gb_used"],
                "memory_mb": node["memory_mb"],
                "memory_mb_used": node["memory_mb_used"],
                "running_vms": node["running_vms"],
                "vcpus": node["vcpus"],
                "vcpus_used": node["vcpus_used"],
            }
        )
    else:
        body["uptime"] = " 08:32:11 up 93 days, 18:25, 12 users,  load average: 0.20, 0.12, 0.14"
    if with_servers:
        servers = svc.node_servers(node)
        if servers:
            body["servers"] = servers
    return body


def _nodes(req: ApiRequest) -> tuple[list[dict[str, Any]], bool, dict[str, Any]]:
    svc = compute(req)
    pattern = req.query.get("hypervisor_hostname_pattern") if req.ctx.mv("2.53") else None
    with_servers = req.ctx.mv("2.53") and bool(bool_param(req.query.get("with_servers") or "false"))
    nodes = svc.list_nodes(hostname_pattern=pattern)
    if pattern and not nodes:
        raise NotFound(f"No hypervisor matching '{pattern}' could be found.")
    extra: dict[str, Any] = {}
    if req.ctx.mv("2.33"):
        marker = req.query.get("marker")
        if marker:
            key = "uuid" if req.ctx.mv("2.53") else "id"
            ids = [str(n[key]) for n in nodes]
            if marker not in ids:
                raise BadRequest(f"marker [{marker}] not found")
            nodes = nodes[ids.index(marker) + 1 :]
        limit = int_param(req, "limit", 0)
        if limit is not None:
            nodes = nodes[:limit]
            if nodes and len(nodes) == limit:
                from urllib.parse import urlencode

                from twinstack.services.compute.api import api_url

                key = "uuid" if req.ctx.mv("2.53") else "id"
                params = [(k, v) for k, v in req.query.multi_items() if k != "marker"]
                params.append(("marker", str(nodes[-1][key])))
                extra["hypervisors_links"] = [
                    {"rel": "next", "href": api_url(req, "/os-hypervisors") + "?" + urlencode(params)}
                ]
    return nodes, with_servers, extra


def list_hypervisors(req: ApiRequest) -> dict[str, Any]:
    admin_only(req, "os_compute_api:os-hypervisors:list")
    nodes, with_servers, extra = _nodes(req)
    items = []
    for n in nodes:
        item = _hv_brief(req, n)
        if with_servers:
            servers = compute(req).node_servers(n)
            if servers:
                item["servers"] = servers
        items.append(item)
    return {"hypervisors": items, **extra}


def list_hypervisors_detail(req: ApiRequest) -> dict[str, Any]:
    admin_only(req, "os_compute_api:os-hypervisors:list-detail")
    nodes, with_servers, extra = _nodes(req)
    return {"hypervisors": [_hv_detail(req, n, with_servers) for n in nodes], **extra}


def show_hypervisor(req: ApiRequest) -> dict[str, Any]:
    admin_only(req, "os_compute_api:os-hypervisors:show")
    node_id = req.path["hypervisor_id"]
    if req.ctx.mv("2.53") and node_id.isdigit():
        raise BadRequest(f"Invalid uuid {node_id}")
    node = compute(req).get_node(node_id)
    with_servers = req.ctx.mv("2.53") and bool(bool_param(req.query.get("with_servers") or "false"))
    return {"hypervisor": _hv_detail(req, node, with_servers)}


def hypervisor_statistics(req: ApiRequest) -> dict[str, Any]:
    until(req, "2.87")
    admin_only(req, "os_compute_api:os-hypervisors:statistics")
    nodes = compute(req).list_nodes()
    stats = {
        "count": len(nodes),
        "vcpus": 0,
        "vcpus_used": 0,
        "memory_mb": 0,
        "memory_mb_used": 0,
        "local_gb": 0,
        "local_gb_used": 0,
        "free_ram_mb": 0,
        "free_disk_gb": 0,
        "current_workload": 0,
        "running_vms": 0,
        "disk_available_least": 0,
    }
    for n in nodes:
        for key in (
            "vcpus",
            "vcpus_used",
            "memory_mb",
            "memory_mb_used",
            "local_gb",
            "local_gb_used",
            "running_vms",
        ):
            stats[key] += n[key]
        stats["free_ram_mb"] += n["memory_mb"] - n["memory_mb_used"]
        stats["free_disk_gb"] += n["local_gb"] - n["local_gb_used"]
        stats["disk_available_least"] += n["local_gb"] - n["local_gb_used"]
    return {"hypervisor_statistics": stats}


def hypervisor_uptime(req: ApiRequest) -> dict[str, Any]:
    until(req, "2.87")
    admin_only(req, "os_compute_api:os-hypervisors:uptime")
    node = compute(req).get_node(req.path["hypervisor_id"])
    body = _hv_brief(req, node)
    body["uptime"] = " 08:32:11 up 93 days, 18:25, 12 users,  load average: 0.20, 0.12, 0.14"
    return {"hypervisor": body}


def _search(req: ApiRequest, servers: bool) -> dict[str, Any]:
    until(req, "2.52")
    admin_only(req, "os_compute_api:os-hypervisors:search")
    svc = compute(req)
    nodes = svc.list_nodes(hostname_pattern=req.path["pattern"])
    if not nodes:
        raise NotFound(f"No hypervisor matching '{req.path['pattern']}' could be found.")
    items = []
    for n in nodes:
        item = _hv_brief(req, n)
        if servers:
            found = svc.node_servers(n)
            if found:
                item["servers"] = found
        items.append(item)
    return {"hypervisors": items}


def search_hypervisors(req: ApiRequest) -> dict[str, Any]:
    return _search(req, False)


def hypervisor_servers(req: ApiRequest) -> dict[str, Any]:
    return _search(req, True)


# aggregates --------------------------------------------------------------------------------------
def _agg_view(req: ApiRequest, agg: dict[str, Any], full: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": agg["id"],
        "name": agg["name"],
        "availability_zone": agg["metadata"].get("availability_zone"),
        "created_at": usage_ts(agg["created_at"]),
        "updated_at": usage_ts(agg["updated_at"]),
        "deleted": False,
        "deleted_at": None,
    }
    if full:
        body["hosts"] = list(agg["hosts"])
        body["metadata"] = dict(agg["metadata"])
    if req.ctx.mv("2.41"):
        body["uuid"] = agg["uuid"]
    return body


_AZ = {"type": ["string", "null"], "minLength": 1, "maxLength": 255}
_AGG_NAME = {"type": "string", "minLength": 1, "maxLength": 255}


def list_aggregates(req: ApiRequest) -> dict[str, Any]:
    admin_only(req, "os_compute_api:os-aggregates:index")
    return {"aggregates": [_agg_view(req, a) for a in compute(req).aggregates_with_hosts()]}


def create_aggregate(req: ApiRequest) -> dict[str, Any]:
    admin_only(req, "os_compute_api:os-aggregates:create")
    check(
        {
            "type": "object",
            "properties": {
                "aggregate": {
                    "type": "object",
                    "properties": {"name": _AGG_NAME, "availability_zone": _AZ},
                    "required": ["name"],
                    "additionalProperties": False,
                }
            },
            "required": ["aggregate"],
            "additionalProperties": False,
        },
        req.body,
    )
    body = req.body["aggregate"]
    agg = compute(req).create_aggregate(body["name"].strip(), body.get("availability_zone"))
    return {"aggregate": _agg_view(req, agg, full=False)}


def show_aggregate(req: ApiRequest) -> dict[str, Any]:
    admin_only(req, "os_compute_api:os-aggregates:show")
    return {"aggregate": _agg_view(req, compute(req).get_aggregate(req.path["aggregate_id"]))}


def update_aggregate(req: ApiRequest) -> dict[str, Any]:
    admin_only(req, "os_compute_api:os-aggregates:update")
    check(
        {
            "type": "object",
            "properties": {
                "aggregate": {
                    "type": "object",
                    "properties": {"name": _AGG_NAME, "availability_zone": _AZ},
                    "additionalProperties": False,
                    "minProperties": 1,
                }
            },
            "required": ["aggregate"],
            "additionalProperties": False,
        },
        req.body,
    )
    body = req.body["aggregate"]
    agg = compute(req).update_aggregate(
        req.path["aggregate_id"],
        body.get("name"),
        body.get("availability_zone", ...),
    )
    return {"aggregate": _agg_view(req, agg)}


def delete_aggregate(req: ApiRequest) -> ApiResponse:
    admin_only(req, "os_compute_api:os-aggregates:delete")
    compute(req).delete_aggregate(req.path["aggregate_id"])
    return ApiResponse(None, 200)


def aggregate_action(req: ApiRequest) -> dict[str, Any]:
    admin_only(req, "os_compute_api:os-aggregates:add_host")
    body = req.body or {}
    svc = compute(req)
    agg_id = req.path["aggregate_id"]
    if "add_host" in body:
        check(
            {
                "type": "object",
                "properties": {"host": {"type": "string", "minLength": 1}},
                "required": ["host"],
                "additionalProperties": False,
            },
            body["add_host"],
        )
        return {"aggregate": _agg_view(req, svc.add_aggregate_host(agg_id, body["add_host"]["host"]))}
    if "remove_host" in body:
        check(
            {
                "type": "object",
                "properties": {"host": {"type": "string", "minLength": 1}},
                "required": ["host"],
                "additionalProperties": False,
            },
            body["remove_host"],
        )
        return {"aggregate": _agg_view(req, svc.remove_aggregate_host(agg_id, body["remove_host"]["host"]))}
    if "set_metadata" in body:
        check(
            {
                "type": "object",
                "properties": {"metadata": {"type": "object"}},
                "required": ["metadata"],
                "additionalProperties": False,
            },
            body["set_metadata"],
        )
        return {
            "aggregate": _agg_view(req, svc.set_aggregate_metadata(agg_id, body["set_metadata"]["metadata"]))
        }
    raise BadRequest("Invalid request body")


# availability zones -------------------------------------------------------------------------------
def list_zones(req: ApiRequest) -> dict[str, Any]:
    zones = sorted(compute(req).availability_zones())
    return {
        "availabilityZoneInfo": [
            {"zoneName": z, "zoneState": {"available": True}, "hosts": None} for z in zones
        ]
    }


def list_zones_detail(req: ApiRequest) -> dict[str, Any]:
    admin_only(req, "os_compute_api:os-availability-zone:detail")
    svc = compute(req)
    host_zones = svc.host_zones()
    zones: dict[str, dict[str, Any]] = {}
    for row in svc.list_services():
        zone = (
            host_zones.get(row["host"], INTERNAL_ZONE) if row["binary"] == "nova-compute" else INTERNAL_ZONE
        )
        hosts = zones.setdefault(zone, {})
        hosts.setdefault(row["host"], {})[row["binary"]] = {
            "available": svc.service_is_up(row) and not row["disabled"],
            "active": not row["disabled"],
            "updated_at": usage_ts(row["updated_at"] or row["last_seen_up"]),
        }
    return {
        "availabilityZoneInfo": [
            {"zoneName": z, "zoneState": {"available": True}, "hosts": hosts}
            for z, hosts in sorted(zones.items())
        ]
    }


def register(api: ServiceApi) -> None:
    route(api, "GET", "/os-services", list_services)
    route(api, "PUT", "/os-services/{service_id}", put_service)
    route(api, "DELETE", "/os-services/{service_id}", delete_service, status=204)
    route(api, "GET", "/os-hypervisors", list_hypervisors)
    route(api, "GET", "/os-hypervisors/detail", list_hypervisors_detail)
    route(api, "GET", "/os-hypervisors/statistics", hypervisor_statistics)
    route(api, "GET", "/os-hypervisors/{pattern}/search", search_hypervisors)
    route(api, "GET", "/os-hypervisors/{pattern}/servers", hypervisor_servers)
    route(api, "GET", "/os-hypervisors/{hypervisor_id}/uptime", hypervisor_uptime)
    route(api, "GET", "/os-hypervisors/{hypervisor_id}", show_hypervisor)
    route(api, "GET", "/os-aggregates", list_aggregates)
    route(api, "POST", "/os-aggregates", create_aggregate)
    route(api, "GET", "/os-aggregates/{aggregate_id}", show_aggregate)
    route(api, "PUT", "/os-aggregates/{aggregate_id}", update_aggregate)
    route(api, "DELETE", "/os-aggregates/{aggregate_id}", delete_aggregate)
    route(api, "POST", "/os-aggregates/{aggregate_id}/action", aggregate_action)
    route(api, "GET", "/os-availability-zone", list_zones)
    route(api, "GET", "/os-availability-zone/detail", list_zones_detail)


__all__ = ["ts"]
