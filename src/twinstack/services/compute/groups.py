"""Server groups: affinity, anti-affinity and the soft variants, enforced by the scheduler."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select

from twinstack.core.errors import Forbidden, NotFound
from twinstack.services.compute import models as m

if TYPE_CHECKING:
    from twinstack.core.context import RequestContext
    from twinstack.services.compute.service import ComputeService


class GroupsMixin:
    def _group_members(self: ComputeService, conn: Any, group_uuid: str) -> list[str]:
        g = m.server_group_members
        return [r[0] for r in conn.execute(select(g.c.instance_uuid).where(g.c.group_uuid == group_uuid))]

    def get_group(self: ComputeService, ctx: RequestContext, group_uuid: str) -> dict[str, Any]:
        with self.db.begin() as conn:
            row = (
                conn.execute(select(m.server_groups).where(m.server_groups.c.uuid == group_uuid))
                .mappings()
                .first()
            )
            if row is None or (not ctx.is_admin and row["project_id"] != ctx.project_id):
                raise NotFound(f"Instance group {group_uuid} could not be found.")
            group = dict(row)
            group["members"] = self._group_members(conn, group_uuid)
        return group

    def list_groups(
        self: ComputeService, ctx: RequestContext, all_projects: bool = False
    ) -> list[dict[str, Any]]:
        g = m.server_groups
        query = select(g).order_by(g.c.created_at)
        if not (all_projects and ctx.is_admin):
            query = query.where(g.c.project_id == ctx.project_id)
        with self.db.begin() as conn:
            groups = [dict(r) for r in conn.execute(query).mappings()]
            for group in groups:
                group["members"] = self._group_members(conn, group["uuid"])
        return groups

    def create_group(
        self: ComputeService, ctx: RequestContext, name: str, policy: str, rules: dict[str, Any]
    ) -> dict[str, Any]:
        uuid = self.cloud.ids.uuid()
        limit = self.quota_limit(ctx.project_id or "", "server_groups")
        g = m.server_groups
        with self.db.begin() as conn:
            count = conn.execute(select(func.count()).where(g.c.project_id == ctx.project_id)).scalar() or 0
            if limit >= 0 and count + 1 > limit:
                raise Forbidden("Quota exceeded, too many server groups.")
            conn.execute(
                insert(g).values(
                    uuid=uuid,
                    name=name,
                    project_id=ctx.project_id,
                    user_id=ctx.user_id,
                    policy=policy,
                    rules=rules,
                    created_at=self.cloud.clock.now(),
                )
            )
        return self.get_group(ctx, uuid)

    def delete_group(self: ComputeService, ctx: RequestContext, group_uuid: str) -> None:
        self.get_group(ctx, group_uuid)
        with self.db.begin() as conn:
            conn.execute(delete(m.server_groups).where(m.server_groups.c.uuid == group_uuid))
            conn.execute(
                delete(m.server_group_members).where(m.server_group_members.c.group_uuid == group_uuid)
            )

    def group_for_instance(self: ComputeService, instance_id: str) -> dict[str, Any] | None:
        gm = m.server_group_members
        with self.db.begin() as conn:
            row = (
                conn.execute(
                    select(m.server_groups)
                    .join(gm, gm.c.group_uuid == m.server_groups.c.uuid)
                    .where(gm.c.instance_uuid == instance_id)
                )
                .mappings()
                .first()
            )
        if row is None:
            return None
        return {"uuid": row["uuid"], "policy": row["policy"], "rules": row["rules"] or {}, "hosts": []}

    def refresh_group_hosts(self: ComputeService, spec: dict[str, Any], exclude: str | None = None) -> None:
        """Fill the request's group hosts (one entry per member) and same/different host hints."""
        group = spec.get("instance_group")
        i = m.instances
        with self.db.begin() as conn:
            if group:
                gm = m.server_group_members
                rows = conn.execute(
                    select(i.c.id, i.c.host)
                    .join(gm, gm.c.instance_uuid == i.c.id)
                    .where(gm.c.group_uuid == group["uuid"], i.c.deleted.is_(False), i.c.host.is_not(None))
                )
                group["hosts"] = [r.host for r in rows if r.id != exclude]
            hints = spec.get("scheduler_hints") or {}
            for hint, key in (("same_host", "same_host_hosts"), ("different_host", "different_host_hosts")):
                ids = hints.get(hint)
                if ids:
                    ids = [ids] if isinstance(ids, str) else list(ids)
                    spec[key] = [
                        r[0]
                        for r in conn.execute(select(i.c.host).where(i.c.id.in_(ids), i.c.host.is_not(None)))
                    ]
