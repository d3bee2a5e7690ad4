"""Older admin APIs nova still serves: ``os-hosts`` (until 2.42), ``extensions``,
``os-instance_usage_audit_log`` and ``os-server-external-events``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from twinstack.core.errors import BadRequest, NotFound, NotImplementedYet
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.compute.api import admin_only, check, compute, route, until

INTERNAL_ZONE = "internal"


# os-hosts -------------------------------------------------------------------------------------------
def _host_services(req: ApiRequest, host: str | None = None) -> list[dict[str, Any]]:
    return [
        s
        for s in compute(req).list_services(host)
        if s["binary"] not in ("nova-osapi_compute", "nova-metadata")
    ]


def _zone(svc: Any, service: dict[str, Any], zones: dict[str, str]) -> str:
    if service["binary"] != "nova-compute":
        return INTERNAL_ZONE
    return zones.get(service["host"], svc.config.availability_zone)


def list_hosts(req: ApiRequest) -> dict[str, Any]:
    until(req, "2.42")
    admin_only(req, "os_compute_api:os-hosts:list")
    svc = compute(req)
    zones = svc.host_zones()
    wanted = req.query.get("zone")
    hosts = []
    for service in _host_services(req):
        if service["disabled"]:
            continue
        zone = _zone(svc, service, zones)
        if wanted and zone != wanted:
            continue
        topic = service.get("topic") or service["binary"].removeprefix("nova-")
        hosts.append({"host_name": service["host"], "service": topic, "zone": zone})
    return {"hosts": hosts}


def _compute_host(req: ApiRequest, host: str) -> dict[str, Any]:
    nodes = compute(req).list_nodes(host=host)
    if not nodes:
        raise NotFound(f"Compute host {host} could not be found.")
    return nodes[0]


def show_host(req: ApiRequest) -> dict[str, Any]:
    until(req, "2.42")
    admin_only(req, "os_compute_api:os-hosts:show")
    host = req.path["host"]
    node = _compute_host(req, host)
    instances = compute(req).list_instances(
        req.ctx, {"host": host}, limit=100000, marker=None, sort_keys=["created_at"], sort_dirs=["asc"],
        all_tenants=True,
    )  # fmt: skip

    def resource(project: str, cpu: int, memory: int, disk: int) -> dict[str, Any]:
        return {
            "resource": {"host": host, "project": project, "cpu": cpu, "memory_mb": memory, "disk_gb": disk}
        }

    def disk_of(inst: dict[str, Any]) -> int:
        return int(inst["flavor"]["root_gb"]) + int(inst["flavor"].get("ephemeral_gb") or 0)

    resources = [
        resource("(total)", node["vcpus"], node["memory_mb"], node["local_gb"]),
        resource("(used_now)", node["vcpus_used"], node["memory_mb_used"], node["local_gb_used"]),
        resource(
            "(used_max)",
            sum(i["vcpus"] for i in instances),
            sum(i["memory_mb"] for i in instances),
            sum(disk_of(i) for i in instances),
        ),
    ]
    per_project: dict[str, list[int]] = {}
    for inst in instances:
        totals = per_project.setdefault(inst["project_id"], [0, 0, 0])
        totals[0] += inst["vcpus"]
        totals[1] += inst["memory_mb"]
        totals[2] += disk_of(inst)
    resources += [resource(p, *t) for p, t in per_project.items()]
    return {"host": resources}


_HOST_UPDATE = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["enable", "disable", "Enable", "Disable", "ENABLE", "DISABLE"]},
        "maintenance_mode": {
            "type": "string",
            "enum": ["enable", "disable", "Enable", "Disable", "ENABLE", "DISABLE"],
        },
    },
    "anyOf": [{"required": ["status"]}, {"required": ["maintenance_mode"]}],
    "additionalProperties": False,
}


def update_host(req: ApiRequest) -> dict[str, Any]:
    until(req, "2.42")
    admin_only(req, "os_compute_api:os-hosts:update")
    check(_HOST_UPDATE, req.body)
    host = req.path["host"]
    _compute_host(req, host)
    body = req.body
    if "maintenance_mode" in body:
        raise NotImplementedYet("Virt driver does not implement host maintenance mode.")
    svc = compute(req)
    enabled = body["status"].lower() == "enable"
    service = svc.find_service(host, "nova-compute")
    svc.update_service(
        service, disabled=not enabled, disabled_reason=None if enabled else "disabled by os-hosts"
    )
    return {"host": host, "status": "enabled" if enabled else "disabled"}


def _power_action(req: ApiRequest, action: str) -> dict[str, Any]:
    until(req, "2.42")
    admin_only(req, f"os_compute_api:os-hosts:{action}")
    _compute_host(req, req.path["host"])
    raise NotImplementedYet("Virt driver does not implement host power management.")


def startup_host(req: ApiRequest) -> dict[str, Any]:
    return _power_action(req, "start")


def shutdown_host(req: ApiRequest) -> dict[str, Any]:
    return _power_action(req, "shutdown")


def reboot_host(req: ApiRequest) -> dict[str, Any]:
    return _power_action(req, "reboot")


# extensions --------------------------------------------------------------------------------------
_EXTENSIONS = {
    "os-admin-actions": "AdminActions",
    "os-admin-password": "AdminPassword",
    "os-agents": "Agents",
    "os-aggregates": "Aggregates",
    "os-assisted-volume-snapshots": "AssistedVolumeSnapshots",
    "os-attach-interfaces": "AttachInterfaces",
    "os-availability-zone": "AvailabilityZone",
    "os-block-device-mapping": "BlockDeviceMapping",
    "os-console-auth-tokens": "ConsoleAuthTokens",
    "os-console-output": "ConsoleOutput",
    "os-consoles": "Consoles",
    "os-create-backup": "CreateBackup",
    "os-deferred-delete": "DeferredDelete",
    "os-evacuate": "Evacuate",
    "os-extended-availability-zone": "ExtendedAvailabilityZone",
    "os-extended-server-attributes": "ExtendedServerAttributes",
    "os-extended-status": "ExtendedStatus",
    "os-extended-volumes": "ExtendedVolumes",
    "os-flavor-access": "FlavorAccess",
    "os-flavor-extra-specs": "FlavorExtraSpecs",
    "os-flavor-manage": "FlavorManage",
    "os-flavor-rxtx": "FlavorRxtx",
    "os-floating-ip-pools": "FloatingIpPools",
    "os-floating-ips": "FloatingIps",
    "os-hosts": "Hosts",
    "os-hypervisors": "Hypervisors",
    "os-instance-actions": "InstanceActions",
    "os-instance-usage-audit-log": "OSInstanceUsageAuditLog",
    "os-keypairs": "Keypairs",
    "os-lock-server": "LockServer",
    "os-migrate-server": "MigrateServer",
    "os-migrations": "Migrations",
    "os-multinic": "Multinic",
    "os-networks": "Networks",
    "os-pause-server": "PauseServer",
    "os-quota-class-sets": "QuotaClasses",
    "os-quota-sets": "Quotas",
    "os-remote-consoles": "RemoteConsoles",
    "os-rescue": "Rescue",
    "os-security-groups": "SecurityGroups",
    "os-server-diagnostics": "ServerDiagnostics",
    "os-server-external-events": "ServerExternalEvents",
    "os-server-groups": "ServerGroups",
    "os-server-password": "ServerPassword",
    "os-server-usage": "ServerUsage",
    "os-services": "Services",
    "os-shelve": "Shelve",
    "os-simple-tenant-usage": "SimpleTenantUsage",
    "os-suspend-server": "SuspendServer",
    "os-tenant-networks": "OSTenantNetworks",
    "os-used-limits": "UsedLimits",
    "os-user-data": "UserData",
    "os-volumes": "Volumes",
    "servers": "Servers",
    "flavors": "Flavors",
    "images": "Images",
    "ips": "Ips",
    "limits": "Limits",
    "os-server-tags": "ServerTags",
}


def _extension(alias: str) -> dict[str, Any]:
    name = _EXTENSIONS[alias]
    return {
        "alias": alias,
        "name": name,
        "description": f"{name} support.",
        "namespace": f"http://docs.openstack.org/compute/ext/fake_xml/{alias}/api/v2",
        "updated": "2014-12-03T00:00:00Z",
        "links": [],
    }


def list_extensions(req: ApiRequest) -> dict[str, Any]:
    return {"extensions": [_extension(a) for a in sorted(_EXTENSIONS)]}


def show_extension(req: ApiRequest) -> dict[str, Any]:
    alias = req.path["alias"]
    if alias not in _EXTENSIONS:
        raise NotFound("The resource could not be found.")
    return {"extension": _extension(alias)}


# os-instance_usage_audit_log -------------------------------------------------------------------------
def _audit_period(before: datetime) -> tuple[datetime, datetime]:
    """Nova's default ``instance_usage_audit_period`` (month): the last month completed before ``before``."""
    end = before.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    begin = end.replace(year=end.year - 1, month=12) if end.month == 1 else end.replace(month=end.month - 1)
    return begin, end


