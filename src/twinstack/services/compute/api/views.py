"""Server and flavor bodies, exactly per microversion (Tempest's response schemas are the oracle)."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from typing import Any

from twinstack.core.clock import isotime
from twinstack.core.http import ApiRequest
from twinstack.services.compute import states
from twinstack.services.compute.api import api_url, bookmark, compute, links


def ts(value: datetime | None) -> str | None:
    return isotime(value) if value else None


def usage_ts(value: datetime | None) -> str | None:
    """OS-SRV-USG timestamps: ``2026-01-01T00:00:00.000000`` (no zone, as nova shows them)."""
    return isotime(value, micro=True, zulu=False) if value else None


def host_id(project_id: str, host: str | None) -> str:
    if not host:
        return ""
    return hashlib.sha224((project_id + host).encode()).hexdigest()


def flavor_body(req: ApiRequest, flavor: dict[str, Any]) -> dict[str, Any]:
    if req.ctx.mv("2.47"):
        body = {
            "vcpus": flavor["vcpus"],
            "ram": flavor["memory_mb"],
            "disk": flavor["root_gb"],
            "ephemeral": flavor.get("ephemeral_gb", 0),
            "swap": flavor.get("swap", 0),
            "original_name": flavor["name"],
        }
        body["extra_specs"] = dict(flavor.get("extra_specs") or {})
        return body
    fid = flavor["flavorid"]
    return {"id": fid, "links": [{"rel": "bookmark", "href": bookmark(req, f"/flavors/{fid}")}]}


def image_body(req: ApiRequest, inst: dict[str, Any]) -> Any:
    image_ref = inst["image_ref"]
    if not image_ref:
        return ""
    body: dict[str, Any] = {
        "id": image_ref,
        "links": [{"rel": "bookmark", "href": bookmark(req, f"/images/{image_ref}")}],
    }
    if req.ctx.mv("2.98"):
        body["properties"] = {
            k: v for k, v in (inst.get("image_meta") or {}).items() if v is None or len(str(v)) <= 255
        }
    return body


def addresses_body(addresses: dict[str, list[dict[str, Any]]], extended: bool = True) -> dict[str, Any]:
    if extended:
        return addresses
    return {
        net: [{"version": a["version"], "addr": a["addr"]} for a in items] for net, items in addresses.items()
    }


def fault_body(req: ApiRequest, fault: dict[str, Any]) -> dict[str, Any]:
    body = {"code": fault["code"], "created": fault["created"], "message": fault["message"]}
    if req.ctx.is_admin or fault["code"] != 500:
        body["details"] = fault.get("details") or ""
    return body


def server_body(
    req: ApiRequest,
    inst: dict[str, Any],
    *,
    full: bool = True,
    show_groups: bool = False,
    addresses: dict[str, Any] | None = None,
    host_status: str | None = None,
    security_groups: list[str] | None = None,
    show_user_data: bool = True,
) -> dict[str, Any]:
    """``full``: the show/detail view; otherwise the basic view of update/rebuild before 2.75.

    ``addresses`` and ``security_groups`` may be given when read for a whole page at once."""
    ctx = req.ctx
    svc = compute(req)
    status = states.status_from_state(inst["vm_state"], inst["task_state"])
    if inst.get("deleted"):
        status = "DELETED" if inst["vm_state"] == states.DELETED else status
    if addresses is None:
        addresses = svc.addresses(inst["id"])
    body: dict[str, Any] = {
        "id": inst["id"],
        "name": inst["display_name"],
        "status": status,
        "tenant_id": inst["project_id"],
        "user_id": inst["user_id"],
        "metadata": dict(inst["metadata"] or {}),
        "hostId": host_id(inst["project_id"], inst["host"]),
        "image": image_body(req, inst),
        "flavor": flavor_body(req, inst["flavor"]),
        "created": ts(inst["created_at"]),
        "updated": ts(inst["updated_at"]),
        "addresses": addresses_body(addresses, extended=full),
        "accessIPv4": inst["access_ip_v4"] or "",
        "accessIPv6": inst["access_ip_v6"] or "",
        "links": links(req, "servers", inst["id"]),
        "OS-DCF:diskConfig": (inst["system_metadata"] or {}).get("disk_config", "MANUAL"),
    }
    if status in states.PROGRESS_STATUSES:
        body["progress"] = inst["progress"] or 0
    if status in ("ERROR", "DELETED") and inst.get("fault"):
        body["fault"] = fault_body(req, inst["fault"])
    if ctx.mv("2.9"):
        body["locked"] = bool(inst["locked"])
    if ctx.mv("2.19"):
        body["description"] = inst["display_description"]
    if ctx.mv("2.26"):
        body["tags"] = list(inst["tags"] or [])
    if ctx.mv("2.63"):
        body["trusted_image_certificates"] = inst.get("trusted_certs")
    if ctx.mv("2.71") and show_groups:
        group = svc.group_for_instance(inst["id"])
        body["server_groups"] = [group["uuid"]] if group else []
    if ctx.mv("2.73"):
        body["locked_reason"] = inst["locked_reason"]
    if full:
        _extended(req, inst, body, host_status, security_groups)
        if not show_user_data:
            body.pop("OS-EXT-SRV-ATTR:user_data", None)
    if ctx.mv("2.96"):
        body["pinned_availability_zone"] = inst.get("pinned_availability_zone")
    if ctx.mv("2.100"):
        body["scheduler_hints"] = dict(inst.get("scheduler_hints") or {})
    return body


def _extended(
    req: ApiRequest,
    inst: dict[str, Any],
    body: dict[str, Any],
    host_status: str | None,
    security_groups: list[str] | None = None,
) -> None:
    ctx = req.ctx
    svc = compute(req)
    body["key_name"] = inst["key_name"]
    if security_groups is None:
        security_groups = svc.security_group_names(inst)
    if security_groups:  # as nova with neutron: only when the instance's ports have groups
        body["security_groups"] = [{"name": n} for n in security_groups]
    body["OS-SRV-USG:launched_at"] = usage_ts(inst["launched_at"])
    body["OS-SRV-USG:terminated_at"] = usage_ts(inst["terminated_at"])
    body["OS-EXT-AZ:availability_zone"] = inst["availability_zone"] or ""
    body["config_drive"] = inst["config_drive"] or ""
    body["OS-EXT-STS:task_state"] = inst["task_state"]
    body["OS-EXT-STS:vm_state"] = inst["vm_state"]
    body["OS-EXT-STS:power_state"] = inst["power_state"]
    volumes = [
        b
        for b in inst["block_device_mapping"] or []
        if b.get("destination_type") == "volume" and b.get("volume_id")
    ]
    body["os-extended-volumes:volumes_attached"] = [
        {
            "id": b["volume_id"],
            **({"delete_on_termination": bool(b.get("delete_on_termination"))} if ctx.mv("2.3") else {}),
        }
        for b in volumes
    ]
    if ctx.is_admin:
        body["OS-EXT-SRV-ATTR:host"] = inst["host"]
        body["OS-EXT-SRV-ATTR:hypervisor_hostname"] = inst["node"]
        body["OS-EXT-SRV-ATTR:instance_name"] = f"instance-{inst['id'][:8]}"
        if ctx.mv("2.3"):
            body["OS-EXT-SRV-ATTR:reservation_id"] = inst["reservation_id"]
            body["OS-EXT-SRV-ATTR:launch_index"] = inst["launch_index"]
            body["OS-EXT-SRV-ATTR:hostname"] = inst["hostname"]
            body["OS-EXT-SRV-ATTR:kernel_id"] = inst["kernel_id"] or ""
            body["OS-EXT-SRV-ATTR:ramdisk_id"] = inst["ramdisk_id"] or ""
            body["OS-EXT-SRV-ATTR:root_device_name"] = inst["root_device_name"]
            body["OS-EXT-SRV-ATTR:user_data"] = inst["user_data"]
    elif ctx.mv("2.90"):
        body["OS-EXT-SRV-ATTR:hostname"] = inst["hostname"]
    if ctx.mv("2.16") and ctx.is_admin:
        body["host_status"] = host_status if host_status is not None else _host_status(req, inst)


def _host_status(req: ApiRequest, inst: dict[str, Any]) -> str:
    if not inst["host"]:
        return ""
    cache: dict[str, str] = req.request.state.__dict__.setdefault("host_status", {})
    if inst["host"] not in cache:
        cache[inst["host"]] = _lookup_host_status(req, inst)
    return cache[inst["host"]]


def _lookup_host_status(req: ApiRequest, inst: dict[str, Any]) -> str:
    svc = compute(req)
    rows = svc.list_services(inst["host"], "nova-compute")
    if not rows:
        return "UNKNOWN"
    if not svc.service_is_up(rows[0]):
        return "DOWN"
    return "MAINTENANCE" if rows[0]["disabled"] else "UP"


def server_ref(req: ApiRequest, inst: dict[str, Any]) -> dict[str, Any]:
    return {"id": inst["id"], "name": inst["display_name"], "links": links(req, "servers", inst["id"])}


def flavor_view(req: ApiRequest, row: dict[str, Any], detail: bool = True) -> dict[str, Any]:
    fid = row["flavorid"]
    body: dict[str, Any] = {"id": fid, "name": row["name"], "links": links(req, "flavors", fid)}
    if not detail:
        if req.ctx.mv("2.55"):
            body["description"] = row["description"]
        return body
    body.update(
        {
            "ram": row["memory_mb"],
            "disk": row["root_gb"],
            "vcpus": row["vcpus"],
            "swap": row["swap"] or "",
            "rxtx_factor": row["rxtx_factor"],
            "OS-FLV-EXT-DATA:ephemeral": row["ephemeral_gb"],
            "OS-FLV-DISABLED:disabled": bool(row["disabled"]),
            "os-flavor-access:is_public": bool(row["is_public"]),
        }
    )
    if req.ctx.mv("2.75"):
        body["swap"] = row["swap"] or 0
    if req.ctx.mv("2.55"):
        body["description"] = row["description"]
    if req.ctx.mv("2.61"):
        body["extra_specs"] = dict(row["extra_specs"] or {})
    return body


def user_data_b64(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        base64.b64decode(value, validate=True)
    except ValueError:
        return None
    return value


__all__ = ["api_url", "flavor_view", "server_body", "server_ref"]
