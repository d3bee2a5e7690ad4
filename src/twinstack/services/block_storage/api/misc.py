"""Availability zones, quotas, quota classes, limits, services, pools, extensions, messages."""

from __future__ import annotations

from typing import Any

from twinstack.core.errors import BadRequest, Forbidden, NotFound
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.block_storage.api._common import add, body, require_admin, svc
from twinstack.services.block_storage.common import parse_bool
from twinstack.services.block_storage.views import ts


def availability_zones(req: ApiRequest) -> dict[str, Any]:
    return {"availabilityZoneInfo": svc(req).list_availability_zones()}


# quotas
def _quota_target(req: ApiRequest) -> str:
    target = req.path["target"]
    if not req.ctx.is_admin and target != req.ctx.project_id:
        raise Forbidden("Policy doesn't allow volume_extension:quotas:show to be performed.")
    return target


def show_quotas(req: ApiRequest) -> dict[str, Any]:
    target = _quota_target(req)
    usage = parse_bool(req.query.get("usage", "false"), "usage")
    quotas = svc(req).get_quotas(target, usage=usage)
    return {"quota_set": {"id": target, **quotas}}


def default_quotas(req: ApiRequest) -> dict[str, Any]:
    target = req.path["target"]
    return {"quota_set": {"id": target, **svc(req).get_quotas(target, defaults=True)}}


def update_quotas(req: ApiRequest) -> dict[str, Any]:
    require_admin(req, "volume_extension:quotas:update")
    values = body(req, "quota_set")
    values = {k: v for k, v in values.items() if k not in ("tenant_id", "id")}
    return {"quota_set": svc(req).update_quotas(req.path["target"], values)}


def delete_quotas(req: ApiRequest) -> ApiResponse:
    require_admin(req, "volume_extension:quotas:delete")
    svc(req).delete_quotas(req.path["target"])
    return ApiResponse(None, status=200)


def show_quota_class(req: ApiRequest) -> dict[str, Any]:
    require_admin(req, "volume_extension:quota_classes")
    return {"quota_class_set": {"id": req.path["class_name"], **svc(req).get_quotas("", defaults=True)}}


def update_quota_class(req: ApiRequest) -> dict[str, Any]:
    require_admin(req, "volume_extension:quota_classes")
    values = body(req, "quota_class_set")
    return {"quota_class_set": svc(req).update_quota_class(req.path["class_name"], values)}


def limits(req: ApiRequest) -> dict[str, Any]:
    project = req.ctx.project_id or ""
    if req.ctx.mv("3.39") and req.ctx.is_admin and req.query.get("project_id"):
        project = req.query["project_id"]
    quotas = svc(req).get_quotas(project, usage=True)

    def limit(name: str) -> int:
        return int(quotas[name]["limit"])

    def used(name: str) -> int:
        return int(quotas[name]["in_use"])

    absolute = {
        "maxTotalVolumes": limit("volumes"),
        "maxTotalSnapshots": limit("snapshots"),
        "maxTotalVolumeGigabytes": limit("gigabytes"),
        "maxTotalBackups": limit("backups"),
        "maxTotalBackupGigabytes": limit("backup_gigabytes"),
        "totalVolumesUsed": used("volumes"),
        "totalGigabytesUsed": used("gigabytes"),
        "totalSnapshotsUsed": used("snapshots"),
        "totalBackupsUsed": used("backups"),
        "totalBackupGigabytesUsed": used("backup_gigabytes"),
    }
    return {"limits": {"rate": [], "absolute": absolute}}


# services
def list_services(req: ApiRequest) -> dict[str, Any]:
    require_admin(req, "volume_extension:services:index")
    rows = svc(req).list_services(req.query.get("host"), req.query.get("binary"))
    out = []
    for r in rows:
        item: dict[str, Any] = {
            "binary": r["binary"],
            "host": r["host"],
            "zone": r["availability_zone"],
            "status": "disabled" if r["disabled"] else "enabled",
            "state": r["state"],
            "updated_at": ts(r["updated_at"]),
            "disabled_reason": r["disabled_reason"],
        }
        if r["binary"] == "cinder-volume":
            item.update(frozen=bool(r["frozen"]), replication_status="disabled", active_backend_id=None)
            if req.ctx.mv("3.49"):
                item["backend_state"] = "up"
        if req.ctx.mv("3.7"):
            item["cluster"] = None
        out.append(item)
    return {"services": out}


