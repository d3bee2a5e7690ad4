"""Flavors: devstack's set, public and private (access lists), extra specs, description."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select, update

from twinstack.core.errors import BadRequest, Conflict, Forbidden, NotFound
from twinstack.services.compute import models as m

if TYPE_CHECKING:
    from twinstack.core.context import RequestContext
    from twinstack.services.compute.service import ComputeService


def flavor_snapshot(row: dict[str, Any]) -> dict[str, Any]:
    """What an instance keeps of its flavor (nova's embedded flavor)."""
    return {
        k: row[k]
        for k in (
            "flavorid",
            "name",
            "memory_mb",
            "vcpus",
            "root_gb",
            "ephemeral_gb",
            "swap",
            "rxtx_factor",
            "is_public",
            "disabled",
            "description",
        )
    } | {"extra_specs": dict(row.get("extra_specs") or {})}


class FlavorsMixin:
    def _flavor_row(self: ComputeService, flavorid: str) -> dict[str, Any] | None:
        with self.db.begin() as conn:
            row = conn.execute(select(m.flavors).where(m.flavors.c.flavorid == flavorid)).mappings().first()
        return dict(row) if row else None

    def _flavor_access(self: ComputeService, flavorid: str) -> list[str]:
        with self.db.begin() as conn:
            return [
                r[0]
                for r in conn.execute(
                    select(m.flavor_projects.c.project_id).where(m.flavor_projects.c.flavorid == flavorid)
                )
            ]

    def get_flavor(self: ComputeService, ctx: RequestContext, flavorid: str) -> dict[str, Any]:
        row = self._flavor_row(flavorid)
        if row is None or (
            not row["is_public"] and not ctx.is_admin and ctx.project_id not in self._flavor_access(flavorid)
        ):
            raise NotFound(f"Flavor {flavorid} could not be found.")
        return row

    def list_flavors(
        self: ComputeService,
        ctx: RequestContext,
        *,
        is_public: bool | None = True,
        min_ram: int | None = None,
        min_disk: int | None = None,
    ) -> list[dict[str, Any]]:
        f = m.flavors
        query = select(f).where(f.c.disabled.is_(False))
        if min_ram is not None:
            query = query.where(f.c.memory_mb >= min_ram)
        if min_disk is not None:
            query = query.where(f.c.root_gb >= min_disk)
        with self.db.begin() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
            access = {
                r[0]
                for r in conn.execute(
                    select(m.flavor_projects.c.flavorid).where(
                        m.flavor_projects.c.project_id == (ctx.project_id or "")
                    )
                )
            }
        if ctx.is_admin:
            if is_public is None:
                return rows
            return [
                r
                for r in rows
                if bool(r["is_public"]) == is_public or (is_public and r["flavorid"] in access)
            ]
        return [r for r in rows if r["is_public"] or r["flavorid"] in access]

    def create_flavor(self: ComputeService, ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
        flavorid = body.get("id") or self.cloud.ids.uuid()
        with self.db.begin() as conn:
            if conn.execute(select(m.flavors.c.id).where(m.flavors.c.flavorid == str(flavorid))).first():
                raise Conflict(f"Flavor with ID {flavorid} already exists.")
            if conn.execute(select(m.flavors.c.id).where(m.flavors.c.name == body["name"])).first():
                raise Conflict(f"Flavor with name {body['name']} already exists.")
            conn.execute(
                insert(m.flavors).values(
                    flavorid=str(flavorid),
                    name=body["name"],
                    memory_mb=int(body["ram"]),
                    vcpus=int(body["vcpus"]),
                    root_gb=int(body["disk"]),
                    ephemeral_gb=int(body.get("OS-FLV-EXT-DATA:ephemeral") or 0),
                    swap=int(body.get("swap") or 0),
                    rxtx_factor=float(body.get("rxtx_factor") or 1.0),
                    is_public=bool(body.get("os-flavor-access:is_public", True)),
                    disabled=False,
                    description=body.get("description"),
                    extra_specs={},
                    created_at=self.cloud.clock.now(),
                )
            )
        return self._flavor_row(str(flavorid)) or {}

    def delete_flavor(self: ComputeService, ctx: RequestContext, flavorid: str) -> None:
        if self._flavor_row(flavorid) is None:
            raise NotFound(f"Flavor {flavorid} could not be found.")
        with self.db.begin() as conn:
            conn.execute(delete(m.flavors).where(m.flavors.c.flavorid == flavorid))
            conn.execute(delete(m.flavor_projects).where(m.flavor_projects.c.flavorid == flavorid))

    def update_flavor(
        self: ComputeService, ctx: RequestContext, flavorid: str, description: str | None
    ) -> dict[str, Any]:
        self.get_flavor(ctx, flavorid)
        with self.db.begin() as conn:
            conn.execute(
                update(m.flavors)
                .where(m.flavors.c.flavorid == flavorid)
                .values(description=description, updated_at=self.cloud.clock.now())
            )
        return self._flavor_row(flavorid) or {}

    # extra specs -------------------------------------------------------------------------------
    def set_extra_specs(
        self: ComputeService, ctx: RequestContext, flavorid: str, specs: dict[str, Any], replace: bool = False
    ) -> dict[str, str]:
        row = self.get_flavor(ctx, flavorid)
        current = {} if replace else dict(row["extra_specs"] or {})
        current.update({k: str(v) for k, v in specs.items()})
        with self.db.begin() as conn:
            conn.execute(
                update(m.flavors).where(m.flavors.c.flavorid == flavorid).values(extra_specs=current)
            )
        return current

    def delete_extra_spec(self: ComputeService, ctx: RequestContext, flavorid: str, key: str) -> None:
        row = self.get_flavor(ctx, flavorid)
        current = dict(row["extra_specs"] or {})
        if key not in current:
            raise NotFound(f"Flavor {flavorid} has no extra specs with key {key}.")
        del current[key]
        with self.db.begin() as conn:
            conn.execute(
                update(m.flavors).where(m.flavors.c.flavorid == flavorid).values(extra_specs=current)
            )

    # access ------------------------------------------------------------------------------------
    def flavor_access(self: ComputeService, ctx: RequestContext, flavorid: str) -> list[str]:
        row = self.get_flavor(ctx, flavorid)
        if row["is_public"]:
            raise NotFound("Access list not available for public flavors.")
        return self._flavor_access(flavorid)

    def add_flavor_access(
        self: ComputeService, ctx: RequestContext, flavorid: str, project_id: str
    ) -> list[str]:
        row = self.get_flavor(ctx, flavorid)
        if row["is_public"]:
            raise Conflict("Can not add access to a public flavor.")
        if project_id in self._flavor_access(flavorid):
            raise Conflict(
                f"Flavor access already exists for flavor {flavorid} and project {project_id} combination."
            )
        with self.db.begin() as conn:
            conn.execute(insert(m.flavor_projects).values(flavorid=flavorid, project_id=project_id))
        return self._flavor_access(flavorid)

    def remove_flavor_access(
        self: ComputeService, ctx: RequestContext, flavorid: str, project_id: str
    ) -> list[str]:
        self.get_flavor(ctx, flavorid)
        if project_id not in self._flavor_access(flavorid):
            raise NotFound(f"Flavor access not found for {flavorid} / {project_id} combination.")
        with self.db.begin() as conn:
            conn.execute(
                delete(m.flavor_projects).where(
                    m.flavor_projects.c.flavorid == flavorid, m.flavor_projects.c.project_id == project_id
                )
            )
        return self._flavor_access(flavorid)


def require_admin(ctx: RequestContext, rule: str) -> None:
    if not ctx.is_admin:
        raise Forbidden(f"Policy doesn't allow {rule} to be performed.")


def bad(message: str) -> BadRequest:
    return BadRequest(message)
