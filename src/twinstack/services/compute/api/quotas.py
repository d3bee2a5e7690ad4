"""``os-quota-sets``, ``os-quota-class-sets``, ``limits``, ``os-simple-tenant-usage``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select

from twinstack.core.clock import parse_isotime
from twinstack.core.errors import BadRequest, Forbidden, NotFound
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.compute import models as m
from twinstack.services.compute.api import admin_only, bool_param, check, compute, route
from twinstack.services.compute.api.views import usage_ts
from twinstack.services.compute.quotas import visible_resources


def _names(req: ApiRequest) -> list[str]:
    return visible_resources(req.ctx.mv("2.36"), req.ctx.mv("2.57"))


def _target(req: ApiRequest) -> str:
    project = req.path["project_id"]
    if not req.ctx.is_admin and project != req.ctx.project_id:
        raise Forbidden("Policy doesn't allow os_compute_api:os-quota-sets:show to be performed.")
    return project


def show_quotas(req: ApiRequest) -> dict[str, Any]:
    project = _target(req)
    limits = compute(req).project_limits(project, req.query.get("user_id"))
    return {"quota_set": {"id": project, **{n: limits[n] for n in _names(req)}}}


def show_quotas_detail(req: ApiRequest) -> dict[str, Any]:
    project = _target(req)
    svc = compute(req)
    user = req.query.get("user_id")
    limits = svc.project_limits(project, user)
    usage = svc.quota_usage(project, user)
    return {"quota_set": {"id": project, **svc.quota_detail(limits, usage, _names(req))}}


def default_quotas(req: ApiRequest) -> dict[str, Any]:
    limits = compute(req).class_limits()
    return {"quota_set": {"id": req.path["project_id"], **{n: limits[n] for n in _names(req)}}}


def _quota_schema(req: ApiRequest, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    value = {"type": ["integer", "string"], "pattern": "^-?[0-9]+$", "minimum": -1, "maximum": 2147483647}
    props = {n: value for n in _names(req)}
    props.update(extra or {})
    return {"type": "object", "properties": props, "additionalProperties": False}


def update_quotas(req: ApiRequest) -> dict[str, Any]:
    admin_only(req, "os_compute_api:os-quota-sets:update")
    check(
        {
            "type": "object",
            "properties": {"quota_set": _quota_schema(req, {"force": {"type": ["boolean", "string"]}})},
            "required": ["quota_set"],
            "additionalProperties": False,
        },
        req.body,
    )
    body = dict(req.body["quota_set"])
    force = bool(bool_param(str(body.pop("force", "false"))))
    values = {k: int(v) for k, v in body.items()}
    svc = compute(req)
    project = req.path["project_id"]
    user = req.query.get("user_id")
    svc.set_quotas(project, values, user, force)
    limits = svc.project_limits(project, user)
    return {"quota_set": {n: limits[n] for n in _names(req)}}


def delete_quotas(req: ApiRequest) -> ApiResponse:
    admin_only(req, "os_compute_api:os-quota-sets:delete")
    compute(req).delete_quotas(req.path["project_id"], req.query.get("user_id"))
    return ApiResponse(None, 202)


def show_class(req: ApiRequest) -> dict[str, Any]:
    limits = compute(req).class_limits(req.path["class_name"])
    return {"quota_class_set": {"id": req.path["class_name"], **{n: limits[n] for n in _names(req)}}}


def update_class(req: ApiRequest) -> dict[str, Any]:
    admin_only(req, "os_compute_api:os-quota-class-sets:update")
    check(
        {
            "type": "object",
            "properties": {"quota_class_set": _quota_schema(req)},
            "required": ["quota_class_set"],
            "additionalProperties": False,
        },
        req.body,
    )
    svc = compute(req)
    svc.set_class_quotas(req.path["class_name"], {k: int(v) for k, v in req.body["quota_class_set"].items()})
    limits = svc.class_limits(req.path["class_name"])
    return {"quota_class_set": {n: limits[n] for n in _names(req)}}


def limits(req: ApiRequest) -> dict[str, Any]:
    svc = compute(req)
    project = (
        req.query.get("tenant_id") if req.ctx.is_admin and req.query.get("tenant_id") else req.ctx.project_id
    )
    project = project or ""
    lim = svc.project_limits(project)
    used = svc.quota_usage(project, req.ctx.user_id)
    absolute: dict[str, Any] = {
        "maxServerMeta": lim["metadata_items"],
        "maxTotalKeypairs": lim["key_pairs"],
        "maxServerGroups": lim["server_groups"],
        "maxServerGroupMembers": lim["server_group_members"],
        "maxTotalCores": lim["cores"],
        "maxTotalInstances": lim["instances"],
        "maxTotalRAMSize": lim["ram"],
        "totalCoresUsed": used["cores"],
        "totalInstancesUsed": used["instances"],
        "totalRAMUsed": used["ram"],
        "totalServerGroupsUsed": used["server_groups"],
    }
    if not req.ctx.mv("2.57"):
        absolute["maxPersonality"] = lim["injected_files"]
        absolute["maxPersonalitySize"] = lim["injected_file_content_bytes"]
    if not req.ctx.mv("2.39"):
        absolute["maxImageMeta"] = lim["metadata_items"]
    if not req.ctx.mv("2.36"):
        absolute.update(
            {
                "maxSecurityGroups": lim["security_groups"],
                "maxSecurityGroupRules": lim["security_group_rules"],
                "maxTotalFloatingIps": lim["floating_ips"],
                "totalFloatingIpsUsed": 0,
                "totalSecurityGroupsUsed": 0,
            }
        )
    return {"limits": {"rate": [], "absolute": absolute}}


# simple tenant usage --------------------------------------------------------------------------------
def _period(req: ApiRequest) -> tuple[datetime, datetime]:
    now = req.cloud.clock.now()
    try:
        start = parse_isotime(req.query["start"]) if req.query.get("start") else now - timedelta(days=30)
        end = parse_isotime(req.query["end"]) if req.query.get("end") else now
    except ValueError:
        raise BadRequest("Invalid start time. The start time cannot occur after the end time.") from None
    now, start, end = _naive(now), _naive(start), _naive(end)
    if start > end:
        raise BadRequest("Invalid start time. The start time cannot occur after the end time.")
    return start, min(end, now) if end > now else end


def _naive(value: datetime) -> datetime:
    """Database times are naive UTC; query times may carry a zone."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def _usages(
    req: ApiRequest, project: str | None, start: datetime, end: datetime
) -> dict[str, dict[str, Any]]:
    start, end = _naive(start), _naive(end)
    i = m.instances
    query = select(i).where(
        i.c.created_at <= end, or_(i.c.terminated_at.is_(None), i.c.terminated_at >= start)
    )
    if project:
        query = query.where(i.c.project_id == project)
    query = query.order_by(i.c.created_at, i.c.id)
    with req.cloud.db.begin() as conn:
        rows = [dict(r) for r in conn.execute(query.where(and_(True))).mappings()]
    result: dict[str, dict[str, Any]] = {}
    for inst in rows:
        begin = max(_naive(inst["launched_at"] or inst["created_at"]), start)
        stop = min(_naive(inst["terminated_at"] or end), end)
        hours = max((stop - begin).total_seconds() / 3600.0, 0.0)
        flavor = inst["flavor"]
        usage = result.setdefault(
            inst["project_id"],
            {
                "tenant_id": inst["project_id"],
                "total_local_gb_usage": 0.0,
                "total_vcpus_usage": 0.0,
                "total_memory_mb_usage": 0.0,
                "total_hours": 0.0,
                "start": usage_ts(start),
                "stop": usage_ts(end),
                "server_usages": [],
            },
        )
        usage["total_hours"] += hours
        usage["total_vcpus_usage"] += hours * flavor["vcpus"]
        usage["total_memory_mb_usage"] += hours * flavor["memory_mb"]
        usage["total_local_gb_usage"] += hours * (flavor["root_gb"] + flavor.get("ephemeral_gb", 0))
        state = "terminated" if inst["deleted"] else inst["vm_state"]
        usage["server_usages"].append(
            {
                "instance_id": inst["id"],
                "name": inst["display_name"],
                "hours": hours,
                "memory_mb": flavor["memory_mb"],
                "local_gb": flavor["root_gb"] + flavor.get("ephemeral_gb", 0),
                "vcpus": flavor["vcpus"],
                "tenant_id": inst["project_id"],
                "flavor": flavor["name"],
                "started_at": usage_ts(inst["launched_at"] or inst["created_at"]),
                "ended_at": usage_ts(inst["terminated_at"]),
                "state": state,
                "uptime": int((stop - begin).total_seconds()),
            }
        )
    return result


