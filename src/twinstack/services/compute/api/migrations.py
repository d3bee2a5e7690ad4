"""``os-migrations`` and ``/servers/{id}/migrations`` (live migrations in progress)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from twinstack.core.errors import NotFound
from twinstack.core.http import ApiRequest, ServiceApi
from twinstack.services.compute import models as m
from twinstack.services.compute.api import admin_only, compute, links, route
from twinstack.services.compute.api.views import usage_ts


def _flavor_ids(conn: Any, rows: list[dict[str, Any]]) -> dict[str, int]:
    """nova's ``*_instance_type_id`` are flavors' internal integer ids; migrations keep flavorids."""
    wanted = {r[k] for r in rows for k in ("old_flavor_id", "new_flavor_id") if r[k] is not None}
    if not wanted:
        return {}
    query = select(m.flavors.c.flavorid, m.flavors.c.id).where(m.flavors.c.flavorid.in_(wanted))
    return {str(flavorid): int(internal) for flavorid, internal in conn.execute(query)}


def _view(req: ApiRequest, row: dict[str, Any], flavor_ids: dict[str, int]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": row["id"],
        "instance_uuid": row["instance_uuid"],
        "source_compute": row["source_compute"],
        "dest_compute": row["dest_compute"],
        "source_node": row["source_node"],
        "dest_node": row["dest_node"],
        "dest_host": row["dest_host"],
        "old_instance_type_id": flavor_ids.get(str(row["old_flavor_id"])),
        "new_instance_type_id": flavor_ids.get(str(row["new_flavor_id"])),
        "status": row["status"],
        "created_at": usage_ts(row["created_at"]),
        "updated_at": usage_ts(row["updated_at"]),
    }
    if req.ctx.mv("2.23"):
        body["migration_type"] = row["migration_type"]
        if row["migration_type"] == "live-migration":
            body["links"] = links(req, f"servers/{row['instance_uuid']}/migrations", str(row["id"]))
    if req.ctx.mv("2.59"):
        body["uuid"] = row["uuid"]
    if req.ctx.mv("2.80"):
        body["project_id"] = row["project_id"]
        body["user_id"] = row["user_id"]
    return body


def list_migrations(req: ApiRequest) -> dict[str, Any]:
    admin_only(req, "os_compute_api:os-migrations:index")
    mig = m.migrations
    query = select(mig).order_by(mig.c.created_at.desc(), mig.c.id.desc())
    for key in ("status", "migration_type", "instance_uuid"):
        if req.query.get(key):
            query = query.where(mig.c[key] == req.query[key])
    if req.query.get("host"):
        query = query.where(
            (mig.c.source_compute == req.query["host"]) | (mig.c.dest_compute == req.query["host"])
        )
    with req.cloud.db.begin() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
        flavor_ids = _flavor_ids(conn, rows)
    return {"migrations": [_view(req, r, flavor_ids) for r in rows]}


def server_migrations(req: ApiRequest) -> dict[str, Any]:
    admin_only(req, "os_compute_api:servers:migrations:index")
    inst = compute(req).get_instance(req.ctx, req.path["server_id"])
    mig = m.migrations
    with req.cloud.db.begin() as conn:
        rows = [
            dict(r)
            for r in conn.execute(
                select(mig).where(
                    mig.c.instance_uuid == inst["id"],
                    mig.c.migration_type == "live-migration",
                    mig.c.status.in_(("queued", "preparing", "running", "post-migrating")),
                )
            ).mappings()
        ]
    return {"migrations": [_live_view(req, r) for r in rows]}


def _live_view(req: ApiRequest, row: dict[str, Any]) -> dict[str, Any]:
    body = {
        "id": row["id"],
        "server_uuid": row["instance_uuid"],
        "source_compute": row["source_compute"],
        "dest_compute": row["dest_compute"],
        "source_node": row["source_node"],
        "dest_node": row["dest_node"],
        "dest_host": row["dest_host"],
        "status": row["status"],
        "created_at": usage_ts(row["created_at"]),
        "updated_at": usage_ts(row["updated_at"]),
        "memory_total_bytes": 0,
        "memory_processed_bytes": 0,
        "memory_remaining_bytes": 0,
        "disk_total_bytes": 0,
        "disk_processed_bytes": 0,
        "disk_remaining_bytes": 0,
    }
    if req.ctx.mv("2.59"):
        body["uuid"] = row["uuid"]
    if req.ctx.mv("2.80"):
        body["project_id"] = row["project_id"]
        body["user_id"] = row["user_id"]
    return body


def show_server_migration(req: ApiRequest) -> dict[str, Any]:
    rows = server_migrations(req)["migrations"]
    for row in rows:
        if str(row["id"]) == req.path["migration_id"]:
            return {"migration": row}
    raise NotFound(f"Migration {req.path['migration_id']} for instance {req.path['server_id']} not found.")


def register(api: ServiceApi) -> None:
    route(api, "GET", "/os-migrations", list_migrations)
    route(api, "GET", "/servers/{server_id}/migrations", server_migrations)
    route(api, "GET", "/servers/{server_id}/migrations/{migration_id}", show_server_migration)
