"""Keystone's default policies (``keystone/common/policies/*.py``), as rule functions.

Targets are flat dicts whose keys name what keystone's check strings name:
``user_id`` (the user in the URL, keystone's ``%(user_id)s``), ``target.user.id``,
``target.user.domain_id``, ``target.project.id``, ``target.project.domain_id``,
``target.domain.id``, ``target.domain_id`` (a list's domain filter), ``target.group.domain_id``,
``target.credential.user_id``, ``target.role.domain_id``.

The personas are keystone's: ``admin`` anywhere can do everything (``rule:admin_required``); a
system reader reads everything; a domain reader reads in its domain; a domain ``manager``
manages projects, users and groups of its domain; a project member or reader sees their own
user, their own project and its domain, and manages their own credentials.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from twinstack.core.context import RequestContext
from twinstack.core.policy import Policy, Rule

Target = Mapping[str, Any]


def admin(ctx: RequestContext, t: Target) -> bool:
    return ctx.is_admin


def anyone(ctx: RequestContext, t: Target) -> bool:
    return True


def system_reader(ctx: RequestContext) -> bool:
    return ctx.is_reader and ctx.system_scope == "all"


def domain_reader(ctx: RequestContext, domain_id: Any) -> bool:
    return ctx.is_reader and ctx.domain_id is not None and ctx.domain_id == domain_id


def domain_manager(ctx: RequestContext, domain_id: Any) -> bool:
    return "manager" in ctx.roles and ctx.domain_id is not None and ctx.domain_id == domain_id


def admin_or_system_reader(ctx: RequestContext, t: Target) -> bool:
    return ctx.is_admin or system_reader(ctx)


def admin_or_reader_of_domain(ctx: RequestContext, t: Target) -> bool:
    """ADMIN_OR_SYSTEM_READER_OR_DOMAIN_READER with ``target.domain_id``."""
    return admin_or_system_reader(ctx, t) or domain_reader(ctx, t.get("target.domain_id"))


def owner(ctx: RequestContext, t: Target) -> bool:
    """``user_id:%(user_id)s``: the user named in the URL."""
    return ctx.user_id is not None and ctx.user_id == t.get("user_id")


def admin_or_owner(ctx: RequestContext, t: Target) -> bool:
    return ctx.is_admin or owner(ctx, t)


def admin_or_system_reader_or_owner(ctx: RequestContext, t: Target) -> bool:
    return admin_or_system_reader(ctx, t) or owner(ctx, t)


# domains
def get_domain(ctx: RequestContext, t: Target) -> bool:
    domain = t.get("target.domain.id")
    return (
        admin_or_system_reader(ctx, t)
        or (ctx.domain_id is not None and ctx.domain_id == domain)
        or (ctx.project_domain_id is not None and ctx.project_domain_id == domain)
    )


# projects
def get_project(ctx: RequestContext, t: Target) -> bool:
    return (
        admin_or_system_reader(ctx, t)
        or domain_reader(ctx, t.get("target.project.domain_id"))
        or (ctx.project_id is not None and ctx.project_id == t.get("target.project.id"))
    )


def manage_project(ctx: RequestContext, t: Target) -> bool:
    return ctx.is_admin or domain_manager(ctx, t.get("target.project.domain_id"))


def list_user_projects(ctx: RequestContext, t: Target) -> bool:
    return (
        admin_or_system_reader(ctx, t)
        or domain_reader(ctx, t.get("target.user.domain_id"))
        or ctx.user_id == t.get("target.user.id")
    )


# users
def get_user(ctx: RequestContext, t: Target) -> bool:
    return (
        admin_or_system_reader(ctx, t)
        or domain_reader(ctx, t.get("target.user.domain_id"))
        or (ctx.user_id is not None and ctx.user_id == t.get("target.user.id"))
    )


def manage_user(ctx: RequestContext, t: Target) -> bool:
    return ctx.is_admin or domain_manager(ctx, t.get("target.user.domain_id"))


# groups
def read_group(ctx: RequestContext, t: Target) -> bool:
    return admin_or_system_reader(ctx, t) or domain_reader(ctx, t.get("target.group.domain_id"))


def list_groups_for_user(ctx: RequestContext, t: Target) -> bool:
    return (
        admin_or_system_reader(ctx, t) or domain_reader(ctx, t.get("target.user.domain_id")) or owner(ctx, t)
    )


def manage_group(ctx: RequestContext, t: Target) -> bool:
    return ctx.is_admin or domain_manager(ctx, t.get("target.group.domain_id"))


# grants and role assignments
def read_grant(ctx: RequestContext, t: Target) -> bool:
    if admin_or_system_reader(ctx, t):
        return True
    actor_domain = t.get("target.user.domain_id") or t.get("target.group.domain_id")
    target_domain = t.get("target.project.domain_id") or t.get("target.domain.id")
    role_ok = t.get("target.role.domain_id") in (None, ctx.domain_id)
    return domain_reader(ctx, actor_domain) and domain_reader(ctx, target_domain) and role_ok


# credentials
def credential_owner(ctx: RequestContext, t: Target) -> bool:
    return ctx.user_id is not None and ctx.user_id == t.get("target.credential.user_id")


def admin_or_system_reader_or_cred_owner(ctx: RequestContext, t: Target) -> bool:
    return admin_or_system_reader(ctx, t) or credential_owner(ctx, t)


def admin_or_cred_owner(ctx: RequestContext, t: Target) -> bool:
    return ctx.is_admin or credential_owner(ctx, t)


def _identity(name: str) -> str:
    return "identity:" + name


RULES: dict[str, Rule] = {
    **{
        _identity(n): admin
        for n in (
            "create_domain",
            "update_domain",
            "delete_domain",
            "create_role",
            "update_role",
            "delete_role",
            "create_domain_role",
            "update_domain_role",
            "delete_domain_role",
            "create_implied_role",
            "delete_implied_role",
            "create_grant",
            "revoke_grant",
            "create_system_grant_for_user",
            "revoke_system_grant_for_user",
            "create_system_grant_for_group",
            "revoke_system_grant_for_group",
            "create_region",
            "update_region",
            "delete_region",
            "create_service",
            "update_service",
            "delete_service",
            "create_endpoint",
            "update_endpoint",
            "delete_endpoint",
            "update_project_tags",
            "create_project_tag",
            "delete_project_tag",
            "delete_project_tags",
            "add_user_to_group",
            "remove_user_from_group",
        )
    },
    **{
        _identity(n): admin_or_system_reader
        for n in (
            "get_role",
            "list_roles",
            "get_domain_role",
            "list_domain_roles",
            "get_implied_role",
            "list_implied_roles",
            "list_role_inference_rules",
            "check_implied_role",
            "check_system_grant_for_user",
            "list_system_grants_for_user",
            "check_system_grant_for_group",
            "list_system_grants_for_group",
            "get_service",
            "list_services",
            "get_endpoint",
            "list_endpoints",
        )
    },
    _identity("get_region"): anyone,
    _identity("list_regions"): anyone,
    _identity("get_domain"): get_domain,
    _identity("list_domains"): admin_or_reader_of_domain,
    _identity("get_project"): get_project,
    _identity("list_projects"): admin_or_reader_of_domain,
    _identity("list_user_projects"): list_user_projects,
    _identity("create_project"): manage_project,
    _identity("update_project"): manage_project,
    _identity("delete_project"): manage_project,
    _identity("list_project_tags"): get_project,
    _identity("get_project_tag"): get_project,
    _identity("get_user"): get_user,
    _identity("list_users"): admin_or_reader_of_domain,
    _identity("create_user"): manage_user,
    _identity("update_user"): manage_user,
    _identity("delete_user"): manage_user,
    _identity("get_group"): read_group,
    _identity("list_groups"): admin_or_reader_of_domain,
    _identity("list_groups_for_user"): list_groups_for_user,
    _identity("list_users_in_group"): read_group,
    _identity("check_user_in_group"): read_group,
    _identity("create_group"): manage_group,
    _identity("update_group"): manage_group,
    _identity("delete_group"): manage_group,
    _identity("check_grant"): read_grant,
    _identity("list_grants"): read_grant,
    _identity("list_role_assignments"): admin_or_reader_of_domain,
    _identity("list_role_assignments_for_tree"): admin_or_reader_of_domain,
    _identity("get_application_credential"): admin_or_system_reader_or_owner,
    _identity("list_application_credentials"): admin_or_system_reader_or_owner,
    _identity("create_application_credential"): owner,
    _identity("delete_application_credential"): admin_or_owner,
    _identity("list_access_rules"): admin_or_system_reader_or_owner,
    _identity("get_access_rule"): admin_or_system_reader_or_owner,
    _identity("delete_access_rule"): admin_or_owner,
    _identity("ec2_get_credential"): admin_or_system_reader_or_owner,
    _identity("ec2_list_credentials"): admin_or_system_reader_or_owner,
    _identity("ec2_create_credential"): admin_or_owner,
    _identity("ec2_delete_credential"): admin_or_owner,
    _identity("get_credential"): admin_or_system_reader_or_cred_owner,
    _identity("list_credentials"): admin_or_system_reader_or_cred_owner,
    _identity("create_credential"): admin_or_cred_owner,
    _identity("update_credential"): admin_or_cred_owner,
    _identity("delete_credential"): admin_or_cred_owner,
}


def register(policy: Policy) -> None:
    """Register keystone's rules (once per cloud, when identity's API is built)."""
    policy.register(RULES)
