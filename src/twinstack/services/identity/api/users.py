"""``/v3/users`` and ``/v3/groups``: keystone's identity API (users, passwords, groups, members)."""

from __future__ import annotations

from typing import Any

from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.identity import schemas
from twinstack.services.identity.api.common import created, enforce, identity, listing, payload, token_domain
from twinstack.services.identity.service import Scope
from twinstack.services.identity.views import group_view, project_view, user_view

_USER_FILTERS = ("name", "enabled", "domain_id", "id")

# users --------------------------------------------------------------------------------------


def _user_target(user: dict[str, Any]) -> dict[str, Any]:
    return {"target.user.id": user["id"], "target.user.domain_id": user["domain_id"]}


def list_users(req: ApiRequest) -> dict[str, Any]:
    domain_id = req.query.get("domain_id")
    if domain_id is None and req.ctx.domain_id:
        domain_id = req.ctx.domain_id  # a domain-scoped token lists its domain's users
    enforce(req, "list_users", {"target.domain_id": domain_id})
    views = [user_view(req, u) for u in identity(req).list_users()]
    if domain_id is not None and "domain_id" not in req.query:
        views = [v for v in views if v["domain_id"] == domain_id]
    return listing(req, "users", views, _USER_FILTERS)


def create_user(req: ApiRequest) -> ApiResponse:
    values = payload(req, schemas.USER_CREATE, "user")
    domain_id = values.get("domain_id") or token_domain(req)
    enforce(req, "create_user", {"target.user.domain_id": domain_id})
    return created("user", user_view(req, identity(req).create_user(values, token_domain(req))))


def get_user(req: ApiRequest) -> dict[str, Any]:
    user = identity(req).get_user(req.path["user_id"])
    enforce(req, "get_user", _user_target(user))
    return {"user": user_view(req, user)}


def update_user(req: ApiRequest) -> dict[str, Any]:
    svc = identity(req)
    user = svc.get_user(req.path["user_id"])
    enforce(req, "update_user", _user_target(user))
    values = payload(req, schemas.USER_UPDATE, "user")
    return {"user": user_view(req, svc.update_user(user["id"], values))}


def delete_user(req: ApiRequest) -> None:
    svc = identity(req)
    user = svc.get_user(req.path["user_id"])
    enforce(req, "delete_user", _user_target(user))
    svc.delete_user(user["id"])


def change_password(req: ApiRequest) -> None:
    """Keystone does not enforce a policy here: knowing the original password is the check."""
    values = payload(req, schemas.PASSWORD_CHANGE, "user")
    identity(req).change_password(req.path["user_id"], values["original_password"], values["password"])


def user_projects(req: ApiRequest) -> dict[str, Any]:
    svc = identity(req)
    user = svc.get_user(req.path["user_id"])
    enforce(req, "list_user_projects", _user_target(user))
    rows = [p for p in svc.list_projects() if svc.effective_roles(user["id"], Scope("project", p["id"]))]
    tags = svc.project_tags([p["id"] for p in rows])
    views = [project_view(req, p, svc, tags.get(p["id"], [])) for p in rows]
    return listing(req, "projects", views, ("name", "enabled", "domain_id", "parent_id"))


def user_groups(req: ApiRequest) -> dict[str, Any]:
    svc = identity(req)
    user = svc.get_user(req.path["user_id"])
    enforce(req, "list_groups_for_user", _user_target(user))
    views = [group_view(req, g) for g in svc.user_groups(user["id"])]
    return listing(req, "groups", views, ("name", "domain_id"))


# groups -------------------------------------------------------------------------------------


def _group_target(group: dict[str, Any]) -> dict[str, Any]:
    return {"target.group.id": group["id"], "target.group.domain_id": group["domain_id"]}


def list_groups(req: ApiRequest) -> dict[str, Any]:
    enforce(req, "list_groups", {"target.domain_id": req.query.get("domain_id") or req.ctx.domain_id})
    views = [group_view(req, g) for g in identity(req).list_groups()]
    return listing(req, "groups", views, ("name", "domain_id", "id"))


def create_group(req: ApiRequest) -> ApiResponse:
    values = payload(req, schemas.GROUP_CREATE, "group")
    enforce(req, "create_group", {"target.group.domain_id": values.get("domain_id") or token_domain(req)})
    return created("group", group_view(req, identity(req).create_group(values, token_domain(req))))


def _group(req: ApiRequest, rule: str) -> dict[str, Any]:
    group = identity(req).get_group(req.path["group_id"])
    enforce(req, rule, _group_target(group))
    return group


def get_group(req: ApiRequest) -> dict[str, Any]:
    return {"group": group_view(req, _group(req, "get_group"))}


def update_group(req: ApiRequest) -> dict[str, Any]:
    group = _group(req, "update_group")
    values = payload(req, schemas.GROUP_UPDATE, "group")
    return {"group": group_view(req, identity(req).update_group(group["id"], values))}


def delete_group(req: ApiRequest) -> None:
    identity(req).delete_group(_group(req, "delete_group")["id"])


def group_users(req: ApiRequest) -> dict[str, Any]:
    group = _group(req, "list_users_in_group")
    views = [user_view(req, u) for u in identity(req).group_users(group["id"])]
    return listing(req, "users", views, _USER_FILTERS)


def add_member(req: ApiRequest) -> None:
    group = _group(req, "add_user_to_group")
    identity(req).add_user_to_group(group["id"], req.path["user_id"])


def check_member(req: ApiRequest) -> None:
    group = _group(req, "check_user_in_group")
    identity(req).check_user_in_group(group["id"], req.path["user_id"])


def remove_member(req: ApiRequest) -> None:
    group = _group(req, "remove_user_from_group")
    identity(req).remove_user_from_group(group["id"], req.path["user_id"])


def register(api: ServiceApi) -> None:
    api.add("GET", "/v3/users", list_users)
    api.add("POST", "/v3/users", create_user, status=201)
    api.add("GET", "/v3/users/{user_id}", get_user)
    api.add("PATCH", "/v3/users/{user_id}", update_user)
    api.add("DELETE", "/v3/users/{user_id}", delete_user, status=204)
    api.add("POST", "/v3/users/{user_id}/password", change_password, status=204, auth=False)
    api.add("GET", "/v3/users/{user_id}/projects", user_projects)
    api.add("GET", "/v3/users/{user_id}/groups", user_groups)
    api.add("GET", "/v3/groups", list_groups)
    api.add("POST", "/v3/groups", create_group, status=201)
    api.add("GET", "/v3/groups/{group_id}", get_group)
    api.add("PATCH", "/v3/groups/{group_id}", update_group)
    api.add("DELETE", "/v3/groups/{group_id}", delete_group, status=204)
    api.add("GET", "/v3/groups/{group_id}/users", group_users)
    api.add("PUT", "/v3/groups/{group_id}/users/{user_id}", add_member, status=204, body="none")
    api.add("HEAD", "/v3/groups/{group_id}/users/{user_id}", check_member, status=204)
    api.add("GET", "/v3/groups/{group_id}/users/{user_id}", check_member, status=204)
    api.add("DELETE", "/v3/groups/{group_id}/users/{user_id}", remove_member, status=204)
