"""Quotas: limits (defaults, the ``default`` quota class, per project) and usage counted from
the rows themselves, checked in the same transaction that writes a row (so concurrent
requests never overrun a quota: no await happens in between)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, func, select

from twinstack.core.errors import BadRequest
from twinstack.services.block_storage import models as m
from twinstack.services.block_storage.common import QuotaError

if TYPE_CHECKING:
    from twinstack.services.block_storage.service import BlockStorageService

BASE_RESOURCES = (
    "volumes",
    "snapshots",
    "gigabytes",
    "backups",
    "backup_gigabytes",
    "groups",
    "per_volume_gigabytes",
)
TYPE_RESOURCES = ("volumes", "gigabytes", "snapshots")


class QuotasMixin:
    def default_limits(self: BlockStorageService, conn: Connection) -> dict[str, int]:
        c = self.config
        limits = {
            "volumes": c.quota_volumes,
            "snapshots": c.quota_snapshots,
            "gigabytes": c.quota_gigabytes,
            "backups": c.quota_backups,
            "backup_gigabytes": c.quota_backup_gigabytes,
            "groups": c.quota_groups,
            "per_volume_gigabytes": c.quota_per_volume_gigabytes,
        }
        for vtype in self.types_by_id(conn).values():
            for res in TYPE_RESOURCES:
                limits[f"{res}_{vtype['name']}"] = -1
        for row in conn.execute(select(m.quota_classes).where(m.quota_classes.c.class_name == "default")):
            if row.resource in limits:
                limits[row.resource] = row.hard_limit
        return limits

    # Limits and usage are cached per project (the event loop is the only writer): usage is
    # counted from the rows once, then moved by each successful check (a reservation, in the
    # same transaction as the row it pays for) and recounted after anything else changes it.
    def usage_changed(self: BlockStorageService, project_id: str | None = None) -> None:
        if project_id is None:
            self._usage_cache.clear()
        else:
            self._usage_cache.pop(project_id, None)

    def limits_changed(self: BlockStorageService, project_id: str | None = None) -> None:
        if project_id is None:
            self._limits_cache.clear()
        else:
            self._limits_cache.pop(project_id, None)

    def quota_limits(self: BlockStorageService, conn: Connection, project_id: str) -> dict[str, int]:
        cached = self._limits_cache.get(project_id)
        if cached is not None:
            return cached
        limits = self.default_limits(conn)
        for row in conn.execute(select(m.quotas).where(m.quotas.c.project_id == project_id)):
            if row.resource in limits:
                limits[row.resource] = row.hard_limit
        self._limits_cache[project_id] = limits
        return limits

    def quota_usage(self: BlockStorageService, conn: Connection, project_id: str) -> dict[str, int]:
        cached = self._usage_cache.get(project_id)
        if cached is None:
            cached = self._count_usage(conn, project_id)
            self._usage_cache[project_id] = cached
        return cached

    def _count_usage(self: BlockStorageService, conn: Connection, project_id: str) -> dict[str, int]:
        types = self.types_by_id(conn)
        usage = dict.fromkeys(self.default_limits(conn), 0)
        vols = conn.execute(
            select(m.volumes.c.volume_type_id, func.count(), func.coalesce(func.sum(m.volumes.c.size), 0))
            .where(m.volumes.c.project_id == project_id, m.volumes.c.consumes_quota.is_(True))
            .group_by(m.volumes.c.volume_type_id)
        ).all()
        snaps = conn.execute(
            select(m.snapshots.c.volume_type_id, func.count(), func.coalesce(func.sum(m.snapshots.c.size), 0))
            .where(m.snapshots.c.project_id == project_id)
            .group_by(m.snapshots.c.volume_type_id)
        ).all()
        for type_id, count, gb in vols:
            usage["volumes"] += count
            usage["gigabytes"] += int(gb)
            name = (types.get(type_id) or {}).get("name")
            if name:
                usage[f"volumes_{name}"] = usage.get(f"volumes_{name}", 0) + count
                usage[f"gigabytes_{name}"] = usage.get(f"gigabytes_{name}", 0) + int(gb)
        for type_id, count, gb in snaps:
            usage["snapshots"] += count
            usage["gigabytes"] += int(gb)
            name = (types.get(type_id) or {}).get("name")
            if name:
                usage[f"snapshots_{name}"] = usage.get(f"snapshots_{name}", 0) + count
                usage[f"gigabytes_{name}"] = usage.get(f"gigabytes_{name}", 0) + int(gb)
        count, gb = conn.execute(
            select(func.count(), func.coalesce(func.sum(m.backups.c.size), 0)).where(
                m.backups.c.project_id == project_id
            )
        ).one()
        usage["backups"] = count
        usage["backup_gigabytes"] = int(gb)
        return usage

    def _check(
        self: BlockStorageService,
        conn: Connection,
        project_id: str,
        deltas: dict[str, int],
        size: int | None,
        kind: str,
    ) -> None:
        limits = self.quota_limits(conn, project_id)
        per_volume = limits.get("per_volume_gigabytes", -1)
        if size is not None and per_volume >= 0 and size > per_volume:
            raise QuotaError(
                f"Requested volume size {size}G is larger than maximum allowed limit {per_volume}G."
            )
        usage = self.quota_usage(conn, project_id)
        for res, delta in deltas.items():
            limit = limits.get(res, -1)
            if delta <= 0 or limit < 0:
                continue
            used = usage.get(res, 0)
            if used + delta <= limit:
                continue
            if "gigabytes" in res:
                if res.startswith("backup"):
                    raise QuotaError(
                        f"Requested backup exceeds allowed Backup gigabytes quota. Requested "
                        f"{delta}G, quota is {limit}G and {used}G has been consumed."
                    )
                raise QuotaError(
                    f"Requested volume or snapshot exceeds allowed {res} quota. Requested "
                    f"{delta}G, quota is {limit}G and {used}G has been consumed."
                )
            if res.startswith("volumes"):
                raise QuotaError(f"Maximum number of volumes allowed ({limit}) exceeded for quota '{res}'.")
            if res.startswith("snapshots"):
                raise QuotaError(f"Maximum number of snapshots allowed ({limit}) exceeded")
            if res.startswith("backups"):
                raise QuotaError(f"Maximum number of backups allowed ({limit}) exceeded")
            raise QuotaError(f"Quota exceeded for resources: ['{res}']")
        for res, delta in deltas.items():  # reserve: the caller writes its row in this transaction
            usage[res] = usage.get(res, 0) + delta

    def check_volume_quota(
        self: BlockStorageService, conn: Connection, project_id: str, size: int, vtype: dict[str, Any] | None
    ) -> None:
        deltas = {"volumes": 1, "gigabytes": size}
        if vtype:
            deltas[f"volumes_{vtype['name']}"] = 1
            deltas[f"gigabytes_{vtype['name']}"] = size
        self._check(conn, project_id, deltas, size, "volume")

    def check_extend_quota(
        self: BlockStorageService,
        conn: Connection,
        project_id: str,
        grow: int,
        new_size: int,
        vtype: dict[str, Any] | None,
    ) -> None:
        deltas = {"gigabytes": grow}
        if vtype:
            deltas[f"gigabytes_{vtype['name']}"] = grow
        self._check(conn, project_id, deltas, new_size, "volume")

    def check_retype_quota(
        self: BlockStorageService,
        conn: Connection,
        project_id: str,
        size: int,
        old: dict[str, Any] | None,
        new: dict[str, Any],
    ) -> None:
        self._check(
            conn, project_id, {f"volumes_{new['name']}": 1, f"gigabytes_{new['name']}": size}, None, "volume"
        )

    def check_snapshot_quota(
        self: BlockStorageService, conn: Connection, project_id: str, size: int, vtype: dict[str, Any] | None
    ) -> None:
        deltas = {"snapshots": 1, "gigabytes": size}
        if vtype:
            deltas[f"snapshots_{vtype['name']}"] = 1
            deltas[f"gigabytes_{vtype['name']}"] = size
        self._check(conn, project_id, deltas, None, "snapshot")

    def check_backup_quota(self: BlockStorageService, conn: Connection, project_id: str, size: int) -> None:
        self._check(conn, project_id, {"backups": 1, "backup_gigabytes": size}, None, "backup")

    # the quota API
    def get_quotas(
        self: BlockStorageService, project_id: str, *, usage: bool = False, defaults: bool = False
    ) -> dict[str, Any]:
        with self.cloud.db.begin() as conn:
            limits = self.default_limits(conn) if defaults else self.quota_limits(conn, project_id)
            if not usage:
                return limits
            used = self.quota_usage(conn, project_id)
        return {
            k: {"limit": v, "in_use": used.get(k, 0), "reserved": 0, "allocated": 0}
            for k, v in limits.items()
        }

    def update_quotas(self: BlockStorageService, project_id: str, values: dict[str, Any]) -> dict[str, int]:
        with self.cloud.db.begin() as conn:
            limits = self.quota_limits(conn, project_id)
            clean: dict[str, int] = {}
            for key, value in values.items():
                if key not in limits:
                    raise BadRequest(f"Invalid input received: Bad key(s) in quota set: {key}")
                try:
                    number = int(value)
                except (TypeError, ValueError):
                    raise BadRequest(
                        f"Invalid input for field/attribute {key}. Value: {value}. "
                        f"{value!r} is not valid under any of the given schemas"
                    ) from None
                if number < -1:
                    raise BadRequest(
                        f"Invalid input for field/attribute {key}. Value: {value}. "
                        f"{value} is less than the minimum of -1"
                    )
                clean[key] = number
            self.limits_changed(project_id)
            for key, number in clean.items():
                conn.execute(
                    delete(m.quotas).where(m.quotas.c.project_id == project_id, m.quotas.c.resource == key)
                )
                conn.execute(m.quotas.insert().values(project_id=project_id, resource=key, hard_limit=number))
            return self.quota_limits(conn, project_id)

    def delete_quotas(self: BlockStorageService, project_id: str) -> None:
        self.limits_changed(project_id)
        with self.cloud.db.begin() as conn:
            conn.execute(delete(m.quotas).where(m.quotas.c.project_id == project_id))

    def update_quota_class(
        self: BlockStorageService, class_name: str, values: dict[str, Any]
    ) -> dict[str, int]:
        with self.cloud.db.begin() as conn:
            limits = self.default_limits(conn)
            for key, value in values.items():
                if key not in limits:
                    raise BadRequest(f"Invalid input received: Bad key(s) in quota set: {key}")
                try:
                    number = int(value)
                except (TypeError, ValueError):
                    raise BadRequest(f"Invalid input for field/attribute {key}. Value: {value}.") from None
                self.limits_changed()
                conn.execute(
                    delete(m.quota_classes).where(
                        m.quota_classes.c.class_name == class_name, m.quota_classes.c.resource == key
                    )
                )
                conn.execute(
                    m.quota_classes.insert().values(class_name=class_name, resource=key, hard_limit=number)
                )
            return self.default_limits(conn)
