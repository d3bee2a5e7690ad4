"""Keystone's resource backend: domains, projects (a hierarchy under a domain) and project tags.

A mixin of ``IdentityService``. Every write drops the identity caches (``changed()``) and
revokes the tokens keystone revokes (a disabled or deleted project's, a deleted domain's users').
Bodies arrive validated (``schemas.py``); the rules here are keystone's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, insert, select, update

from twinstack.core.errors import BadRequest, Forbidden
from twinstack.services.identity import models as m
from twinstack.services.identity.common import duplicate, not_found, row, split_extra

if TYPE_CHECKING:
    from twinstack.services.identity.service import IdentityService

MAX_PROJECT_TREE_DEPTH = 5  # keystone's [DEFAULT] max_project_tree_depth
_DOMAIN_COLUMNS = ("name", "description", "enabled")
_PROJECT_COLUMNS = ("name", "description", "enabled", "domain_id", "parent_id")
_PROJECT_DROP = ("tags", "is_domain")


class ResourceMixin:
    """Domains, projects and tags."""

    # domains --------------------------------------------------------------------------------
    def list_domains(self: IdentityService) -> list[dict[str, Any]]:
        with self.db.begin() as conn:
            return [dict(r) for r in conn.execute(select(m.domains).order_by(m.domains.c.name)).mappings()]

    def create_domain(self: IdentityService, values: dict[str, Any]) -> dict[str, Any]:
        values = dict(values)
        domain_id = values.pop("explicit_domain_id", None) or self.cloud.ids.hex()
        cols, extra = split_extra(values, _DOMAIN_COLUMNS, drop=("tags", "options"))
        record = {"id": domain_id, "description": None, "enabled": True, **cols, "extra": extra}
        with self.db.begin() as conn:
            taken = conn.execute(
                select(m.domains.c.id).where(
                    (m.domains.c.name == record["name"]) | (m.domains.c.id == domain_id)
                )
            ).first()
            if taken:
                raise duplicate("domain", record["name"])
            conn.execute(insert(m.domains).values(**record))
        self.changed()
        return record

    def update_domain(self: IdentityService, domain_id: str, values: dict[str, Any]) -> dict[str, Any]:
        current = self.get_domain(domain_id)
        cols, extra = split_extra(values, _DOMAIN_COLUMNS, drop=("tags", "options", "explicit_domain_id"))
        if "domain_id" in extra or "is_domain" in extra:
            raise BadRequest("Cannot change Domain ID.")
        with self.db.begin() as conn:
            if "name" in cols and cols["name"] != current["name"]:
                taken = conn.execute(select(m.domains.c.id).where(m.domains.c.name == cols["name"])).first()
                if taken:
                    raise duplicate("domain", cols["name"])
            new_extra = {**(current["extra"] or {}), **extra}
            conn.execute(update(m.domains).where(m.domains.c.id == domain_id).values(**cols, extra=new_extra))
            users = [r[0] for r in conn.execute(select(m.users.c.id).where(m.users.c.domain_id == domain_id))]
        self.changed()
        if cols.get("enabled") is False and current["enabled"]:
            for user_id in users:
                self.tokens.revoke(user_id=user_id)
        return self.get_domain(domain_id)

    def delete_domain(self: IdentityService, domain_id: str) -> None:
        domain = self.get_domain(domain_id)
        if domain["enabled"]:
            raise Forbidden("Cannot delete a domain that is enabled, please disable it first.")
        with self.db.begin() as conn:
            projects = [
                r[0] for r in conn.execute(select(m.projects.c.id).where(m.projects.c.domain_id == domain_id))
            ]
            users = [r[0] for r in conn.execute(select(m.users.c.id).where(m.users.c.domain_id == domain_id))]
            groups = [
                r[0] for r in conn.execute(select(m.groups.c.id).where(m.groups.c.domain_id == domain_id))
            ]
            a = m.assignments
            conn.execute(delete(a).where(a.c.target_id.in_([domain_id, *projects])))
            conn.execute(delete(a).where(a.c.actor_id.in_([*users, *groups])))
            conn.execute(delete(m.credentials).where(m.credentials.c.user_id.in_(users)))
            conn.execute(
                delete(m.application_credentials).where(m.application_credentials.c.project_id.in_(projects))
            )
            conn.execute(delete(m.roles).where(m.roles.c.domain_id == domain_id))
            conn.execute(delete(m.users).where(m.users.c.domain_id == domain_id))
            conn.execute(delete(m.groups).where(m.groups.c.domain_id == domain_id))
            # Children before parents (the parent_id foreign key).
            for project_id in _leaves_first(conn, projects):
                conn.execute(delete(m.projects).where(m.projects.c.id == project_id))
            conn.execute(delete(m.domains).where(m.domains.c.id == domain_id))
        self.changed()
        for user_id in users:
            self.tokens.revoke(user_id=user_id)
        for project_id in projects:
            self.tokens.revoke(project_id=project_id)
            self.cloud.bus.notify("identity.project.deleted", {"project_id": project_id})

    # projects -------------------------------------------------------------------------------
    def list_projects(self: IdentityService) -> list[dict[str, Any]]:
        with self.db.begin() as conn:
            return [dict(r) for r in conn.execute(select(m.projects).order_by(m.projects.c.name)).mappings()]

    def project_tags(self: IdentityService, project_ids: list[str] | None = None) -> dict[str, list[str]]:
        """Tags by project id (of the given projects, or of all)."""
        query = select(m.project_tags).order_by(m.project_tags.c.name)
        if project_ids is not None:
            query = query.where(m.project_tags.c.project_id.in_(project_ids))
        tags: dict[str, list[str]] = {}
        with self.db.begin() as conn:
            for r in conn.execute(query):
                tags.setdefault(r.project_id, []).append(r.name)
        return tags

    def create_project(
        self: IdentityService, values: dict[str, Any], default_domain_id: str
    ) -> dict[str, Any]:
        """Create a project; ``default_domain_id`` is used when neither domain nor parent is given."""
        if values.get("is_domain"):
            raise BadRequest(
                "Creating a project acting as a domain is not supported by twinstack; "
                "create a domain instead."
            )
        cols, extra = split_extra(values, _PROJECT_COLUMNS, drop=_PROJECT_DROP)
        tags = list(values.get("tags") or [])
        parent_id = cols.get("parent_id")
        domain_id = cols.get("domain_id")
        with self.db.begin() as conn:
            parent = None
            if parent_id:
                parent = row(conn.execute(select(m.projects).where(m.projects.c.id == parent_id)))
                if parent is None:
                    if row(conn.execute(select(m.domains).where(m.domains.c.id == parent_id))) is None:
                        raise not_found("project", parent_id)
                    if domain_id and domain_id != parent_id:
                        raise BadRequest(
                            f"Cannot create project, the parent ({parent_id}) is acting as a domain, "
                            f"but this project's domain id ({domain_id}) does not match the parent's id."
                        )
                    domain_id, parent_id = parent_id, None
            if parent is not None:
                if domain_id and domain_id != parent["domain_id"]:
                    raise BadRequest(
                        "Cannot create project, since it specifies its domain_id {}, but specifies "
                        "a parent in a different domain ({}).".format(domain_id, parent["domain_id"])
                    )
                domain_id = parent["domain_id"]
                if not parent["enabled"]:
                    raise Forbidden(f"Cannot create project, since its parent ({parent_id}) is disabled.")
                if self._depth(conn, parent_id) + 1 >= MAX_PROJECT_TREE_DEPTH:  # type: ignore[arg-type]
                    raise Forbidden(f"Max hierarchy depth reached for {parent_id} branch.")
            domain_id = domain_id or default_domain_id
            domain = row(conn.execute(select(m.domains).where(m.domains.c.id == domain_id)))
            if domain is None:
                raise not_found("domain", domain_id)
            taken = conn.execute(
                select(m.projects.c.id).where(
                    m.projects.c.domain_id == domain_id, m.projects.c.name == cols["name"]
                )
            ).first()
            if taken:
                raise duplicate("project", cols["name"], domain_id)
            record = {
                "id": self.cloud.ids.hex(),
                "description": None,
                "enabled": True,
                **cols,
                "domain_id": domain_id,
                "parent_id": parent_id,
                "extra": extra,
            }
            conn.execute(insert(m.projects).values(**record))
            if tags:
                conn.execute(insert(m.project_tags), [{"project_id": record["id"], "name": t} for t in tags])
        self.changed()
        return record

    def _depth(self: IdentityService, conn: Connection, project_id: str) -> int:
        """How many levels a project is below its domain (a top-level project is 1)."""
        depth = 1
        current = project_id
        while True:
            parent = conn.execute(select(m.projects.c.parent_id).where(m.projects.c.id == current)).scalar()
            if not parent:
                return depth
            depth += 1
            current = parent

    def subtree(self: IdentityService, project_id: str) -> list[str]:
        """Every project below ``project_id`` (not itself)."""
        with self.db.begin() as conn:
            return _descendants(conn, project_id)

    def update_project(self: IdentityService, project_id: str, values: dict[str, Any]) -> dict[str, Any]:
        current = self.get_project(project_id)
        if "domain_id" in values and values["domain_id"] != current["domain_id"]:
            raise BadRequest("Cannot change Domain ID.")
        if "parent_id" in values and values["parent_id"] != (current["parent_id"] or current["domain_id"]):
            raise Forbidden("Update of `parent_id` is not allowed.")
        if values.get("is_domain"):
            raise BadRequest(f"Cannot change is_domain attribute of project {project_id}.")
        cols, extra = split_extra(
            values, ("name", "description", "enabled"), drop=(*_PROJECT_DROP, "domain_id", "parent_id")
        )
        with self.db.begin() as conn:
            if "name" in cols and cols["name"] != current["name"]:
                taken = conn.execute(
                    select(m.projects.c.id).where(
                        m.projects.c.domain_id == current["domain_id"], m.projects.c.name == cols["name"]
                    )
                ).first()
                if taken:
                    raise duplicate("project", cols["name"], current["domain_id"])
            if cols.get("enabled") is True and not current["enabled"] and current["parent_id"]:
                parent = row(conn.execute(select(m.projects).where(m.projects.c.id == current["parent_id"])))
                if parent is not None and not parent["enabled"]:
                    raise Forbidden(f"Cannot enable project {project_id} since it has disabled parents.")
            if cols.get("enabled") is False and current["enabled"]:
                children = _descendants(conn, project_id)
                if (
                    children
                    and conn.execute(
                        select(m.projects.c.id).where(
                            m.projects.c.id.in_(children), m.projects.c.enabled.is_(True)
                        )
                    ).first()
                ):
                    raise Forbidden(
                        f"Cannot disable project {project_id} since its subtree contains enabled projects."
                    )
            new_extra = {**(current["extra"] or {}), **extra}
            conn.execute(
                update(m.projects).where(m.projects.c.id == project_id).values(**cols, extra=new_extra)
            )
            if "tags" in values:
                self._replace_tags(conn, project_id, values["tags"] or [])
        self.changed()
        if cols.get("enabled") is False and current["enabled"]:
            self.tokens.revoke(project_id=project_id)
        return self.get_project(project_id)

    def delete_project(self: IdentityService, project_id: str) -> None:
        self.get_project(project_id)
        with self.db.begin() as conn:
            if conn.execute(select(m.projects.c.id).where(m.projects.c.parent_id == project_id)).first():
                raise Forbidden(
                    f"Cannot delete the project {project_id} since it is not a leaf in the hierarchy. "
                    "Use the cascade option if you want to delete a whole subtree."
                )
            conn.execute(delete(m.assignments).where(m.assignments.c.target_id == project_id))
            conn.execute(
                delete(m.application_credentials).where(m.application_credentials.c.project_id == project_id)
            )
            conn.execute(delete(m.projects).where(m.projects.c.id == project_id))
            conn.execute(
                update(m.users)
                .where(m.users.c.default_project_id == project_id)
                .values(default_project_id=None)
            )
        self.changed()
        self.tokens.revoke(project_id=project_id)
        self.cloud.bus.notify("identity.project.deleted", {"project_id": project_id})

    # tags -----------------------------------------------------------------------------------
    def _replace_tags(self: IdentityService, conn: Connection, project_id: str, tags: list[str]) -> None:
        conn.execute(delete(m.project_tags).where(m.project_tags.c.project_id == project_id))
        if tags:
            conn.execute(
                insert(m.project_tags), [{"project_id": project_id, "name": t} for t in dict.fromkeys(tags)]
            )

    def set_project_tags(self: IdentityService, project_id: str, tags: list[str]) -> list[str]:
        self.get_project(project_id)
        with self.db.begin() as conn:
            self._replace_tags(conn, project_id, tags)
        self.changed()
        return self.project_tags([project_id]).get(project_id, [])

    def add_project_tag(self: IdentityService, project_id: str, tag: str) -> list[str]:
        self.get_project(project_id)
        tags = self.project_tags([project_id]).get(project_id, [])
        if tag in tags:
            return tags
        if len(tags) >= 80:
            raise BadRequest("The number of tags is over the limit of 80.")
        with self.db.begin() as conn:
            conn.execute(insert(m.project_tags).values(project_id=project_id, name=tag))
        self.changed()
        return self.project_tags([project_id]).get(project_id, [])

    def delete_project_tag(self: IdentityService, project_id: str, tag: str) -> None:
        self.get_project(project_id)
        with self.db.begin() as conn:
            gone = conn.execute(
                delete(m.project_tags).where(
                    m.project_tags.c.project_id == project_id, m.project_tags.c.name == tag
                )
            ).rowcount
        if not gone:
            raise not_found("project tag", tag)
        self.changed()


def _descendants(conn: Connection, project_id: str) -> list[str]:
    found: list[str] = []
    frontier = [project_id]
    while frontier:
        children = [
            r[0] for r in conn.execute(select(m.projects.c.id).where(m.projects.c.parent_id.in_(frontier)))
        ]
        children = [c for c in children if c not in found]
        found.extend(children)
        frontier = children
    return found


def _leaves_first(conn: Connection, project_ids: list[str]) -> list[str]:
    parents = dict(
        conn.execute(
            select(m.projects.c.id, m.projects.c.parent_id).where(m.projects.c.id.in_(project_ids))
        ).all()
    )
    order: list[str] = []
    remaining = set(project_ids)
    while remaining:
        has_children = {parents[p] for p in remaining if parents.get(p)}
        leaves = [p for p in remaining if p not in has_children] or list(remaining)
        order.extend(leaves)
        remaining -= set(leaves)
    return order