def list_usage(req: ApiRequest) -> dict[str, Any]:
    if req.request.url.path.endswith("/"):  # ``/os-simple-tenant-usage/``: an empty tenant id
        raise NotFound("The resource could not be found.")
    admin_only(req, "os_compute_api:os-simple-tenant-usage:list")
    start, end = _period(req)
    detailed = bool(bool_param(req.query.get("detailed") or "0"))
    usages = list(_usages(req, None, start, end).values())
    if not detailed:
        for u in usages:
            u.pop("server_usages")
    return {"tenant_usages": usages}


def show_usage(req: ApiRequest) -> dict[str, Any]:
    project = req.path["tenant_id"]
    if not req.ctx.is_admin and project != req.ctx.project_id:
        raise Forbidden("Policy doesn't allow os_compute_api:os-simple-tenant-usage:show to be performed.")
    start, end = _period(req)
    usage = _usages(req, project, start, end).get(project)
    return {"tenant_usage": usage or {}}


def register(api: ServiceApi) -> None:
    route(api, "GET", "/os-quota-sets/{project_id}/defaults", default_quotas)
    route(api, "GET", "/os-quota-sets/{project_id}/detail", show_quotas_detail)
    route(api, "GET", "/os-quota-sets/{project_id}", show_quotas)
    route(api, "PUT", "/os-quota-sets/{project_id}", update_quotas)
    route(api, "DELETE", "/os-quota-sets/{project_id}", delete_quotas, status=202)
    route(api, "GET", "/os-quota-class-sets/{class_name}", show_class)
    route(api, "PUT", "/os-quota-class-sets/{class_name}", update_class)
    route(api, "GET", "/limits", limits)
    route(api, "GET", "/os-simple-tenant-usage", list_usage)
    route(api, "GET", "/os-simple-tenant-usage/{tenant_id}", show_usage)
