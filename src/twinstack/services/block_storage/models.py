"""Cinder's tables (SQLAlchemy Core). Deleted rows are removed (a deleted volume is 404).

Free-form maps (metadata, image metadata, extra specs, connectors) are JSON columns.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, Index, Integer, String, Table, Text

from twinstack.core.db import metadata

ID = String(36)
PROJECT = String(64)

volumes = Table(
    "block_storage_volumes",
    metadata,
    Column("id", ID, primary_key=True),
    Column("project_id", PROJECT, nullable=False),
    Column("user_id", PROJECT),
    Column("name", String(255)),
    Column("description", String(255)),
    Column("size", Integer, nullable=False),
    Column("status", String(32), nullable=False),
    Column("previous_status", String(32)),
    Column("attach_status", String(32), nullable=False, default="detached"),
    Column("availability_zone", String(255)),
    # host@backend#pool once scheduled
    Column("host", String(255)),
    Column("volume_type_id", ID),
    Column("snapshot_id", ID),
    Column("source_volid", ID),
    Column("backup_id", ID),
    Column("image_id", ID),
    Column("bootable", Boolean, nullable=False, default=False),
    Column("multiattach", Boolean, nullable=False, default=False),
    Column("readonly", Boolean, nullable=False, default=False),
    Column("metadata", JSON, nullable=False, default=dict),
    Column("image_metadata", JSON),
    Column("migration_status", String(255)),
    Column("replication_status", String(255)),
    Column("provider_location", String(255)),
    Column("consumes_quota", Boolean, nullable=False, default=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime),
    Column("launched_at", DateTime),
    Index("ix_block_storage_volumes_project_id", "project_id"),
    Index("ix_block_storage_volumes_host", "host"),
)

volume_types = Table(
    "block_storage_volume_types",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("description", String(255)),
    Column("is_public", Boolean, nullable=False, default=True),
    Column("extra_specs", JSON, nullable=False, default=dict),
    Column("qos_specs_id", ID),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime),
)

type_access = Table(
    "block_storage_type_access",
    metadata,
    Column("volume_type_id", ID, primary_key=True),
    Column("project_id", PROJECT, primary_key=True),
)

qos_specs = Table(
    "block_storage_qos_specs",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("consumer", String(32), nullable=False, default="back-end"),
    Column("specs", JSON, nullable=False, default=dict),
    Column("created_at", DateTime, nullable=False),
)

snapshots = Table(
    "block_storage_snapshots",
    metadata,
    Column("id", ID, primary_key=True),
    Column("project_id", PROJECT, nullable=False),
    Column("user_id", PROJECT),
    Column("volume_id", ID, nullable=False),
    Column("name", String(255)),
    Column("description", String(255)),
    Column("size", Integer, nullable=False),
    Column("status", String(32), nullable=False),
    Column("progress", String(16), nullable=False, default="0%"),
    Column("volume_type_id", ID),
    Column("metadata", JSON, nullable=False, default=dict),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime),
    Index("ix_block_storage_snapshots_volume_id", "volume_id"),
    Index("ix_block_storage_snapshots_project_id", "project_id"),
)

backups = Table(
    "block_storage_backups",
    metadata,
    Column("id", ID, primary_key=True),
    Column("project_id", PROJECT, nullable=False),
    Column("user_id", PROJECT),
    Column("volume_id", ID, nullable=False),
    Column("snapshot_id", ID),
    Column("parent_id", ID),
    Column("name", String(255)),
    Column("description", String(255)),
    Column("size", Integer, nullable=False),
    Column("status", String(32), nullable=False),
    Column("fail_reason", String(255)),
    Column("availability_zone", String(255)),
    Column("container", String(255)),
    Column("object_count", Integer, nullable=False, default=0),
    Column("is_incremental", Boolean, nullable=False, default=False),
    Column("metadata", JSON, nullable=False, default=dict),
    # the fake store: what the volume looked like (size, type, bytes file if any)
    Column("data_ref", Text),
    Column("data_timestamp", DateTime),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime),
    Index("ix_block_storage_backups_project_id", "project_id"),
)

transfers = Table(
    "block_storage_transfers",
    metadata,
    Column("id", ID, primary_key=True),
    Column("volume_id", ID, nullable=False),
    Column("source_project_id", PROJECT, nullable=False),
    Column("destination_project_id", PROJECT),
    Column("name", String(255)),
    Column("salt", String(255), nullable=False),
    Column("crypt_hash", String(255), nullable=False),
    Column("accepted", Boolean, nullable=False, default=False),
    Column("no_snapshots", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
)

attachments = Table(
    "block_storage_attachments",
    metadata,
    Column("id", ID, primary_key=True),
    Column("volume_id", ID, nullable=False),
    Column("project_id", PROJECT, nullable=False),
    Column("instance_uuid", ID),
    Column("attached_host", String(255)),
    Column("mountpoint", String(255)),
    Column("attach_mode", String(8)),
    Column("attach_status", String(32), nullable=False),
    Column("connector", JSON),
    Column("connection_info", JSON),
    Column("attach_time", DateTime),
    Column("detach_time", DateTime),
    Column("created_at", DateTime, nullable=False),
    Index("ix_block_storage_attachments_volume_id", "volume_id"),
)

quotas = Table(
    "block_storage_quotas",
    metadata,
    Column("project_id", PROJECT, primary_key=True),
    Column("resource", String(255), primary_key=True),
    Column("hard_limit", Integer, nullable=False),
)

quota_classes = Table(
    "block_storage_quota_classes",
    metadata,
    Column("class_name", String(255), primary_key=True),
    Column("resource", String(255), primary_key=True),
    Column("hard_limit", Integer, nullable=False),
)

services = Table(
    "block_storage_services",
    metadata,
    Column("binary", String(64), primary_key=True),
    Column("host", String(255), primary_key=True),
    Column("availability_zone", String(255), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("disabled_reason", String(255)),
    Column("frozen", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime),
)
