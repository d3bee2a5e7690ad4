"""Keystone's assignment backend: roles, implied roles, grants and role assignments.

A mixin of ``IdentityService``. A grant is a row of ``identity_assignments``: an actor (user or
group), a target (project, domain or ``system``), a role and an ``inherited`` flag. Listing with
``effective`` expands groups into their users, inherited grants into the projects they reach,
and roles into the roles they imply, as keystone does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, insert, select, update

from twinstack.core.errors import BadRequest, Forbidden, NotFound
from twinstack.services.identity import models as m
from twinstack.services.identity.common import duplicate, split_extra

if TYPE_CHECKING:
    from twinstack.services.identity.service import IdentityService

PROHIBITED_IMPLIED_ROLES = ("admin",)  # keystone's [assignment] prohibited_implied_role
_ROLE_COLUMNS = ("name", "domain_id", "description", "options")
_TYPES = {
    ("user", "project"): "UserProject",
    ("group", "project"): "GroupProject",
    ("user", "domain"): "UserDomain",
    ("group", "domain"): "GroupDomain",
    ("user", "system"): "UserSystem",
    ("group", "system"): "GroupSystem",
}


@dataclass(slots=True)
class Assignment:
    """One role assignment as ``GET /v3/role_assignments`` shows it."""

    actor_type: str  # "user" | "group"
    actor_id: str
    target_type: str  # "project" | "domain" | "system"
    target_id: str
    role_id: str
    inherited: bool = False
    links: dict[str, str] = field(default_factory=dict)  # path suffixes: assignment, membership, prior_role

    @classmethod
    def from_row(cls, r: Any) -> Assignment:
        actor = "user" if r["type"].startswith("User") else "group"
        target = r["type"][len("User") if actor == "user" else len("Group") :].lower()
        return cls(actor, r["actor_id"], target, r["target_id"], r["role_id"], bool(r["inherited"]))

    def grant_path(self) -> str:
        target = "system" if self.target_type == "system" else f"{self.target_type}s/{self.target_id}"
        path = f"/{target}/{self.actor_type}s/{self.actor_id}/roles/{self.role_id}"
        if self.inherited:
            return f"/OS-INHERIT{path}/inherited_to_projects"
        return path


class AssignmentMixin:
    """Roles, implied roles, grants, role assignments."""

    # roles ----------------------------------------------------------------------------------
    def list_roles(self: IdentityService) -> list[dict[str, Any]]:
        with self.db.begin() as conn:
            return [dict(r) for r in conn.execute(select(m.roles).order_by(m.roles.c.name)).mappings()]

    def create_role(self: IdentityService, values: dict[str, Any]) -> dict[str, Any]:
        cols, extra = split_extra(values, _ROLE_COLUMNS)
        domain_id = cols.get("domain_id")
        if domain_id:
            self.get_domain(domain_id)
        record = {
            "id": self.cloud.ids.hex(),
            "description": None,
            "domain_id": None,
            "options": {},
            **cols,
            "extra": extra,
        }
        record["options"] = record["options"] or {}
        with self.db.begin() as conn:
            self._check_role_name(conn, record["name"], domain_id)
            conn.execute(insert(m.roles).values(**record))
        self.changed()
        return record

    def _check_role_name(self: IdentityService, conn: Connection, name: str, domain_id: str | None) -> None:
        r = m.roles
        same_domain = r.c.domain_id.is_(None) if domain_id is None else r.c.domain_id == domain_id
        if conn.execute(select(r.c.id).where(r.c.name == name, same_domain)).first():
            raise duplicate("role", name, domain_id)

    def update_role(self: IdentityService, role_id: str, values: dict[str, Any]) -> dict[str, Any]:
        current = self.get_role(role_id)
        if "domain_id" in values and values["domain_id"] != current["domain_id"]:
            raise BadRequest("Update of `domain_id` is not allowed.")
        cols, extra = split_extra(values, ("name", "description", "options"), drop=("domain_id",))
        if "options" in cols:
            cols["options"] = {**(current["options"] or {}), **(cols["options"] or {})}
        with self.db.begin() as conn:
            if "name" in cols and cols["name"] != current["name"]:
                self._check_role_name(conn, cols["name"], current["domain_id"])
            new_extra = {**(current["extra"] or {}), **extra}
            conn.execute(update(m.roles).where(m.roles.c.id == role_id).values(**cols, extra=new_extra))
        self.changed()
        return self.get_role(role_id)

    def delete_role(self: IdentityService, role_id: str) -> None:
        role = self.get_role(role_id)
        if (role.get("options") or {}).get("immutable"):
            raise Forbidden(f"Unable to delete role {role_id}: it is immutable.")
        with self.db.begin() as conn:
            holders = self._users_of(conn, select(m.assignments).where(m.assignments.c.role_id == role_id))
            conn.execute(delete(m.assignments).where(m.assignments.c.role_id == role_id))
            ir = m.implied_roles
            conn.execute(
                delete(ir).where((ir.c.prior_role_id == role_id) | (ir.c.implied_role_id == role_id))
            )
            conn.execute(delete(m.roles).where(m.roles.c.id == role_id))
        self.changed()
        for user_id in holders:
            self.tokens.revoke(user_id=user_id)

    def _users_of(self: IdentityService, conn: Connection, query: Any) -> set[str]:
        """The users an assignment query reaches, directly or through their groups."""
        users: set[str] = set()
        groups: set[str] = set()
        for r in conn.execute(query).mappings():
            (users if r["type"].startswith("User") else groups).add(r["actor_id"])
        if groups:
            gm = m.group_members
            users |= {r[0] for r in conn.execute(select(gm.c.user_id).where(gm.c.group_id.in_(groups)))}
        return users

    # implied roles --------------------------------------------------------------------------
    def create_implied_role(self: IdentityService, prior_id: str, implied_id: str) -> None:
        prior = self.get_role(prior_id)
        implied = self.get_role(implied_id)
        if implied["name"] in PROHIBITED_IMPLIED_ROLES:
            raise Forbidden(f"{implied_id} cannot be an implied roles.")
        if prior["domain_id"] is None and implied["domain_id"]:
            raise Forbidden("Global role cannot imply a domain-specific role.")
        with self.db.begin() as conn:
            if prior_id in self.expand_implied(conn, [implied_id]):
                raise BadRequest(f"Role {implied_id} already implies {prior_id}: a loop is not allowed.")
            ir = m.implied_roles
            exists = conn.execute(
                select(ir).where(ir.c.prior_role_id == prior_id, ir.c.implied_role_id == implied_id)
            ).first()
            if exists is None:
                conn.execute(insert(ir).values(prior_role_id=prior_id, implied_role_id=implied_id))
        self.changed()

    def check_implied_role(self: IdentityService, prior_id: str, implied_id: str) -> None:
        self.get_role(prior_id)
        self.get_role(implied_id)
        ir = m.implied_roles
        with self.db.begin() as conn:
            found = conn.execute(
                select(ir).where(ir.c.prior_role_id == prior_id, ir.c.implied_role_id == implied_id)
            ).first()
        if found is None:
            raise NotFound(f"{prior_id} does not imply {implied_id}.")

    def delete_implied_role(self: IdentityService, prior_id: str, implied_id: str) -> None:
        self.check_implied_role(prior_id, implied_id)
        ir = m.implied_roles
        with self.db.begin() as conn:
            conn.execute(delete(ir).where(ir.c.prior_role_id == prior_id, ir.c.implied_role_id == implied_id))
        self.changed()

    def implied_roles_of(self: IdentityService, prior_id: str) -> list[dict[str, Any]]:
        self.get_role(prior_id)
        ir = m.implied_roles
        with self.db.begin() as conn:
            ids = [
                r[0] for r in conn.execute(select(ir.c.implied_role_id).where(ir.c.prior_role_id == prior_id))
            ]
        return [self.get_role(i) for i in ids]

    def role_inferences(self: IdentityService) -> dict[str, list[str]]:
        """Every rule: prior role id -> implied role ids."""
        rules: dict[str, list[str]] = {}
        with self.db.begin() as conn:
            for r in conn.execute(select(m.implied_roles)):
                rules.setdefault(r.prior_role_id, []).append(r.implied_role_id)
        return rules

    # grants ---------------------------------------------------------------------------------
    def _grant_target(
        self: IdentityService, actor_type: str, actor_id: str, target_type: str, target_id: str, role_id: str
    ) -> dict[str, Any]:
        """Check that actor, target and role exist and fit; return the role."""
        if actor_type == "user":
            self.get_user(actor_id)
        else:
            self.get_group(actor_id)
        role = self.get_role(role_id)
        domain_of_target = None
        if target_type == "project":
            domain_of_target = self.get_project(target_id)["domain_id"]
        elif target_type == "domain":
            domain_of_target = self.get_domain(target_id)["id"]
        if role["domain_id"] and role["domain_id"] != domain_of_target:
            raise Forbidden(
                f"The role {role_id} is domain specific to {role['domain_id']}, which is not the "
                "domain of the target of this assignment."
            )
        return role

    def _grant_where(
        self: IdentityService,
        actor_type: str,
        actor_id: str,
        target_type: str,
        target_id: str,
        role_id: str | None,
        inherited: bool,
    ) -> list[Any]:
        a = m.assignments
        cond = [
            a.c.type == _TYPES[(actor_type, target_type)],
            a.c.actor_id == actor_id,
            a.c.target_id == target_id,
            a.c.inherited.is_(inherited),
        ]
        if role_id is not None:
            cond.append(a.c.role_id == role_id)
        return cond

    def create_grant(
        self: IdentityService,
        actor_type: str,
        actor_id: str,
        target_type: str,
        target_id: str,
        role_id: str,
        inherited: bool = False,
    ) -> None:
        self._grant_target(actor_type, actor_id, target_type, target_id, role_id)
        with self.db.begin() as conn:
            where = self._grant_where(actor_type, actor_id, target_type, target_id, role_id, inherited)
            if conn.execute(select(m.assignments).where(*where)).first() is None:
                conn.execute(
                    insert(m.assignments).values(
                        type=_TYPES[(actor_type, target_type)],
                        actor_id=actor_id,
                        target_id=target_id,
                        role_id=role_id,
                        inherited=inherited,
                    )
                )
        self.changed()

    def check_grant(
        self: IdentityService,
        actor_type: str,
        actor_id: str,
        target_type: str,
        target_id: str,
        role_id: str,
        inherited: bool = False,
    ) -> None:
        self._grant_target(actor_type, actor_id, target_type, target_id, role_id)
        with self.db.begin() as conn:
            where = self._grant_where(actor_type, actor_id, target_type, target_id, role_id, inherited)
            found = conn.execute(select(m.assignments).where(*where)).first()
        if found is None:
            raise NotFound(
                f"Could not find role assignment with role: {role_id}, user or group: {actor_id}, "
                f"project, domain, or system: {target_id}."
            )

    def delete_grant(
        self: IdentityService,
        actor_type: str,
        actor_id: str,
        target_type: str,
        target_id: str,
        role_id: str,
        inherited: bool = False,
    ) -> None:
        """Remove a grant; the users it reached lose their tokens (keystone: by user and project)."""
        self.check_grant(actor_type, actor_id, target_type, target_id, role_id, inherited)
        with self.db.begin() as conn:
            query = select(m.assignments).where(
                *self._grant_where(actor_type, actor_id, target_type, target_id, role_id, inherited)
            )
            users = self._users_of(conn, query)
            conn.execute(
                delete(m.assignments).where(
                    *self._grant_where(actor_type, actor_id, target_type, target_id, role_id, inherited)
                )
            )
        self.changed()
        on_project = target_type == "project" and not inherited
        for user_id in users:
            # Keystone revokes by user and project; for other targets all the user's tokens go.
            self.tokens.revoke(user_id=user_id, project_id=target_id if on_project else None)

    def list_grants(
        self: IdentityService,
        actor_type: str,
        actor_id: str,
        target_type: str,
        target_id: str,
        inherited: bool = False,
    ) -> list[dict[str, Any]]:
        if actor_type == "user":
            self.get_user(actor_id)
        else:
            self.get_group(actor_id)
        if target_type == "project":
            self.get_project(target_id)
        elif target_type == "domain":
            self.get_domain(target_id)
        with self.db.begin() as conn:
            where = self._grant_where(actor_type, actor_id, target_type, target_id, None, inherited)
            role_ids = [r[0] for r in conn.execute(select(m.assignments.c.role_id).where(*where))]
        return sorted((self.get_role(r) for r in role_ids), key=lambda r: r["name"])

    # role assignments -----------------------------------------------------------------------
    def role_assignments(
        self: IdentityService,
        *,
        user_id: str | None = None,
        group_id: str | None = None,
        role_id: str | None = None,
        project_id: str | None = None,
        domain_id: str | None = None,
        system: bool = False,
        inherited_only: bool = False,
        effective: bool = False,
        include_subtree: bool = False,
    ) -> list[Assignment]:
        """``GET /v3/role_assignments`` with keystone's filters."""
        with self.db.begin() as conn:
            raw = [Assignment.from_row(r) for r in conn.execute(select(m.assignments)).mappings()]
            for item in raw:
                item.links["assignment"] = item.grant_path()
            projects = {}
            if effective:
                projects = {
                    r.id: (r.domain_id, r.parent_id)
                    for r in conn.execute(
                        select(m.projects.c.id, m.projects.c.domain_id, m.projects.c.parent_id)
                    )
                }
                members: dict[str, list[str]] = {}
                for r in conn.execute(select(m.group_members)):
                    members.setdefault(r.group_id, []).append(r.user_id)
                rules: dict[str, list[str]] = {}
                for r in conn.execute(select(m.implied_roles)):
                    rules.setdefault(r.prior_role_id, []).append(r.implied_role_id)
                raw = _effective(raw, members, projects, rules)
                # Domain-specific roles only count through the global roles they imply.
                domain_roles = {
                    r[0] for r in conn.execute(select(m.roles.c.id).where(m.roles.c.domain_id.is_not(None)))
                }
                raw = [item for item in raw if item.role_id not in domain_roles]
        project_ids: set[str] | None = None
        if project_id is not None:
            project_ids = {project_id}
            if include_subtree:
                project_ids |= set(self.subtree(project_id))
        result = []
        for item in raw:
            if user_id is not None and (item.actor_type != "user" or item.actor_id != user_id):
                continue
            if group_id is not None and (item.actor_type != "group" or item.actor_id != group_id):
                continue
            if role_id is not None and item.role_id != role_id:
                continue
            if project_ids is not None and (
                item.target_type != "project" or item.target_id not in project_ids
            ):
                continue
            if domain_id is not None and (item.target_type != "domain" or item.target_id != domain_id):
                continue
            if system and item.target_type != "system":
                continue
            if inherited_only and not item.inherited:
                continue
            result.append(item)
        return result