def _audit_log(req: ApiRequest, before: datetime) -> dict[str, Any]:
    begin, end = _audit_period(before)
    hosts = sorted({s["host"] for s in compute(req).list_services(binary="nova-compute")})
    return {
        "period_beginning": str(begin),
        "period_ending": str(end),
        "num_hosts": len(hosts),
        "num_hosts_done": 0,
        "num_hosts_running": 0,
        "num_hosts_not_run": len(hosts),
        "hosts_not_run": hosts,
        "total_instances": 0,
        "total_errors": 0,
        "overall_status": f"0 of {len(hosts)} hosts done. 0 errors.",
        "log": {},
    }


def list_audit_logs(req: ApiRequest) -> dict[str, Any]:
    admin_only(req, "os_compute_api:os-instance-usage-audit-log:list")
    now = req.cloud.clock.now().replace(tzinfo=None)
    return {"instance_usage_audit_logs": _audit_log(req, now)}


def show_audit_log(req: ApiRequest) -> dict[str, Any]:
    admin_only(req, "os_compute_api:os-instance-usage-audit-log:show")
    value = req.path["before"]
    try:
        before = datetime.strptime(value, "%Y-%m-%d %H:%M:%S.%f" if "." in value else "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise BadRequest(f"Invalid timestamp for date {value}") from None
    return {"instance_usage_audit_log": _audit_log(req, before)}


# os-server-external-events --------------------------------------------------------------------------
def _event_names(req: ApiRequest) -> list[str]:
    names = ["network-changed", "network-vif-plugged", "network-vif-unplugged", "network-vif-deleted"]
    for version, name in (
        ("2.51", "volume-extended"),
        ("2.76", "power-update"),
        ("2.82", "accelerator-request-bound"),
        ("2.93", "volume-reimaged"),
    ):
        if req.ctx.mv(version):
            names.append(name)
    return names


def create_external_events(req: ApiRequest) -> ApiResponse:
    admin_only(req, "os_compute_api:os-server-external-events:create")
    check(
        {
            "type": "object",
            "properties": {
                "events": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "properties": {
                            "server_uuid": {"type": "string"},
                            "name": {"type": "string", "enum": _event_names(req)},
                            "status": {"type": "string", "enum": ["failed", "completed", "in-progress"]},
                            "tag": {"type": "string", "maxLength": 255},
                        },
                        "required": ["server_uuid", "name"],
                        "additionalProperties": False,
                    },
                }
            },
            "required": ["events"],
            "additionalProperties": False,
        },
        req.body,
    )
    svc = compute(req)
    results = []
    for event in req.body["events"]:
        result = {**event, "status": event.get("status", "completed")}
        inst = svc.store.get(event["server_uuid"])
        if inst is None or inst.get("deleted"):
            result.update(status="failed", code=404)
        elif not inst["host"]:
            result.update(status="failed", code=422)
        else:
            result["code"] = 200
        results.append(result)
    codes = {r["code"] for r in results}
    status = 200 if codes == {200} else 207 if 200 in codes else 404
    if status == 404:
        raise NotFound("No instances found for any event")
    return ApiResponse({"events": results}, status)


def register(api: ServiceApi) -> None:
    route(api, "GET", "/os-hosts", list_hosts)
    route(api, "GET", "/os-hosts/{host}", show_host)
    route(api, "PUT", "/os-hosts/{host}", update_host)
    route(api, "GET", "/os-hosts/{host}/startup", startup_host)
    route(api, "GET", "/os-hosts/{host}/shutdown", shutdown_host)
    route(api, "GET", "/os-hosts/{host}/reboot", reboot_host)
    route(api, "GET", "/extensions", list_extensions)
    route(api, "GET", "/extensions/{alias}", show_extension)
    route(api, "GET", "/os-instance_usage_audit_log", list_audit_logs)
    route(api, "GET", "/os-instance_usage_audit_log/{before}", show_audit_log)
    route(api, "POST", "/os-server-external-events", create_external_events)
