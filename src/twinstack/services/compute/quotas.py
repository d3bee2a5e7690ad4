"""Quotas: nova's defaults, per-project and per-user limits, quota classes, usage counting."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select

from twinstack.core.errors import BadRequest
from twinstack.services.compute import models as m

if TYPE_CHECKING:
    from twinstack.services.compute.service import ComputeService

DEFAULTS = {
    "instances": 10,
    "cores": 20,
    "ram": 51200,
    "metadata_items": 128,
    "injected_files": 5,
    "injected_file_content_bytes": 10240,
    "injected_file_path_bytes": 255,
    "key_pairs": 100,
    "server_groups": 10,
    "server_group_members": 10,
    # nova-network era, shown before 2.36 (fixed at -1/defaults, as nova proxies neutron)
    "floating_ips": 10,
    "fixed_ips": -1,
    "security_groups": 10,
    "security_group_rules": 20,
}
NETWORK_RESOURCES = ("floating_ips", "fixed_ips", "security_groups", "security_group_rules")
FILE_RESOURCES = ("injected_files", "injected_file_content_bytes", "injected_file_path_bytes")


def visible_resources(mv_236: bool, mv_257: bool) -> list[str]:
    names = list(DEFAULTS)
    if mv_236:
        names = [n for n in names if n not in NETWORK_RESOURCES]
    if mv_257:
        names = [n for n in names if n not in FILE_RESOURCES]
    return names


class QuotasMixin:
    def class_limits(self: ComputeService, class_name: str = "default") -> dict[str, int]:
        limits = dict(DEFAULTS)
        with self.db.begin() as conn:
            for res, hard in conn.execute(
                select(m.quota_classes.c.resource, m.quota_classes.c.hard_limit).where(
                    m.quota_classes.c.class_name == class_name
                )
            ):
                limits[res] = hard
        return limits

    def project_limits(self: ComputeService, project_id: str, user_id: str | None = None) -> dict[str, int]:
        """The limits that apply (defaults, class, project, user); read once, kept until a quota
        write (every one goes through this class)."""
        found = self.limits_cache.get((project_id, user_id))
        if found is None:
            found = self._read_project_limits(project_id, user_id)
            self.limits_cache[(project_id, user_id)] = found
        return dict(found)

    def _forget_limits(self: ComputeService) -> None:
        self.limits_cache.clear()

    def _read_project_limits(
        self: ComputeService, project_id: str, user_id: str | None = None
    ) -> dict[str, int]:
        limits = self.class_limits()
        q = m.quotas
        with self.db.begin() as conn:
            for res, hard in conn.execute(
                select(q.c.resource, q.c.hard_limit).where(q.c.project_id == project_id, q.c.user_id == "")
            ):
                limits[res] = hard
            if user_id:
                for res, hard in conn.execute(
                    select(q.c.resource, q.c.hard_limit).where(
                        q.c.project_id == project_id, q.c.user_id == user_id
                    )
                ):
                    limits[res] = hard
        return limits

    def quota_limit(self: ComputeService, project_id: str, resource: str) -> int:
        return self.project_limits(project_id)[resource]

    def quota_usage(self: ComputeService, project_id: str, user_id: str | None = None) -> dict[str, int]:
        used = self.count_instances(project_id, user_id)
        with self.db.begin() as conn:
            used["server_groups"] = (
                conn.execute(select(func.count()).where(m.server_groups.c.project_id == project_id)).scalar()
                or 0
            )
            if user_id:
                used["key_pairs"] = (
                    conn.execute(select(func.count()).where(m.keypairs.c.user_id == user_id)).scalar() or 0
                )
        return used

    def set_quotas(
        self: ComputeService,
        project_id: str,
        values: dict[str, int],
        user_id: str | None = None,
        force: bool = False,
    ) -> None:
        q = m.quotas
        if not force:
            usage = self.quota_usage(project_id, user_id)
            for res, hard in values.items():
                if hard >= 0 and usage.get(res, 0) > hard:
                    raise BadRequest(
                        f"Quota limit {hard} for {res} must be greater than or equal to already used "
                        f"and reserved {usage[res]}."
                    )
        self._forget_limits()
        with self.db.begin() as conn:
            for res, hard in values.items():
                conn.execute(
                    delete(q).where(
                        q.c.project_id == project_id, q.c.user_id == (user_id or ""), q.c.resource == res
                    )
                )
                conn.execute(
                    insert(q).values(
                        project_id=project_id, user_id=user_id or "", resource=res, hard_limit=hard
                    )
                )

    def delete_quotas(self: ComputeService, project_id: str, user_id: str | None = None) -> None:
        q = m.quotas
        self._forget_limits()
        with self.db.begin() as conn:
            query = delete(q).where(q.c.project_id == project_id)
            if user_id:
                query = query.where(q.c.user_id == user_id)
            conn.execute(query)

    def set_class_quotas(self: ComputeService, class_name: str, values: dict[str, int]) -> None:
        qc = m.quota_classes
        self._forget_limits()
        with self.db.begin() as conn:
            for res, hard in values.items():
                conn.execute(delete(qc).where(qc.c.class_name == class_name, qc.c.resource == res))
                conn.execute(insert(qc).values(class_name=class_name, resource=res, hard_limit=hard))

    def check_instance_quota(
        self: ComputeService, project_id: str, user_id: str, count: int, vcpus: int, ram: int
    ) -> tuple[dict[str, int], dict[str, int]]:
        """(limits, usage); the caller decides how many instances fit."""
        del user_id, count, vcpus, ram
        return self.project_limits(project_id), self.count_instances(project_id)

    @staticmethod
    def quota_detail(limits: dict[str, int], usage: dict[str, Any], names: list[str]) -> dict[str, Any]:
        return {n: {"limit": limits[n], "in_use": usage.get(n, 0), "reserved": 0} for n in names}
