"""Keystone's tables (SQLAlchemy Core). JSON columns hold keystone's free-form ``extra``."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from twinstack.core.db import metadata

ID = String(64)

domains = Table(
    "identity_domains",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("description", Text),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("extra", JSON, nullable=False, default=dict),
)

projects = Table(
    "identity_projects",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(64), nullable=False),
    Column("domain_id", ID, ForeignKey("identity_domains.id"), nullable=False),
    # NULL for a top-level project (the API shows the domain id there, as keystone does).
    Column("parent_id", ID, ForeignKey("identity_projects.id")),
    Column("description", Text),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("extra", JSON, nullable=False, default=dict),
    UniqueConstraint("domain_id", "name", name="uq_identity_projects_domain_name"),
)

project_tags = Table(
    "identity_project_tags",
    metadata,
    Column("project_id", ID, ForeignKey("identity_projects.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(255), primary_key=True),
)

users = Table(
    "identity_users",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(255), nullable=False),
    Column("domain_id", ID, ForeignKey("identity_domains.id"), nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("password_hash", String(255)),
    Column("default_project_id", ID),
    Column("password_expires_at", DateTime(timezone=True)),
    Column("options", JSON, nullable=False, default=dict),
    Column("extra", JSON, nullable=False, default=dict),
    Column("created_at", DateTime(timezone=True)),
    UniqueConstraint("domain_id", "name", name="uq_identity_users_domain_name"),
)

groups = Table(
    "identity_groups",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(64), nullable=False),
    Column("domain_id", ID, ForeignKey("identity_domains.id"), nullable=False),
    Column("description", Text),
    Column("extra", JSON, nullable=False, default=dict),
    UniqueConstraint("domain_id", "name", name="uq_identity_groups_domain_name"),
)

group_members = Table(
    "identity_group_members",
    metadata,
    Column("group_id", ID, ForeignKey("identity_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ID, ForeignKey("identity_users.id", ondelete="CASCADE"), primary_key=True),
)

roles = Table(
    "identity_roles",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(255), nullable=False),
    # NULL for a global role; a domain-specific role names its domain.
    Column("domain_id", ID),
    Column("description", Text),
    Column("options", JSON, nullable=False, default=dict),
    Column("extra", JSON, nullable=False, default=dict),
)

implied_roles = Table(
    "identity_implied_roles",
    metadata,
    Column("prior_role_id", ID, ForeignKey("identity_roles.id", ondelete="CASCADE"), primary_key=True),
    Column("implied_role_id", ID, ForeignKey("identity_roles.id", ondelete="CASCADE"), primary_key=True),
)

# type is one of UserProject, GroupProject, UserDomain, GroupDomain, UserSystem, GroupSystem.
assignments = Table(
    "identity_assignments",
    metadata,
    Column("type", String(16), primary_key=True),
    Column("actor_id", ID, primary_key=True),
    Column("target_id", ID, primary_key=True),
    Column("role_id", ID, ForeignKey("identity_roles.id", ondelete="CASCADE"), primary_key=True),
    Column("inherited", Boolean, primary_key=True, default=False),
)

regions = Table(
    "identity_regions",
    metadata,
    Column("id", String(255), primary_key=True),
    Column("description", Text, nullable=False, default=""),
    Column("parent_region_id", String(255)),
    Column("extra", JSON, nullable=False, default=dict),
)

services = Table(
    "identity_services",
    metadata,
    Column("id", ID, primary_key=True),
    Column("type", String(255), nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("extra", JSON, nullable=False, default=dict),  # name, description, ...
)

endpoints = Table(
    "identity_endpoints",
    metadata,
    Column("id", ID, primary_key=True),
    Column("service_id", ID, ForeignKey("identity_services.id", ondelete="CASCADE"), nullable=False),
    Column("interface", String(8), nullable=False),
    Column("url", Text, nullable=False),
    Column("region_id", String(255)),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("extra", JSON, nullable=False, default=dict),
)

application_credentials = Table(
    "identity_application_credentials",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(255), nullable=False),
    Column("user_id", ID, ForeignKey("identity_users.id", ondelete="CASCADE"), nullable=False),
    Column("project_id", ID, nullable=False),
    Column("secret_hash", String(255), nullable=False),
    Column("description", Text),
    Column("expires_at", DateTime(timezone=True)),
    Column("unrestricted", Boolean, nullable=False, default=False),
    Column("roles", JSON, nullable=False, default=list),  # [{"id", "name", "domain_id"}]
    Column("access_rules", JSON, nullable=False, default=list),
    Column("created_at", DateTime(timezone=True)),
    UniqueConstraint("user_id", "name", name="uq_identity_app_creds_user_name"),
)

# A user's access rules, shared by the application credentials that name them; they outlive
# those credentials until deleted, as keystone's do.
access_rules = Table(
    "identity_access_rules",
    metadata,
    Column("id", ID, primary_key=True),
    Column("user_id", ID, ForeignKey("identity_users.id", ondelete="CASCADE"), nullable=False),
    Column("service", String(64), nullable=False),
    Column("path", String(128), nullable=False),
    Column("method", String(16), nullable=False),
    UniqueConstraint("user_id", "service", "path", "method", name="uq_identity_access_rules_rule"),
)

credentials = Table(
    "identity_credentials",
    metadata,
    Column("id", ID, primary_key=True),
    Column("user_id", ID, nullable=False),
    Column("project_id", ID),
    Column("type", String(255), nullable=False),
    Column("blob", Text, nullable=False),
    Column("extra", JSON, nullable=False, default=dict),
)

# Revocation events: a token is revoked when an event matches it and was issued before it.
revocations = Table(
    "identity_revocations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("audit_id", String(32)),
    Column("user_id", ID),
    Column("project_id", ID),
    Column("app_cred_id", ID),
    Column("issued_before", DateTime(timezone=True), nullable=False),
)

token_keys = Table(
    "identity_token_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", LargeBinary, nullable=False),
)
