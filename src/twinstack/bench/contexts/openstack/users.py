"""Identity contexts: ``users`` (100), ``quotas`` (300), ``keypair`` (310), ``allow_ssh`` (320),
``roles`` (330). Each undoes its work on cleanup."""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

from twinstack.bench.contexts.base import Context
from twinstack.bench.registry import register


def _name(ctx: dict[str, Any]) -> str:
    return f"rally_{ctx['task']['name_tag']}_{secrets.token_hex(4)}"


@register("context", "users")
class Users(Context):
    """Create ``tenants`` projects (1) with ``users_per_tenant`` users (1) each, with the member
    role. ``user_choice_method``: ``random`` (default) or ``round_robin`` picks each iteration's
    user. With no keys at all (``users: {}``) and existing users in the env, those are used."""

    ORDER: ClassVar[int] = 100
    PLATFORM: ClassVar[str | None] = "openstack"
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "tenants": {"type": "integer", "minimum": 1},
            "users_per_tenant": {"type": "integer", "minimum": 1},
            "resource_management_workers": {"type": "integer", "minimum": 1},
            "project_domain": {"type": "string"},
            "user_domain": {"type": "string"},
            "user_password": {"type": "string"},
            "user_choice_method": {"enum": ["random", "round_robin"]},
        },
    }

    def setup(self) -> None:
        admin = self.env.admin_connection()
        self.projects: list[str] = []
        self.users: list[str] = []
        if not self.config and self.env.existing_users:
            self.ctx["users"] = self.env.default_users()
            self.ctx["tenants"] = {
                u["tenant_id"]: {"id": u["tenant_id"], "name": u["project_name"]} for u in self.ctx["users"]
            }
            return
        role = admin.identity.find_role("member") or admin.identity.find_role("_member_")
        pdomain = admin.identity.find_domain(
            self.config.get("project_domain", "default")
        ) or admin.identity.find_domain("Default")
        udomain = admin.identity.find_domain(self.config.get("user_domain", "default")) or pdomain
        for _ in range(self.config.get("tenants", 1)):
            project = admin.identity.create_project(name=_name(self.ctx), domain_id=pdomain.id)
            self.projects.append(project.id)
            tenant = {"id": project.id, "name": project.name, "users": []}
            self.ctx["tenants"][project.id] = tenant
            for _ in range(self.config.get("users_per_tenant", 1)):
                password = self.config.get("user_password") or secrets.token_urlsafe(12)
                user = admin.identity.create_user(
                    name=_name(self.ctx),
                    password=password,
                    domain_id=udomain.id,
                    default_project_id=project.id,
                )
                self.users.append(user.id)
                if role is not None:
                    admin.identity.assign_project_role_to_user(project, user, role)
                record = {
                    "id": user.id,
                    "name": user.name,
                    "tenant_id": project.id,
                    "project_name": project.name,
                    "credential": self.env.user_credential(user.name, password, project.name, udomain.name),
                }
                tenant["users"].append(user.id)
                self.ctx["users"].append(record)

    def cleanup(self) -> None:
        admin = self.env.admin_connection()
        errors = []
        for uid in getattr(self, "users", []):
            try:
                admin.identity.delete_user(uid, ignore_missing=True)
            except Exception as exc:  # noqa: BLE001 - keep going, report at the end
                errors.append(f"user {uid}: {exc}")
        for pid in getattr(self, "projects", []):
            try:  # the tenants' default security groups, as rally-openstack does (best effort)
                for sg in admin.network.security_groups(project_id=pid):
                    admin.network.delete_security_group(sg, ignore_missing=True)
            except Exception:  # noqa: BLE001, S110 - no networking service, or nothing to delete
                pass
            try:
                admin.identity.delete_project(pid, ignore_missing=True)
            except Exception as exc:  # noqa: BLE001
                errors.append(f"project {pid}: {exc}")
        if errors:
            raise RuntimeError("; ".join(errors))


