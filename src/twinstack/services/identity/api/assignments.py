"""Grants (``/v3/{projects,domains}/{id}/{users,groups}/{id}/roles``, ``/v3/system/...``,
``/v3/OS-INHERIT/...``) and ``GET /v3/role_assignments``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from twinstack.core.errors import BadRequest
from twinstack.core.http import ApiRequest, ServiceApi
from twinstack.services.identity.api.common import enforce, identity, links
from twinstack.services.identity.views import assignment_view, role_view


def _truthy(req: ApiRequest, name: str) -> bool:
    if name not in req.query:
        return False
    return req.query[name].strip().lower() not in ("0", "false", "no", "off")


def _target(req: ApiRequest, actor_type: str, target_type: str) -> dict[str, Any]:
    """The policy target of a grant: actor, target and role (with their domains)."""
    svc = identity(req)
    path = req.path
    target: dict[str, Any] = {}
    try:
        if actor_type == "user":
            target["target.user.domain_id"] = svc.get_user(path["actor_id"])["domain_id"]
        else:
            target["target.group.domain_id"] = svc.get_group(path["actor_id"])["domain_id"]
        if target_type == "project":
            target["target.project.domain_id"] = svc.get_project(path["target_id"])["domain_id"]
        elif target_type == "domain":
            target["target.domain.id"] = path["target_id"]
        if "role_id" in path:
            target["target.role.domain_id"] = svc.get_role(path["role_id"])["domain_id"]
    except Exception:  # noqa: BLE001 - the operation itself answers 404 for what is missing
        pass
    return target


def _rule(base: str, actor_type: str, target_type: str) -> str:
    if target_type == "system":
        return {
            "create": "create_system_grant_for_",
            "revoke": "revoke_system_grant_for_",
            "check": "check_system_grant_for_",
            "list": "list_system_grants_for_",
        }[base] + actor_type
    return {
        "create": "create_grant",
        "revoke": "revoke_grant",
        "check": "check_grant",
        "list": "list_grants",
    }[base]


def _grant_ops(actor_type: str, target_type: str, inherited: bool) -> dict[str, Callable[[ApiRequest], Any]]:
    def args(req: ApiRequest) -> tuple[str, str, str, str]:
        target_id = "system" if target_type == "system" else req.path["target_id"]
        return actor_type, req.path["actor_id"], target_type, target_id

    def put(req: ApiRequest) -> None:
        enforce(req, _rule("create", actor_type, target_type), _target(req, actor_type, target_type))
        identity(req).create_grant(*args(req), req.path["role_id"], inherited)

    def check(req: ApiRequest) -> None:
        enforce(req, _rule("check", actor_type, target_type), _target(req, actor_type, target_type))
        identity(req).check_grant(*args(req), req.path["role_id"], inherited)

    def revoke(req: ApiRequest) -> None:
        enforce(req, _rule("revoke", actor_type, target_type), _target(req, actor_type, target_type))
        identity(req).delete_grant(*args(req), req.path["role_id"], inherited)

    def listing(req: ApiRequest) -> dict[str, Any]:
        enforce(req, _rule("list", actor_type, target_type), _target(req, actor_type, target_type))
        roles = identity(req).list_grants(*args(req), inherited)
        return {"roles": [role_view(req, r) for r in roles], "links": links(req)}

    return {"put": put, "check": check, "revoke": revoke, "list": listing}


def list_role_assignments(req: ApiRequest) -> dict[str, Any]:
    q = req.query
    user_id, group_id = q.get("user.id"), q.get("group.id")
    project_id, domain_id = q.get("scope.project.id"), q.get("scope.domain.id")
    effective = _truthy(req, "effective")
    include_subtree = _truthy(req, "include_subtree")
    if user_id and group_id:
        raise BadRequest("Specify a user or group, not both")
    if project_id and domain_id:
        raise BadRequest("Specify a domain or project, not both")
    if effective and group_id:
        raise BadRequest("Combining effective and group filter will always result in an empty list.")
    if include_subtree and not project_id:
        raise BadRequest("scope.project.id must be specified if include_subtree is also specified")
    svc = identity(req)
    target_domain = domain_id
    if project_id and not target_domain:
        try:
            target_domain = svc.get_project(project_id)["domain_id"]
        except Exception:  # noqa: BLE001 - an unknown project simply has no assignments
            target_domain = None
    rule = "list_role_assignments_for_tree" if include_subtree else "list_role_assignments"
    enforce(req, rule, {"target.domain_id": target_domain})
    items = svc.role_assignments(
        user_id=user_id,
        group_id=group_id,
        role_id=q.get("role.id"),
        project_id=project_id,
        domain_id=domain_id,
        system="scope.system" in q,
        inherited_only=q.get("scope.OS-INHERIT:inherited_to") == "projects",
        effective=effective,
        include_subtree=include_subtree,
    )
    names = _truthy(req, "include_names")
    return {"role_assignments": [assignment_view(req, i, svc, names) for i in items], "links": links(req)}


def register(api: ServiceApi) -> None:
    for target_type in ("project", "domain", "system"):
        for actor_type in ("user", "group"):
            base = "/v3/system" if target_type == "system" else f"/v3/{target_type}s/{{target_id}}"
            base += f"/{actor_type}s/{{actor_id}}/roles"
            ops = _grant_ops(actor_type, target_type, inherited=False)
            api.add("GET", base, ops["list"])
            api.add("PUT", base + "/{role_id}", ops["put"], status=204, body="none")
            api.add("HEAD", base + "/{role_id}", ops["check"], status=204)
            api.add("GET", base + "/{role_id}", ops["check"], status=204)
            api.add("DELETE", base + "/{role_id}", ops["revoke"], status=204)
            if target_type == "system":
                continue
            inherited = "/v3/OS-INHERIT" + base.removeprefix("/v3")
            ops = _grant_ops(actor_type, target_type, inherited=True)
            api.add("GET", inherited + "/inherited_to_projects", ops["list"])
            api.add(
                "PUT", inherited + "/{role_id}/inherited_to_projects", ops["put"], status=204, body="none"
            )
            api.add("HEAD", inherited + "/{role_id}/inherited_to_projects", ops["check"], status=204)
            api.add("GET", inherited + "/{role_id}/inherited_to_projects", ops["check"], status=204)
            api.add("DELETE", inherited + "/{role_id}/inherited_to_projects", ops["revoke"], status=204)
    api.add("GET", "/v3/role_assignments", list_role_assignments)