async def update_service(req: ApiRequest) -> dict[str, Any]:
    require_admin(req, "volume_extension:services:update")
    action = req.path["action"]
    data = req.body if isinstance(req.body, dict) else {}
    host, binary = data.get("host"), data.get("binary") or data.get("service")
    if not host:
        raise BadRequest("Missing required element 'host' in request body.")
    if not binary:
        raise BadRequest("Missing required element 'binary' in request body.")
    if action == "enable":
        result = svc(req).set_service_enabled(host, binary, True)
    elif action in ("disable", "disable-log-reason"):
        reason = data.get("disabled_reason") if action == "disable-log-reason" else None
        if action == "disable-log-reason" and not reason:
            raise BadRequest("Disabled reason contains invalid characters or is too long")
        result = svc(req).set_service_enabled(host, binary, False, reason)
    elif action in ("freeze", "thaw"):
        return {}
    else:
        raise NotFound(f"Unknown action {action}")
    await svc(req).scheduler_rpc.refresh_services()
    out = {
        "host": host,
        "binary": binary,
        "service": binary,
        "disabled": result["disabled"],
        "status": "disabled" if result["disabled"] else "enabled",
    }
    if action != "disable":
        out["disabled_reason"] = result["disabled_reason"]
    return out


async def get_pools(req: ApiRequest) -> dict[str, Any]:
    require_admin(req, "scheduler_extension:scheduler_stats:get_pools")
    detail = parse_bool(req.query.get("detail", "false"), "detail")
    filters = {k: v for k, v in req.query.items() if k in ("name", "backend_name")}
    pools = await svc(req).scheduler_rpc.get_pools(req.ctx, filters)
    if not detail:
        return {"pools": [{"name": p["name"]} for p in pools]}
    return {"pools": pools}


def capabilities(req: ApiRequest) -> dict[str, Any]:
    require_admin(req, "volume_extension:capabilities")
    host = req.path["host"]
    backend = next((b for b in svc(req).config.backends if b.backend_id == host or b.host == host), None)
    if backend is None:
        raise NotFound(f"Service {host} could not be found.")
    return {
        "namespace": f"OS::Storage::Capabilities::{backend.backend_id}",
        "vendor_name": backend.vendor_name,
        "volume_backend_name": backend.name,
        "pool_name": None,
        "driver_version": "3.0.0",
        "storage_protocol": backend.storage_protocol,
        "display_name": None,
        "description": None,
        "visibility": None,
        "replication_targets": [],
        "properties": {},
    }


EXTENSIONS = [
    ("AvailabilityZones", "os-availability-zone", "Describe Availability Zones."),
    ("Hosts", "os-hosts", "Admin-only host administration."),
    ("Backups", "backups", "Backups support."),
    ("Qos_specs_manage", "qos-specs", "QoS specs support."),
    ("Quotas", "os-quota-sets", "Quota management support."),
    ("SchedulerStats", "scheduler-stats", "Scheduler stats support."),
    ("Services", "os-services", "Services support."),
    ("TypesManage", "os-types-manage", "Types manage support."),
    ("TypesExtraSpecs", "os-types-extra-specs", "Type extra specs support."),
    ("VolumeActions", "os-volume-actions", "Enable volume actions."),
    ("VolumeTransfer", "os-volume-transfer", "Volume transfer management support."),
    ("VolumeTypeAccess", "os-volume-type-access", "Volume type access support."),
    (
        "VolumeTenantAttribute",
        "os-vol-tenant-attr",
        "Expose the internal project_id as an attribute of a volume.",
    ),
    ("VolumeHostAttribute", "os-vol-host-attr", "Expose host as an attribute of a volume."),
    ("VolumeImageMetadata", "os-vol-image-meta", "Show image metadata associated with the volume."),
    ("AdminActions", "os-admin-actions", "Enable admin actions."),
    ("ExtendedSnapshotAttributes", "os-extended-snapshot-attributes", "Extended SnapshotAttributes support."),
    ("UsedLimits", "os-used-limits", "Provide data on limited resources that are being used."),
]


def extensions(req: ApiRequest) -> dict[str, Any]:
    return {
        "extensions": [
            {
                "name": n,
                "alias": a,
                "description": d,
                "links": [],
                "namespace": "",
                "updated": "2013-04-18T00:00:00+00:00",
            }
            for n, a, d in EXTENSIONS
        ]
    }


