"""Cinder's response bodies, per microversion (tempest's volume schemas are the oracle).

Every view takes the database row plus what it needs around it; nothing here touches the
database. Times are cinder's ``2026-01-01T00:00:00.000000`` (no zone).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from twinstack.core.context import RequestContext

DETAIL_ONLY_STATUSES = {
    "managing": "creating",
    "error_managing": "error",
    "error_managing_deleting": "deleting",
}


def ts(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")


def links(base_url: str, project_id: str, collection: str, item_id: str) -> list[dict[str, str]]:
    return [
        {"href": f"{base_url}/volume/v3/{project_id}/{collection}/{item_id}", "rel": "self"},
        {"href": f"{base_url}/volume/{project_id}/{collection}/{item_id}", "rel": "bookmark"},
    ]


def collection_links(
    base_url: str, project_id: str, collection: str, query: dict[str, str], last_id: str
) -> list[dict[str, str]]:
    from urllib.parse import urlencode

    params = {k: v for k, v in query.items() if k != "marker"}
    params["marker"] = last_id
    return [{"href": f"{base_url}/volume/v3/{project_id}/{collection}?{urlencode(params)}", "rel": "next"}]


def mv(ctx: RequestContext, version: str) -> bool:
    return ctx.mv(version)


# volumes
def volume_summary(base_url: str, volume: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": volume["id"],
        "name": volume["name"],
        "links": links(base_url, volume["project_id"], "volumes", volume["id"]),
    }


def volume_attachments(ctx: RequestContext, attachments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for a in attachments:
        if a["attach_status"] != "attached":
            continue
        out.append(
            {
                "id": a["volume_id"],
                "attachment_id": a["id"],
                "volume_id": a["volume_id"],
                "server_id": a["instance_uuid"],
                "host_name": a["attached_host"] if (ctx.is_admin or "service" in ctx.roles) else None,
                "device": a["mountpoint"],
                "attached_at": ts(a["attach_time"]),
            }
        )
    return out


def volume_detail(
    ctx: RequestContext,
    base_url: str,
    volume: dict[str, Any],
    *,
    volume_type: dict[str, Any] | None,
    attachments: list[dict[str, Any]],
    extended: bool = True,
) -> dict[str, Any]:
    """The detailed view (create, show, update, list detail).

    ``extended`` adds what cinder's API extensions add to show/detail only (tenant, host,
    migration attributes, image metadata); create and update answer without them.
    """
    type_name = volume_type["name"] if volume_type else None
    body: dict[str, Any] = {
        "id": volume["id"],
        "status": DETAIL_ONLY_STATUSES.get(volume["status"], volume["status"]),
        "size": volume["size"],
        "availability_zone": volume["availability_zone"],
        "created_at": ts(volume["created_at"]),
        "updated_at": ts(volume["updated_at"]),
        "name": volume["name"],
        "description": volume["description"],
        "volume_type": type_name,
        "snapshot_id": volume["snapshot_id"],
        "source_volid": volume["source_volid"],
        "metadata": dict(volume["metadata"] or {}),
        "links": links(base_url, volume["project_id"], "volumes", volume["id"]),
        "user_id": volume["user_id"],
        "bootable": "true" if volume["bootable"] else "false",
        "encrypted": False,
        "replication_status": volume["replication_status"],
        "consistencygroup_id": None,
        "multiattach": bool(volume["multiattach"]),
        "attachments": volume_attachments(ctx, attachments),
    }
    if ctx.is_admin:
        body["migration_status"] = volume["migration_status"]
    if mv(ctx, "3.13"):
        body["group_id"] = None
    if ctx.is_admin and mv(ctx, "3.21"):
        body["provider_id"] = None
    if mv(ctx, "3.48"):
        body["shared_targets"] = False
        body["service_uuid"] = None
    if ctx.is_admin and mv(ctx, "3.61"):
        body["cluster_name"] = None
    if mv(ctx, "3.63"):
        body["volume_type_id"] = volume_type["id"] if volume_type else None
    if mv(ctx, "3.65"):
        body["consumes_quota"] = bool(volume["consumes_quota"])
    if extended:
        body["os-vol-tenant-attr:tenant_id"] = volume["project_id"]
        if ctx.is_admin:
            body["os-vol-host-attr:host"] = volume["host"]
            body["os-vol-mig-status-attr:migstat"] = volume["migration_status"]
            body["os-vol-mig-status-attr:name_id"] = None
        if volume["image_metadata"]:
            body["volume_image_metadata"] = {k: str(v) for k, v in volume["image_metadata"].items()}
    return body


# volume types
def volume_type_view(
    ctx: RequestContext, vtype: dict[str, Any], *, create: bool = False, update: bool = False
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": vtype["id"],
        "name": vtype["name"],
        "description": vtype["description"],
        "is_public": bool(vtype["is_public"]),
    }
    if ctx.is_admin or create:
        body["extra_specs"] = dict(vtype["extra_specs"] or {})
    elif vtype["extra_specs"]:
        # non-admins see the user-visible specs only (cinder 3.x: multiattach, RESKEY:availability_zones,
        # replication_enabled)
        visible = {
            k: v
            for k, v in vtype["extra_specs"].items()
            if k in ("multiattach", "RESKEY:availability_zones", "replication_enabled")
        }
        body["extra_specs"] = visible
    if update:
        return body
    body["os-volume-type-access:is_public"] = bool(vtype["is_public"])
    if not create and ctx.is_admin:
        body["qos_specs_id"] = vtype["qos_specs_id"]
    return body


# snapshots
def snapshot_view(ctx: RequestContext, snap: dict[str, Any], *, detail: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": snap["id"],
        "created_at": ts(snap["created_at"]),
        "updated_at": ts(snap["updated_at"]),
        "name": snap["name"],
        "description": snap["description"],
        "volume_id": snap["volume_id"],
        "status": snap["status"],
        "size": snap["size"],
        "metadata": dict(snap["metadata"] or {}),
    }
    if detail:
        body["os-extended-snapshot-attributes:progress"] = snap["progress"]
        body["os-extended-snapshot-attributes:project_id"] = snap["project_id"]
        if mv(ctx, "3.41"):
            body["user_id"] = snap["user_id"]
        if mv(ctx, "3.65"):
            body["consumes_quota"] = True
    if mv(ctx, "3.14"):
        body["group_snapshot_id"] = None
    return body


# backups
def backup_summary(base_url: str, backup: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": backup["id"],
        "name": backup["name"],
        "links": links(base_url, backup["project_id"], "backups", backup["id"]),
    }


def backup_detail(ctx: RequestContext, base_url: str, backup: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": backup["id"],
        "status": backup["status"],
        "size": backup["size"],
        "object_count": backup["object_count"],
        "availability_zone": backup["availability_zone"],
        "container": backup["container"],
        "created_at": ts(backup["created_at"]),
        "updated_at": ts(backup["updated_at"]),
        "name": backup["name"],
        "description": backup["description"],
        "fail_reason": backup["fail_reason"],
        "volume_id": backup["volume_id"],
        "links": links(base_url, backup["project_id"], "backups", backup["id"]),
        "is_incremental": bool(backup["is_incremental"]),
        "has_dependent_backups": False,
        "snapshot_id": backup["snapshot_id"],
        "data_timestamp": ts(backup["data_timestamp"]),
    }
    if mv(ctx, "3.18") and ctx.is_admin:
        body["os-backup-project-attr:project_id"] = backup["project_id"]
    if mv(ctx, "3.43"):
        body["metadata"] = dict(backup["metadata"] or {})
    if mv(ctx, "3.56"):
        body["user_id"] = backup["user_id"]
    return body


# transfers
def transfer_view(
    ctx: RequestContext, base_url: str, t: dict[str, Any], *, detail: bool = True, auth_key: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": t["id"],
        "name": t["name"],
        "volume_id": t["volume_id"],
        "links": links(base_url, t["source_project_id"], "os-volume-transfer", t["id"]),
    }
    if detail or auth_key is not None:
        body["created_at"] = ts(t["created_at"])
    if auth_key is not None:
        body["auth_key"] = auth_key
    if detail or auth_key is not None:
        if mv(ctx, "3.55"):
            body["no_snapshots"] = bool(t["no_snapshots"])
        if mv(ctx, "3.57"):
            body["destination_project_id"] = t["destination_project_id"]
            body["source_project_id"] = t["source_project_id"]
            body["accepted"] = bool(t["accepted"])
    return body


# attachments
def attachment_summary(a: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": a["id"],
        "status": a["attach_status"],
        "instance": a["instance_uuid"],
        "volume_id": a["volume_id"],
    }


def attachment_detail(a: dict[str, Any]) -> dict[str, Any]:
    body = attachment_summary(a)
    body.update(
        attached_at=ts(a["attach_time"]) or "",
        detached_at=ts(a["detach_time"]) or "",
        attach_mode=a["attach_mode"],
        connection_info=a["connection_info"] or {},
    )
    return body
