"""Placement's tables (SQLAlchemy Core).

The database is the record; ``state.PlacementState`` keeps the working copy in memory (written
through on every change) so that allocation candidates never scan tables.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, ForeignKey, Index, Integer, String, Table

from twinstack.core.db import metadata

UUID = String(36)

providers = Table(
    "placement_resource_providers",
    metadata,
    Column("uuid", UUID, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("generation", Integer, nullable=False, default=0),
    Column("parent_provider_uuid", UUID),
    Column("root_provider_uuid", UUID, nullable=False),
    Column("created_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True)),
)

inventories = Table(
    "placement_inventories",
    metadata,
    Column(
        "provider_uuid",
        UUID,
        ForeignKey("placement_resource_providers.uuid", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("resource_class", String(255), primary_key=True),
    Column("total", Integer, nullable=False),
    Column("reserved", Integer, nullable=False, default=0),
    Column("min_unit", Integer, nullable=False, default=1),
    Column("max_unit", Integer, nullable=False),
    Column("step_size", Integer, nullable=False, default=1),
    Column("allocation_ratio", Float, nullable=False, default=1.0),
)

consumers = Table(
    "placement_consumers",
    metadata,
    Column("uuid", UUID, primary_key=True),
    Column("project_id", String(255), nullable=False),
    Column("user_id", String(255), nullable=False),
    Column("generation", Integer, nullable=False, default=0),
    Column("consumer_type", String(255)),
    Column("created_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True)),
)

allocations = Table(
    "placement_allocations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("consumer_uuid", UUID, nullable=False, index=True),
    Column("provider_uuid", UUID, nullable=False, index=True),
    Column("resource_class", String(255), nullable=False),
    Column("used", Integer, nullable=False),
)

traits = Table(
    "placement_custom_traits",
    metadata,
    Column("name", String(255), primary_key=True),
    Column("created_at", DateTime(timezone=True)),
)

provider_traits = Table(
    "placement_provider_traits",
    metadata,
    Column(
        "provider_uuid",
        UUID,
        ForeignKey("placement_resource_providers.uuid", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("trait", String(255), primary_key=True),
)

provider_aggregates = Table(
    "placement_provider_aggregates",
    metadata,
    Column(
        "provider_uuid",
        UUID,
        ForeignKey("placement_resource_providers.uuid", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("aggregate_uuid", UUID, primary_key=True),
)

resource_classes = Table(
    "placement_custom_resource_classes",
    metadata,
    Column("name", String(255), primary_key=True),
    Column("created_at", DateTime(timezone=True)),
)

Index("ix_placement_aggregates_agg", provider_aggregates.c.aggregate_uuid)
