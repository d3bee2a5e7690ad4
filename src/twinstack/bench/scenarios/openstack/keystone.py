"""KeystoneBasic.* scenarios through openstacksdk (atomic names as rally-openstack's v3 service)."""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

from twinstack.bench.registry import register
from twinstack.bench.scenarios.openstack.base import OpenStackScenario


class _Keystone(OpenStackScenario):
    REQUIRES_ADMIN: ClassVar[bool] = True

    @property
    def identity(self) -> Any:
        return self.admin_clients().identity

    def _create_user(self, **kwargs: Any) -> Any:
        kwargs.setdefault("password", secrets.token_urlsafe(12))
        with self.atomic("keystone_v3.create_user"):
            user = self.identity.create_user(
                name=self.generate_random_name(), domain_id="default", enabled=True, **kwargs
            )
        self.track("user", user.id, admin=True)
        return user

    def _delete_user(self, user: Any) -> None:
        with self.atomic("keystone_v3.delete_user"):
            self.identity.delete_user(user)
        self.untrack("user", user.id)

    def _create_project(self, **kwargs: Any) -> Any:
        with self.atomic("keystone_v3.create_project"):
            project = self.identity.create_project(
                name=self.generate_random_name(), domain_id="default", **kwargs
            )
        self.track("project", project.id, admin=True)
        return project

    def _create_role(self) -> Any:
        with self.atomic("keystone_v3.create_role"):
            role = self.identity.create_role(name=self.generate_random_name())
        self.track("role", role.id, admin=True)
        return role

    def _delete_role(self, role: Any) -> None:
        with self.atomic("keystone_v3.delete_role"):
            self.identity.delete_role(role)
        self.untrack("role", role.id)


@register("scenario", "KeystoneBasic.create_user")
class CreateUser(_Keystone):
    """Create a keystone user with a random name (removed by cleanup).

    name_length: ignored, kept for compatibility. Other arguments go to the create call.
    """

    def run(self, name_length: int = 10, **kwargs: Any) -> None:
        self._create_user(**kwargs)


@register("scenario", "KeystoneBasic.create_delete_user")
class CreateDeleteUser(_Keystone):
    """Create a keystone user with a random name, then delete it."""

    def run(self, name_length: int = 10, **kwargs: Any) -> None:
        self._delete_user(self._create_user(**kwargs))


@register("scenario", "KeystoneBasic.create_and_list_users")
class CreateAndListUsers(_Keystone):
    """Create a keystone user and list all users."""

    def run(self, name_length: int = 10, **kwargs: Any) -> None:
        self._create_user(**kwargs)
        with self.atomic("keystone_v3.list_users"):
            list(self.identity.users())


@register("scenario", "KeystoneBasic.create_and_list_tenants")
class CreateAndListTenants(_Keystone):
    """Create a project and list all projects."""

    def run(self, name_length: int = 10, **kwargs: Any) -> None:
        self._create_project(**kwargs)
        with self.atomic("keystone_v3.list_projects"):
            list(self.identity.projects())


@register("scenario", "KeystoneBasic.create_tenant")
class CreateTenant(_Keystone):
    """Create a project with a random name."""

    def run(self, name_length: int = 10, **kwargs: Any) -> None:
        self._create_project(**kwargs)


@register("scenario", "KeystoneBasic.create_tenant_with_users")
class CreateTenantWithUsers(_Keystone):
    """Create a project and ``users_per_tenant`` users in it."""

    ARG_SCHEMAS: ClassVar[dict[str, Any]] = {"users_per_tenant": {"type": "integer", "minimum": 1}}

    def run(self, users_per_tenant: int, name_length: int = 10, **kwargs: Any) -> None:
        project = self._create_project(**kwargs)
        with self.atomic("keystone_v3.create_users"):
            for _ in range(users_per_tenant):
                self._create_user(default_project_id=project.id)


@register("scenario", "KeystoneBasic.create_update_and_delete_tenant")
class CreateUpdateAndDeleteTenant(_Keystone):
    """Create a project, give it a new name and description, delete it."""

    def run(self, name_length: int = 10, **kwargs: Any) -> None:
        project = self._create_project(**kwargs)
        with self.atomic("keystone_v3.update_project"):
            self.identity.update_project(
                project, name=self.generate_random_name(), description=self.generate_random_name()
            )
        with self.atomic("keystone_v3.delete_project"):
            self.identity.delete_project(project)
        self.untrack("project", project.id)


@register("scenario", "KeystoneBasic.add_and_remove_user_role")
class AddAndRemoveUserRole(_Keystone):
    """Create a role, give it to the iteration's user in their project, take it back."""

    def run(self) -> None:
        user = self.context["user"]
        role = self._create_role()
        with self.atomic("keystone_v3.add_role"):
            self.identity.assign_project_role_to_user(user["tenant_id"], user["id"], role)
        with self.atomic("keystone_v3.revoke_role"):
            self.identity.unassign_project_role_from_user(user["tenant_id"], user["id"], role)


@register("scenario", "KeystoneBasic.create_and_delete_role")
class CreateAndDeleteRole(_Keystone):
    """Create a role and delete it."""

    def run(self) -> None:
        self._delete_role(self._create_role())


@register("scenario", "KeystoneBasic.create_add_and_list_user_roles")
class CreateAddAndListUserRoles(_Keystone):
    """Create a role, give it to the iteration's user, list the user's roles."""

    def run(self) -> None:
        user = self.context["user"]
        role = self._create_role()
        with self.atomic("keystone_v3.add_role"):
            self.identity.assign_project_role_to_user(user["tenant_id"], user["id"], role)
        with self.atomic("keystone_v3.list_roles"):
            list(self.identity.role_assignments(user_id=user["id"], scope_project_id=user["tenant_id"]))


@register("scenario", "KeystoneBasic.get_entities")
class GetEntities(_Keystone):
    """Create and get a project, user and role; get the ``service_name`` service (keystone)."""

    def run(self, service_name: str | None = "keystone") -> None:
        project = self._create_project()
        user = self._create_user(default_project_id=project.id)
        role = self._create_role()
        with self.atomic("keystone_v3.get_project"):
            self.identity.get_project(project)
        with self.atomic("keystone_v3.get_user"):
            self.identity.get_user(user)
        with self.atomic("keystone_v3.get_role"):
            self.identity.get_role(role)
        if service_name:
            with self.atomic("keystone_v3.get_service_by_name"):
                if self.identity.find_service(service_name) is None:
                    raise LookupError(f"service {service_name!r} not found")


@register("scenario", "KeystoneBasic.create_and_delete_service")
class CreateAndDeleteService(_Keystone):
    """Create a service (``service_type``, ``description``) and delete it."""

    def run(self, service_type: str | None = None, description: str | None = None) -> None:
        with self.atomic("keystone_v3.create_service"):
            service = self.identity.create_service(
                name=self.generate_random_name(),
                type=service_type or "rally_test_type",
                description=description,
            )
        with self.atomic("keystone_v3.delete_service"):
            self.identity.delete_service(service)


@register("scenario", "KeystoneBasic.authenticate_user_and_validate_token")
class AuthenticateUserAndValidateToken(_Keystone):
    """Get a token for the iteration's user, then validate it with admin credentials."""

    def run(self) -> None:
        user = self.context.get("user") or self.context["env"].admin
        with self.atomic("keystone_v3.fetch_token"):
            conn = self.context["env"].connect(user["credential"])
            token = conn.auth_token
        with self.atomic("keystone_v3.validate_token"):
            self.identity.validate_token(token)
        conn.close()
