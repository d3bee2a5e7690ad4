"""What every part of the network service layer shares: rows, visibility, tags, quotas."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, delete, func, or_, select, update

from twinstack.core.clock import isotime
from twinstack.core.context import RequestContext
from twinstack.services.network import models as m
from twinstack.services.network.errors import missing, over_quota
from twinstack.services.network.fastsql import fast, sqlite_of
from twinstack.services.network.ipam import Allocator
from twinstack.services.network.resource import ListParams, Resource

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud

# neutron's [quotas] defaults (-1: unlimited).
DEFAULT_QUOTAS: dict[str, int] = {
    "network": 100,
    "subnet": 100,
    "subnetpool": -1,
    "port": 500,
    "router": 10,
    "floatingip": 50,
    "security_group": 10,
    "security_group_rule": 100,
    "rbac_policy": 10,
}

QUOTA_TABLES = {
    "network": m.networks,
    "subnet": m.subnets,
    "subnetpool": m.subnetpools,
    "port": m.ports,
    "router": m.routers,
    "floatingip": m.floatingips,
    "security_group": m.security_groups,
    "security_group_rule": m.security_group_rules,
    "rbac_policy": m.rbac_policies,
}


class ServiceBase:
    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.db = cloud.db
        self.ipam = Allocator(cloud.settings.seed)
        # Read caches of rows that rarely change; dropped whenever a transaction rolls back, so
        # they never outlive what the database holds.
        self.default_groups: dict[str, str] = {}
        self.quota_cache: dict[tuple[str, str], int] = {}

    @contextmanager
    def tx(self) -> Iterator[Connection]:
        """A transaction (never await inside); on failure the read caches are dropped."""
        try:
            with self.db.begin() as conn:
                yield conn
        except BaseException:
            self.default_groups.clear()
            self.quota_cache.clear()
            raise

    # helpers --------------------------------------------------------------------------------
    def now(self) -> str:
        return isotime(self.cloud.clock.now())

    def new_id(self) -> str:
        return self.cloud.ids.uuid()

    def stamp(self, values: dict[str, Any]) -> dict[str, Any]:
        now = self.now()
        values.setdefault("id", self.new_id())
        values["created_at"] = values["updated_at"] = now
        values["revision_number"] = 0
        return values

    @staticmethod
    def row(conn: Connection, table: Any, row_id: str) -> dict[str, Any] | None:
        raw = sqlite_of(conn)
        if raw is not None:
            rows = fast(table).rows(raw, "id = ?", (row_id,))
            return rows[0] if rows else None
        found = conn.execute(by_id(table), {"id": row_id}).mappings().first()
        return dict(found) if found else None

    def touch(self, conn: Connection, table: Any, row_id: str, **values: Any) -> None:
        """Update a row and bump its revision, as neutron's standard attributes do."""
        conn.execute(
            update(table)
            .where(table.c.id == row_id)
            .values(updated_at=self.now(), revision_number=table.c.revision_number + 1, **values)
        )

    @staticmethod
    def owned(ctx: RequestContext, row: dict[str, Any]) -> bool:
        return ctx.is_admin or row.get("project_id") == ctx.project_id

    def owned_row(
        self, conn: Connection, ctx: RequestContext, kind: str, table: Any, row_id: str
    ) -> dict[str, Any]:
        """A row the caller owns (admins own everything); another project's is not found."""
        found = self.row(conn, table, row_id)
        if found is None or not self.owned(ctx, found):
            raise missing(kind, row_id)
        return found

    @staticmethod
    def project_clause(ctx: RequestContext, table: Any, *alternatives: Any) -> Any:
        if ctx.is_admin:
            return None
        return or_(table.c.project_id == ctx.project_id, *alternatives)

    def select_items(
        self,
        conn: Connection,
        resource: Resource,
        ctx: RequestContext,
        params: ListParams | None,
        *where: Any,
    ) -> list[dict[str, Any]]:
        table = resource.table
        assert table is not None
        query = select(table)
        clauses = [c for c in where if c is not None]
        if params is not None:
            clauses += resource.sql_filters(params)
        if clauses:
            query = query.where(*clauses)
        return [resource.item(row) for row in conn.execute(query).mappings()]

    # tags -----------------------------------------------------------------------------------
    @staticmethod
    def tags_for(conn: Connection, ids: Iterable[str]) -> dict[str, list[str]]:
        ids = list(ids)
        out: dict[str, list[str]] = {i: [] for i in ids}
        if not ids:
            return out
        t = m.tags
        for chunk in _chunks(ids, 500):
            for rid, tag in conn.execute(select(t.c.resource_id, t.c.tag).where(t.c.resource_id.in_(chunk))):
                out[rid].append(tag)
        for value in out.values():
            value.sort()
        return out

    def add_tags(self, conn: Connection, items: list[dict[str, Any]]) -> None:
        tags = self.tags_for(conn, [i["id"] for i in items])
        for item in items:
            item["tags"] = tags.get(item["id"], [])

    @staticmethod
    def drop_tags(conn: Connection, resource_id: str) -> None:
        conn.execute(delete(m.tags).where(m.tags.c.resource_id == resource_id))

    # quotas ---------------------------------------------------------------------------------
    @staticmethod
    def quota_limits(conn: Connection, project_id: str) -> dict[str, int]:
        limits = dict(DEFAULT_QUOTAS)
        q = m.quotas
        for resource, limit in conn.execute(
            select(q.c.resource, q.c.hard_limit).where(q.c.project_id == project_id)
        ):
            limits[resource] = limit
        return limits

    @staticmethod
    def usage(conn: Connection, project_id: str, resource: str) -> int:
        raw = sqlite_of(conn)
        if raw is not None:
            sql = f"SELECT count(*) FROM {QUOTA_TABLES[resource].name} WHERE project_id = ?"
            return int(raw.execute(sql, (project_id,)).fetchone()[0])
        return int(conn.execute(_COUNT[resource], {"project_id": project_id}).scalar_one())

    def check_quota(self, conn: Connection, project_id: str, resource: str, adding: int = 1) -> None:
        key = (project_id, resource)
        limit = self.quota_cache.get(key)
        if limit is None:
            row = conn.execute(_QUOTA, {"project_id": project_id, "resource": resource}).first()
            limit = self.quota_cache[key] = row[0] if row else DEFAULT_QUOTAS.get(resource, -1)
        if limit < 0:
            return
        if self.usage(conn, project_id, resource) + adding > limit:
            raise over_quota(resource)

    def ensure_default_security_group(self, conn: Connection, project_id: str) -> str:
        """The project's ``default`` security group id (made on first use); see secgroups.py."""
        raise NotImplementedError

    @staticmethod
    def insert(conn: Connection, table: Any, values: dict[str, Any]) -> None:
        raw = sqlite_of(conn)
        if raw is not None:
            fast(table).insert(raw, values)
            return
        conn.execute(table.insert(), {k: v for k, v in values.items() if not k.startswith("_")})

    @staticmethod
    def insert_many(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
        raw = sqlite_of(conn)
        if raw is not None:
            for values in rows:
                fast(table).insert(raw, values)
            return
        conn.execute(table.insert(), rows)


# Statements built once (SQLAlchemy then reuses their compiled form): the hot paths.
_BY_ID: dict[str, Any] = {}


def by_id(table: Any) -> Any:
    stmt = _BY_ID.get(table.name)
    if stmt is None:
        stmt = _BY_ID[table.name] = select(table).where(table.c.id == bindparam("id"))
    return stmt


_COUNT = {
    name: select(func.count()).select_from(table).where(table.c.project_id == bindparam("project_id"))
    for name, table in QUOTA_TABLES.items()
}
_QUOTA = select(m.quotas.c.hard_limit).where(
    m.quotas.c.project_id == bindparam("project_id"), m.quotas.c.resource == bindparam("resource")
)


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