def _message_view(req: ApiRequest, msg: dict[str, Any]) -> dict[str, Any]:
    base = f"{req.cloud.base_url}/volume"
    return {
        "id": msg["id"],
        "request_id": msg["request_id"],
        "message_level": msg["message_level"],
        "event_id": msg["event_id"],
        "created_at": ts(msg["created_at"]),
        "guaranteed_until": ts(msg["guaranteed_until"]),
        "resource_uuid": msg["resource_uuid"],
        "resource_type": msg["resource_type"],
        "user_message": msg["user_message"],
        "links": [
            {"href": f"{base}/v3/{msg['project_id']}/messages/{msg['id']}", "rel": "self"},
            {"href": f"{base}/{msg['project_id']}/messages/{msg['id']}", "rel": "bookmark"},
        ],
    }


def _visible_message(req: ApiRequest) -> dict[str, Any]:
    msg = svc(req).messages.get(req.path["message_id"])
    if msg is None or not (req.ctx.is_admin or msg["project_id"] == req.ctx.project_id):
        raise NotFound(f"Message {req.path['message_id']} could not be found.")
    return msg


def messages(req: ApiRequest) -> dict[str, Any]:
    items = [
        m for m in svc(req).messages.values() if req.ctx.is_admin or m["project_id"] == req.ctx.project_id
    ]
    return {
        "messages": [
            _message_view(req, m) for m in sorted(items, key=lambda m: m["created_at"], reverse=True)
        ]
    }


def message(req: ApiRequest) -> dict[str, Any]:
    return {"message": _message_view(req, _visible_message(req))}


def delete_message(req: ApiRequest) -> ApiResponse:
    msg = _visible_message(req)
    svc(req).messages.pop(msg["id"], None)
    return ApiResponse(None, status=204)


def list_hosts(req: ApiRequest) -> dict[str, Any]:
    require_admin(req, "volume_extension:hosts")
    hosts = []
    for r in svc(req).list_services():
        hosts.append(
            {
                "service-status": "available" if r["state"] == "up" else "unavailable",
                "service": r["binary"],
                "zone": r["availability_zone"],
                "service-state": "disabled" if r["disabled"] else "enabled",
                "host_name": r["host"],
                "last-update": ts(r["updated_at"]),
            }
        )
    return {"hosts": hosts}


def show_host(req: ApiRequest) -> dict[str, Any]:
    require_admin(req, "volume_extension:hosts")
    host = req.path["host"]
    if not any(r["host"] == host and r["binary"] == "cinder-volume" for r in svc(req).list_services()):
        raise NotFound(f"Host {host} could not be found.")
    usage = svc(req).host_usage(host)
    resources = [{"resource": {"project": "(total)", "host": host, **usage.pop("(total)")}}]
    resources += [{"resource": {"project": p, "host": host, **u}} for p, u in sorted(usage.items())]
    return {"host": resources}


def register(api: ServiceApi) -> None:
    add(api, "GET", "/os-hosts", list_hosts)
    add(api, "GET", "/os-hosts/{host}", show_host)
    add(api, "GET", "/os-availability-zone", availability_zones)
    add(api, "GET", "/os-quota-sets/{target}/defaults", default_quotas)
    add(api, "GET", "/os-quota-sets/{target}", show_quotas)
    add(api, "PUT", "/os-quota-sets/{target}", update_quotas)
    add(api, "DELETE", "/os-quota-sets/{target}", delete_quotas)
    add(api, "GET", "/os-quota-class-sets/{class_name}", show_quota_class)
    add(api, "PUT", "/os-quota-class-sets/{class_name}", update_quota_class)
    add(api, "GET", "/limits", limits)
    add(api, "GET", "/os-services", list_services)
    add(api, "PUT", "/os-services/{action}", update_service)
    add(api, "GET", "/scheduler-stats/get_pools", get_pools)
    add(api, "GET", "/capabilities/{host}", capabilities)
    add(api, "GET", "/extensions", extensions)
    add(api, "GET", "/messages", messages, min_version="3.3")
    add(api, "GET", "/messages/{message_id}", message, min_version="3.3")
    add(api, "DELETE", "/messages/{message_id}", delete_message, status=204, min_version="3.3")
