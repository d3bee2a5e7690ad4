"""Nova's tables (SQLAlchemy Core): the cell database and the API database in one."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from twinstack.core.db import metadata

UUID = String(36)
PID = String(255)
TS = DateTime(timezone=True)

instances = Table(
    "compute_instances",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("project_id", PID, nullable=False),
    Column("user_id", PID, nullable=False),
    Column("display_name", String(255)),
    Column("display_description", Text),
    Column("hostname", String(255)),
    Column("image_ref", String(255)),
    Column("image_meta", JSON),  # glance properties at boot (2.98 shows them)
    Column("flavor", JSON, nullable=False),
    # the flavor's sizes again, as columns, for quota counting and usage reports
    Column("vcpus", Integer, nullable=False, default=0),
    Column("memory_mb", Integer, nullable=False, default=0),
    Column("root_gb", Integer, nullable=False, default=0),
    Column("old_flavor", JSON),
    Column("new_flavor", JSON),
    Column("vm_state", String(255), nullable=False),
    Column("task_state", String(255)),
    Column("power_state", Integer, nullable=False, default=0),
    Column("host", String(255)),
    Column("node", String(255)),
    Column("availability_zone", String(255)),
    Column("pinned_availability_zone", String(255)),
    Column("key_name", String(255)),
    Column("key_data", Text),
    Column("user_data", Text),
    Column("metadata", JSON, nullable=False),
    Column("system_metadata", JSON, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("locked", Boolean, nullable=False, default=False),
    Column("locked_by", String(255)),
    Column("locked_reason", String(255)),
    Column("config_drive", String(255), nullable=False, default=""),
    Column("access_ip_v4", String(64)),
    Column("access_ip_v6", String(64)),
    Column("reservation_id", String(255), nullable=False),
    Column("launch_index", Integer, nullable=False, default=0),
    Column("progress", Integer, nullable=False, default=0),
    Column("security_groups", JSON, nullable=False),
    Column("requested_networks", JSON),
    Column("block_device_mapping", JSON, nullable=False),
    Column("scheduler_hints", JSON, nullable=False),
    Column("trusted_certs", JSON),
    Column("fault", JSON),
    Column("root_device_name", String(255)),
    Column("kernel_id", String(255), nullable=False, default=""),
    Column("ramdisk_id", String(255), nullable=False, default=""),
    Column("launched_at", TS),
    Column("terminated_at", TS),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("deleted_at", TS),
    Column("deleted", Boolean, nullable=False, default=False),
)
Index("ix_compute_instances_project", instances.c.project_id, instances.c.deleted, instances.c.created_at)
Index("ix_compute_instances_listing", instances.c.deleted, instances.c.created_at)
Index("ix_compute_instances_host", instances.c.host)

instance_actions = Table(
    "compute_instance_actions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("instance_uuid", UUID, nullable=False, index=True),
    Column("action", String(255), nullable=False),
    Column("request_id", String(255), nullable=False),
    Column("user_id", PID),
    Column("project_id", PID),
    Column("message", String(255)),
    Column("start_time", TS, nullable=False),
    Column("finish_time", TS),
    Column("updated_at", TS),
)

instance_action_events = Table(
    "compute_instance_action_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("action_id", Integer, nullable=False, index=True),
    Column("event", String(255), nullable=False),
    Column("start_time", TS, nullable=False),
    Column("finish_time", TS),
    Column("result", String(255)),
    Column("traceback", Text),
    Column("host", String(255)),
    Column("details", Text),
)

flavors = Table(
    "compute_flavors",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("flavorid", String(255), nullable=False, unique=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("memory_mb", Integer, nullable=False),
    Column("vcpus", Integer, nullable=False),
    Column("root_gb", Integer, nullable=False),
    Column("ephemeral_gb", Integer, nullable=False, default=0),
    Column("swap", Integer, nullable=False, default=0),
    Column("rxtx_factor", Float, nullable=False, default=1.0),
    Column("is_public", Boolean, nullable=False, default=True),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("description", Text),
    Column("extra_specs", JSON, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS),
)

flavor_projects = Table(
    "compute_flavor_projects",
    metadata,
    Column("flavorid", String(255), primary_key=True),
    Column("project_id", PID, primary_key=True),
)

keypairs = Table(
    "compute_keypairs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", PID, nullable=False),
    Column("name", String(255), nullable=False),
    Column("fingerprint", String(255), nullable=False),
    Column("public_key", Text, nullable=False),
    Column("type", String(16), nullable=False, default="ssh"),
    Column("created_at", TS, nullable=False),
    UniqueConstraint("user_id", "name", name="uq_compute_keypairs_user_name"),
)

server_groups = Table(
    "compute_server_groups",
    metadata,
    Column("uuid", UUID, primary_key=True),
    Column("name", String(255), nullable=False),
    Column("project_id", PID, nullable=False),
    Column("user_id", PID, nullable=False),
    Column("policy", String(255), nullable=False),
    Column("rules", JSON, nullable=False),
    Column("created_at", TS, nullable=False),
)

server_group_members = Table(
    "compute_server_group_members",
    metadata,
    Column("group_uuid", UUID, primary_key=True),
    Column("instance_uuid", UUID, primary_key=True),
)
Index("ix_compute_server_group_members_instance", server_group_members.c.instance_uuid)

aggregates = Table(
    "compute_aggregates",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uuid", UUID, nullable=False, unique=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("metadata", JSON, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS),
)

aggregate_hosts = Table(
    "compute_aggregate_hosts",
    metadata,
    Column("aggregate_id", Integer, primary_key=True),
    Column("host", String(255), primary_key=True),
)

services = Table(
    "compute_services",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uuid", UUID, nullable=False, unique=True),
    Column("host", String(255), nullable=False),
    Column("binary", String(255), nullable=False),
    Column("topic", String(255)),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("disabled_reason", String(255)),
    Column("forced_down", Boolean, nullable=False, default=False),
    Column("last_seen_up", TS),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS),
    UniqueConstraint("host", "binary", name="uq_compute_services_host_binary"),
)

compute_nodes = Table(
    "compute_nodes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uuid", UUID, nullable=False, unique=True),
    Column("host", String(255), nullable=False, index=True),
    Column("hypervisor_hostname", String(255), nullable=False, unique=True),
    Column("vcpus", Integer, nullable=False),
    Column("memory_mb", Integer, nullable=False),
    Column("local_gb", Integer, nullable=False),
    Column("vcpus_used", Integer, nullable=False, default=0),
    Column("memory_mb_used", Integer, nullable=False, default=0),
    Column("local_gb_used", Integer, nullable=False, default=0),
    Column("running_vms", Integer, nullable=False, default=0),
    Column("hypervisor_type", String(255), nullable=False),
    Column("hypervisor_version", Integer, nullable=False),
    Column("host_ip", String(64)),
    Column("cpu_info", Text),
    Column("cpu_allocation_ratio", Float, nullable=False),
    Column("ram_allocation_ratio", Float, nullable=False),
    Column("disk_allocation_ratio", Float, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS),
)

quotas = Table(
    "compute_quotas",
    metadata,
    Column("project_id", PID, primary_key=True),
    Column("user_id", PID, primary_key=True),  # "" for the project-wide limit
    Column("resource", String(255), primary_key=True),
    Column("hard_limit", Integer, nullable=False),
)

quota_classes = Table(
    "compute_quota_classes",
    metadata,
    Column("class_name", String(255), primary_key=True),
    Column("resource", String(255), primary_key=True),
    Column("hard_limit", Integer, nullable=False),
)

migrations = Table(
    "compute_migrations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uuid", UUID, nullable=False, unique=True),
    Column("instance_uuid", UUID, nullable=False, index=True),
    Column("source_compute", String(255)),
    Column("dest_compute", String(255)),
    Column("source_node", String(255)),
    Column("dest_node", String(255)),
    Column("dest_host", String(255)),
    Column("old_flavor_id", String(255)),
    Column("new_flavor_id", String(255)),
    Column("status", String(255), nullable=False),
    Column("migration_type", String(255), nullable=False),
    Column("project_id", PID),
    Column("user_id", PID),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS),
)
