"""Glance's tables (SQLAlchemy Core).

Extra properties and tags live in JSON columns on the image row: listing filters and sorts in
Python after a SQL visibility query (an emulator holds hundreds of images, not millions), so
one row read gives the whole image view.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, DateTime, ForeignKey, Integer, String, Table, Text

from twinstack.core.db import metadata

images = Table(
    "image_images",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(255)),
    Column("status", String(30), nullable=False),
    Column("visibility", String(20), nullable=False),
    Column("disk_format", String(20)),
    Column("container_format", String(20)),
    Column("size", BigInteger),
    Column("virtual_size", BigInteger),
    Column("checksum", String(32)),
    Column("os_hash_algo", String(64)),
    Column("os_hash_value", String(128)),
    Column("min_disk", Integer, nullable=False, default=0),
    Column("min_ram", Integer, nullable=False, default=0),
    Column("protected", Boolean, nullable=False, default=False),
    Column("os_hidden", Boolean, nullable=False, default=False),
    Column("owner", String(255), index=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    # Extra (custom) properties: {name: string}
    Column("properties", JSON, nullable=False, default=dict),
    Column("tags", JSON, nullable=False, default=list),
    # Where the bytes are: "file" (the store) or None (no data yet); "staging" while staged.
    Column("location", String(20)),
)

members = Table(
    "image_members",
    metadata,
    Column("image_id", String(36), ForeignKey("image_images.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", String(255), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

tasks = Table(
    "image_tasks",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("image_id", String(36), index=True),
    Column("type", String(30), nullable=False),
    Column("status", String(30), nullable=False),
    Column("owner", String(255)),
    Column("user_id", String(255)),
    Column("request_id", String(255)),
    Column("input", JSON),
    Column("result", JSON),
    Column("message", Text, nullable=False, default=""),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("expires_at", DateTime),
)

# Metadata definitions: one row per namespace; its objects, properties, tags and resource type
# associations are small documents kept with it.
metadef_namespaces = Table(
    "image_metadef_namespaces",
    metadata,
    Column("namespace", String(80), primary_key=True),
    Column("display_name", String(80)),
    Column("description", Text),
    Column("visibility", String(32), nullable=False),
    Column("protected", Boolean, nullable=False, default=False),
    Column("owner", String(255)),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("objects", JSON, nullable=False, default=dict),
    Column("properties", JSON, nullable=False, default=dict),
    Column("tags", JSON, nullable=False, default=dict),
    Column("resource_types", JSON, nullable=False, default=list),
)