@register("context", "roles")
class Roles(Context):
    """Give every user these roles (a list of role names) in their project."""

    ORDER: ClassVar[int] = 330
    PLATFORM: ClassVar[str | None] = "openstack"
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {"type": "array", "items": {"type": "string"}}

    def setup(self) -> None:
        admin = self.env.admin_connection()
        self.granted: list[tuple[str, str, str]] = []
        for name in self.config:
            role = admin.identity.find_role(name)
            if role is None:
                raise RuntimeError(f"role {name!r} does not exist")
            for user in self.ctx["users"]:
                admin.identity.assign_project_role_to_user(user["tenant_id"], user["id"], role.id)
                self.granted.append((user["tenant_id"], user["id"], role.id))
        self.ctx["roles"] = list(self.config)

    def cleanup(self) -> None:
        admin = self.env.admin_connection()
        for project, user, role in getattr(self, "granted", []):
            admin.identity.unassign_project_role_from_user(project, user, role)


_INT = {"type": "integer", "minimum": -1}


@register("context", "quotas")
class Quotas(Context):
    """Set each tenant's quotas: ``{nova: {...}, cinder: {...}, neutron: {...}}``; -1 means
    unlimited. The defaults come back on cleanup."""

    ORDER: ClassVar[int] = 300
    PLATFORM: ClassVar[str | None] = "openstack"
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "nova": {"type": "object", "additionalProperties": _INT},
            "cinder": {"type": "object", "additionalProperties": _INT},
            "neutron": {"type": "object", "additionalProperties": _INT},
            "manila": {"type": "object"},
            "designate": {"type": "object"},
        },
    }

    def setup(self) -> None:
        admin = self.env.admin_connection()
        self.done: list[tuple[str, str]] = []
        setters = {
            "nova": admin.set_compute_quotas,
            "cinder": admin.set_volume_quotas,
            "neutron": admin.set_network_quotas,
        }
        for tenant in self.ctx["tenants"]:
            for service, values in self.config.items():
                if service in setters and values:
                    setters[service](tenant, **values)
                    self.done.append((service, tenant))

    def cleanup(self) -> None:
        admin = self.env.admin_connection()
        deleters = {
            "nova": admin.delete_compute_quotas,
            "cinder": admin.delete_volume_quotas,
            "neutron": admin.delete_network_quotas,
        }
        for service, tenant in getattr(self, "done", []):
            deleters[service](tenant)


@register("context", "keypair")
class Keypair(Context):
    """Create a keypair for every user (``user["keypair"]``: name, id, public_key, private)."""

    ORDER: ClassVar[int] = 310
    PLATFORM: ClassVar[str | None] = "openstack"
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {"type": "object", "additionalProperties": False}

    def setup(self) -> None:
        for user in self.ctx["users"]:
            kp = self.env.connection(user).compute.create_keypair(name=_name(self.ctx))
            user["keypair"] = {
                "name": kp.name,
                "id": kp.id,
                "public_key": kp.public_key,
                "private": kp.private_key,
            }

    def cleanup(self) -> None:
        for user in self.ctx["users"]:
            if "keypair" in user:
                self.env.connection(user).compute.delete_keypair(
                    user.pop("keypair")["name"], ignore_missing=True
                )


@register("context", "allow_ssh")
class AllowSSH(Context):
    """A security group per tenant letting in SSH (TCP 22) and ICMP (``user["secgroup"]``)."""

    ORDER: ClassVar[int] = 320
    PLATFORM: ClassVar[str | None] = "openstack"
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {"type": ["null", "object"]}

    def setup(self) -> None:
        self.groups: list[tuple[dict[str, Any], str]] = []
        by_tenant: dict[str, dict[str, str]] = {}
        for user in self.ctx["users"]:
            if user["tenant_id"] not in by_tenant:
                net = self.env.connection(user).network
                sg = net.create_security_group(name=_name(self.ctx), description="Allow ssh access to VMs")
                for proto, ports in (("tcp", (22, 22)), ("icmp", (None, None))):
                    net.create_security_group_rule(
                        security_group_id=sg.id,
                        direction="ingress",
                        ethertype="IPv4",
                        protocol=proto,
                        port_range_min=ports[0],
                        port_range_max=ports[1],
                        remote_ip_prefix="0.0.0.0/0",
                    )
                by_tenant[user["tenant_id"]] = {"id": sg.id, "name": sg.name}
                self.groups.append((user, sg.id))
            user["secgroup"] = by_tenant[user["tenant_id"]]

    def cleanup(self) -> None:
        for user, sg in getattr(self, "groups", []):
            self.env.connection(user).network.delete_security_group(sg, ignore_missing=True)
