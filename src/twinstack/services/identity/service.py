"""The identity service layer: keystone's rules over its tables.

Other services reach identity only through this class (``cloud.service("identity")``).
Reads that every authenticated request needs (a user's roles in a scope, the catalog) are
cached and the caches are dropped on any identity write (``changed()``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from twinstack.core.errors import ApiError, NotFound
from twinstack.services.identity import models as m
from twinstack.services.identity.appcreds import AppCredMixin
from twinstack.services.identity.assignment import AssignmentMixin
from twinstack.services.identity.catalog_admin import CatalogAdminMixin
from twinstack.services.identity.identities import IdentitiesMixin
from twinstack.services.identity.passwords import PasswordHasher, dummy_hash
from twinstack.services.identity.resources import ResourceMixin

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud

DEFAULT_DOMAIN_ID = "default"
INTERFACES = ("public", "internal", "admin")


@dataclass(frozen=True, slots=True)
class Scope:
    """What a token is scoped to: ``project``, ``domain``, ``system`` or nothing."""

    type: str | None = None  # "project" | "domain" | "system" | None
    id: str | None = None  # project or domain id; "all" for system

    @property
    def unscoped(self) -> bool:
        return self.type is None


class IdentityService(ResourceMixin, IdentitiesMixin, AssignmentMixin, CatalogAdminMixin, AppCredMixin):
    """Keystone's rules. Lookups and role computation live here; the writes of each
    backend are in its mixin: ``resources`` (domains, projects, tags), ``identities`` (users,
    groups), ``assignment`` (roles, implied roles, grants), ``catalog_admin`` (regions, services,
    endpoints), ``appcreds`` (application credentials, credentials)."""

    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.db = cloud.db
        self.hasher = PasswordHasher(cloud.settings.password_hasher, cloud.settings.password_hash_rounds)
        self._dummy_hash: str | None = None
        self._generation = 0
        self._role_cache: dict[tuple[str, Scope], list[dict[str, Any]]] = {}
        self._row_cache: dict[tuple[str, str], dict[str, Any] | None] = {}
        self._catalog_cache: list[dict[str, Any]] | None = None
        self._project_catalogs: dict[str | None, list[dict[str, Any]]] = {}
        self._name_cache: dict[tuple[str, str | None, str], str | None] = {}
        from twinstack.services.identity.tokens import TokenProvider

        self.tokens = TokenProvider(cloud, self)

    # caches ---------------------------------------------------------------------------------
    def changed(self) -> None:
        """Call after any identity write: cached roles, rows and catalog are dropped."""
        self._generation += 1
        self._role_cache.clear()
        self._row_cache.clear()
        self._name_cache.clear()
        self._catalog_cache = None
        self._project_catalogs.clear()
        self.tokens.forget_cached()

    def _cached_row(self, table: Any, row_id: str) -> dict[str, Any] | None:
        key = (table.name, row_id)
        if key not in self._row_cache:
            with self.db.begin() as conn:
                row = conn.execute(select(table).where(table.c.id == row_id)).mappings().first()
            self._row_cache[key] = dict(row) if row else None
        return self._row_cache[key]

    def _id_by_name(self, table: Any, name: str, domain_id: str | None) -> str | None:
        """The id of the row named ``name`` (in ``domain_id`` where the table has domains); cached."""
        key = (table.name, domain_id, name)
        if key not in self._name_cache:
            query = select(table.c.id).where(table.c.name == name)
            if domain_id is not None:
                query = query.where(table.c.domain_id == domain_id)
            with self.db.begin() as conn:
                row = conn.execute(query).first()
            self._name_cache[key] = row[0] if row else None
        return self._name_cache[key]

    # lookups --------------------------------------------------------------------------------
    def get_domain(self, domain_id: str) -> dict[str, Any]:
        row = self._cached_row(m.domains, domain_id)
        if row is None:
            raise NotFound(f"Could not find domain: {domain_id}.")
        return row

    def find_domain_by_name(self, name: str) -> dict[str, Any]:
        domain_id = self._id_by_name(m.domains, name, None)
        row = self._cached_row(m.domains, domain_id) if domain_id else None
        if row is None:
            raise NotFound(f"Could not find domain: {name}.")
        return row

    def get_project(self, project_id: str) -> dict[str, Any]:
        row = self._cached_row(m.projects, project_id)
        if row is None:
            raise NotFound(f"Could not find project: {project_id}.")
        return row

    def find_project_by_name(self, name: str, domain_id: str) -> dict[str, Any]:
        project_id = self._id_by_name(m.projects, name, domain_id)
        row = self._cached_row(m.projects, project_id) if project_id else None
        if row is None:
            raise NotFound(f"Could not find project: {name}.")
        return row

    def get_user(self, user_id: str) -> dict[str, Any]:
        row = self._cached_row(m.users, user_id)
        if row is None:
            raise NotFound(f"Could not find user: {user_id}.")
        return row

    def find_user_by_name(self, name: str, domain_id: str) -> dict[str, Any]:
        user_id = self._id_by_name(m.users, name, domain_id)
        row = self._cached_row(m.users, user_id) if user_id else None
        if row is None:
            raise NotFound(f"Could not find user: {name}.")
        return row

    def get_role(self, role_id: str) -> dict[str, Any]:
        row = self._cached_row(m.roles, role_id)
        if row is None:
            raise NotFound(f"Could not find role: {role_id}.")
        return row

    def find_role_by_name(self, name: str, domain_id: str | None = None) -> dict[str, Any]:
        with self.db.begin() as conn:
            query = select(m.roles).where(m.roles.c.name == name)
            query = query.where(
                m.roles.c.domain_id.is_(None) if domain_id is None else m.roles.c.domain_id == domain_id
            )
            row = conn.execute(query).mappings().first()
        if row is None:
            raise NotFound(f"Could not find role: {name}.")
        return dict(row)

    def get_app_cred_row(self, cred_id: str) -> dict[str, Any] | None:
        return self._cached_row(m.application_credentials, cred_id)

    def find_app_cred_by_name(self, user_id: str, name: str) -> dict[str, Any] | None:
        with self.db.begin() as conn:
            row = (
                conn.execute(
                    select(m.application_credentials).where(
                        m.application_credentials.c.user_id == user_id,
                        m.application_credentials.c.name == name,
                    )
                )
                .mappings()
                .first()
            )
        return dict(row) if row else None

    def check_password(self, user: dict[str, Any] | None, password: str) -> bool:
        """Verify a password; an unknown user costs the same as a wrong password."""
        if user is None:
            if self._dummy_hash is None:
                self._dummy_hash = dummy_hash(self.hasher)
            self.hasher.verify(password, self._dummy_hash)
            return False
        return self.hasher.verify(password, user["password_hash"])

    # roles ----------------------------------------------------------------------------------
    def project_ancestors(self, project_id: str) -> list[str]:
        ancestors = []
        project = self._cached_row(m.projects, project_id)
        seen = {project_id}
        while project and project["parent_id"] and project["parent_id"] not in seen:
            ancestors.append(project["parent_id"])
            seen.add(project["parent_id"])
            project = self._cached_row(m.projects, project["parent_id"])
        return ancestors

    def user_group_ids(self, conn: Connection, user_id: str) -> list[str]:
        rows = conn.execute(select(m.group_members.c.group_id).where(m.group_members.c.user_id == user_id))
        return [r[0] for r in rows]

    def effective_roles(self, user_id: str, scope: Scope) -> list[dict[str, Any]]:
        """The roles a user has in a scope: direct, through groups, inherited, and implied.

        Returns role rows (``id``, ``name``, ``domain_id``), sorted by name; cached.
        """
        key = (user_id, scope)
        cached = self._role_cache.get(key)
        if cached is not None:
            return cached
        if scope.unscoped:
            self._role_cache[key] = []
            return []
        with self.db.begin() as conn:
            actors = [user_id, *self.user_group_ids(conn, user_id)]
            a = m.assignments
            wanted: list[Any] = []
            if scope.type == "project":
                assert scope.id is not None
                project = self.get_project(scope.id)
                wanted.append((a.c.target_id == scope.id) & (a.c.type.in_(("UserProject", "GroupProject"))))
                parents = self.project_ancestors(scope.id)
                if parents:
                    wanted.append(
                        a.c.target_id.in_(parents)
                        & a.c.type.in_(("UserProject", "GroupProject"))
                        & a.c.inherited.is_(True)
                    )
                wanted.append(
                    (a.c.target_id == project["domain_id"])
                    & a.c.type.in_(("UserDomain", "GroupDomain"))
                    & a.c.inherited.is_(True)
                )
                direct = (a.c.target_id == scope.id) & a.c.inherited.is_(False)
                wanted[0] = wanted[0] & direct
            elif scope.type == "domain":
                wanted.append(
                    (a.c.target_id == scope.id)
                    & a.c.type.in_(("UserDomain", "GroupDomain"))
                    & a.c.inherited.is_(False)
                )
            else:
                wanted.append((a.c.target_id == "system") & a.c.type.in_(("UserSystem", "GroupSystem")))
            condition = wanted[0]
            for extra in wanted[1:]:
                condition = condition | extra
            role_ids = {
                r[0] for r in conn.execute(select(a.c.role_id).where(a.c.actor_id.in_(actors), condition))
            }
            role_ids = self.expand_implied(conn, role_ids)
            # Domain-specific roles never appear in tokens; only the global roles they imply do.
            rows = (
                conn.execute(select(m.roles).where(m.roles.c.id.in_(role_ids), m.roles.c.domain_id.is_(None)))
                .mappings()
                .all()
            )
        result = sorted(
            ({"id": r["id"], "name": r["name"], "domain_id": r["domain_id"]} for r in rows),
            key=lambda r: r["name"],
        )
        self._role_cache[key] = result
        return result

    def expand_implied(self, conn: Connection, role_ids: Iterable[str]) -> set[str]:
        """Add every role implied (transitively) by ``role_ids``."""
        result = set(role_ids)
        frontier = set(result)
        while frontier:
            rows = conn.execute(
                select(m.implied_roles.c.implied_role_id).where(m.implied_roles.c.prior_role_id.in_(frontier))
            )
            frontier = {r[0] for r in rows} - result
            result |= frontier
        return result

    # catalog --------------------------------------------------------------------------------
    def catalog(self, project_id: str | None) -> list[dict[str, Any]]:
        """The v3 catalog, with ``$(project_id)s`` filled in for the token's project."""
        if self._catalog_cache is None:
            self._catalog_cache = self._build_catalog()
        cached = self._project_catalogs.get(project_id)
        if cached is not None:
            return cached
        if len(self._project_catalogs) > 10_000:
            self._project_catalogs.clear()
        if not project_id:
            catalog = [
                {**svc, "endpoints": [e for e in svc["endpoints"] if "$(project_id)s" not in e["url"]]}
                for svc in self._catalog_cache
            ]
            self._project_catalogs[project_id] = catalog
            return catalog
        catalog = [
            {
                **svc,
                "endpoints": [
                    {
                        **e,
                        "url": e["url"]
                        .replace("$(project_id)s", project_id)
                        .replace("%(project_id)s", project_id),
                    }
                    for e in svc["endpoints"]
                ],
            }
            for svc in self._catalog_cache
        ]
        self._project_catalogs[project_id] = catalog
        return catalog

    def _build_catalog(self) -> list[dict[str, Any]]:
        with self.db.begin() as conn:
            svcs = conn.execute(select(m.services).where(m.services.c.enabled.is_(True))).mappings().all()
            eps = conn.execute(select(m.endpoints).where(m.endpoints.c.enabled.is_(True))).mappings().all()
        by_service: dict[str, list[dict[str, Any]]] = {}
        for ep in eps:
            by_service.setdefault(ep["service_id"], []).append(
                {
                    "id": ep["id"],
                    "interface": ep["interface"],
                    "region": ep["region_id"],
                    "region_id": ep["region_id"],
                    "url": ep["url"],
                }
            )
        return [
            {
                "id": s["id"],
                "type": s["type"],
                "name": (s["extra"] or {}).get("name", ""),
                "endpoints": by_service.get(s["id"], []),
            }
            for s in svcs
        ]


def not_found(kind: str, ident: str) -> ApiError:
    return NotFound(f"Could not find {kind}: {ident}.")