def _effective(
    raw: Iterable[Assignment],
    members: dict[str, list[str]],
    projects: dict[str, tuple[str, str | None]],
    rules: dict[str, list[str]],
) -> list[Assignment]:
    children: dict[str, list[str]] = {}
    for pid, (_domain, parent) in projects.items():
        if parent:
            children.setdefault(parent, []).append(pid)

    def below(pid: str) -> list[str]:
        out: list[str] = []
        frontier = list(children.get(pid, []))
        while frontier:
            out.extend(frontier)
            frontier = [c for p in frontier for c in children.get(p, [])]
        return out

    expanded: list[Assignment] = []
    for item in raw:
        actors = [(item.actor_id, None)]
        if item.actor_type == "group":
            actors = [(u, f"/groups/{item.actor_id}/users/{u}") for u in members.get(item.actor_id, [])]
        targets = [(item.target_type, item.target_id)]
        if item.inherited:
            if item.target_type == "domain":
                targets = [("project", p) for p, (d, _) in projects.items() if d == item.target_id]
            else:
                targets = [("project", p) for p in below(item.target_id)]
        for user, membership in actors:
            for target_type, target_id in targets:
                links = {"assignment": item.links["assignment"]}
                if membership:
                    links["membership"] = membership
                expanded.append(Assignment("user", user, target_type, target_id, item.role_id, False, links))
    # Implied roles, transitively; each names the role that implied it.
    result: list[Assignment] = []
    seen: set[tuple[str, str, str, str]] = set()
    for item in expanded:
        stack = [(item.role_id, None)]
        while stack:
            role, prior = stack.pop()
            key = (item.actor_id, item.target_type, item.target_id, role)
            if prior is not None and key in seen:
                continue
            seen.add(key)
            links = dict(item.links)
            if prior is not None:
                links["prior_role"] = f"/roles/{prior}"
            result.append(
                Assignment("user", item.actor_id, item.target_type, item.target_id, role, False, links)
            )
            stack.extend((implied, role) for implied in rules.get(role, []))
    return result
