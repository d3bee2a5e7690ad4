"""Neutron's tables (SQLAlchemy Core).

Every resource table has neutron's standard attributes as columns (``id``, ``project_id``,
``name``, ``description``, ``created_at``/``updated_at`` as neutron's ISO strings,
``revision_number``). Scalar attributes are columns named after the API attribute with ``:``
replaced by ``_`` (``router:external`` -> ``router_external``); list and dict attributes that
nothing queries are JSON columns. IP allocations are their own table with the unique
constraints that back IPAM up: one address per subnet, one MAC per network.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from twinstack.core.db import metadata

ID = String(36)
PROJECT = String(64)


def standard(*extra: Any) -> list[Any]:
    return [
        Column("id", ID, primary_key=True),
        Column("project_id", PROJECT, nullable=False, index=True),
        Column("name", String(255), nullable=False, default=""),
        Column("description", String(255), nullable=False, default=""),
        Column("created_at", String(32), nullable=False),
        Column("updated_at", String(32), nullable=False),
        Column("revision_number", Integer, nullable=False, default=0),
        *extra,
    ]


networks = Table(
    "network_networks",
    metadata,
    *standard(),
    Column("admin_state_up", Boolean, nullable=False, default=True),
    Column("status", String(16), nullable=False),
    Column("shared", Boolean, nullable=False, default=False),
    Column("router_external", Boolean, nullable=False, default=False),
    Column("is_default", Boolean, nullable=False, default=False),
    Column("mtu", Integer, nullable=False),
    Column("port_security_enabled", Boolean, nullable=False, default=True),
    Column("provider_network_type", String(32)),
    Column("provider_physical_network", String(64)),
    Column("provider_segmentation_id", Integer),
    Column("availability_zone_hints", JSON, nullable=False),
    Column("dns_domain", String(255), nullable=False, default=""),
)

subnetpools = Table(
    "network_subnetpools",
    metadata,
    *standard(),
    Column("ip_version", Integer, nullable=False),
    Column("prefixes", JSON, nullable=False),
    Column("default_prefixlen", Integer, nullable=False),
    Column("min_prefixlen", Integer, nullable=False),
    Column("max_prefixlen", Integer, nullable=False),
    Column("default_quota", Integer),
    Column("shared", Boolean, nullable=False, default=False),
    Column("is_default", Boolean, nullable=False, default=False),
    Column("address_scope_id", ID),
)

subnets = Table(
    "network_subnets",
    metadata,
    *standard(),
    Column("network_id", ID, ForeignKey("network_networks.id"), nullable=False, index=True),
    Column("ip_version", Integer, nullable=False),
    Column("cidr", String(64), nullable=False),
    Column("gateway_ip", String(64)),
    Column("enable_dhcp", Boolean, nullable=False, default=True),
    Column("ipv6_ra_mode", String(16)),
    Column("ipv6_address_mode", String(16)),
    Column("subnetpool_id", ID, ForeignKey("network_subnetpools.id")),
    Column("segment_id", ID),
    Column("allocation_pools", JSON, nullable=False),
    Column("host_routes", JSON, nullable=False),
    Column("dns_nameservers", JSON, nullable=False),
    Column("service_types", JSON, nullable=False),
    Column("dns_publish_fixed_ip", Boolean, nullable=False, default=False),
)

ports = Table(
    "network_ports",
    metadata,
    *standard(),
    Column("network_id", ID, ForeignKey("network_networks.id"), nullable=False, index=True),
    Column("mac_address", String(32), nullable=False),
    Column("admin_state_up", Boolean, nullable=False, default=True),
    Column("status", String(16), nullable=False),
    Column("device_id", String(255), nullable=False, default="", index=True),
    Column("device_owner", String(255), nullable=False, default=""),
    Column("port_security_enabled", Boolean, nullable=False, default=True),
    Column("binding_host_id", String(255), nullable=False, default=""),
    Column("binding_vif_type", String(64), nullable=False, default="unbound"),
    Column("binding_vnic_type", String(64), nullable=False, default="normal"),
    Column("binding_vif_details", JSON, nullable=False),
    Column("binding_profile", JSON, nullable=False),
    Column("allowed_address_pairs", JSON, nullable=False),
    Column("extra_dhcp_opts", JSON, nullable=False),
    Column("security_groups", JSON, nullable=False),
    Column("dns_name", String(255), nullable=False, default=""),
    Column("propagate_uplink_status", Boolean, nullable=False, default=False),
    # Internal (not an API attribute): the port was passed in by nova's user, so deallocating the
    # instance unbinds it instead of deleting it.
    Column("preserve_on_delete", Boolean, nullable=False, default=False),
    UniqueConstraint("network_id", "mac_address", name="uq_network_ports_network_id_mac"),
)

ip_allocations = Table(
    "network_ip_allocations",
    metadata,
    Column("subnet_id", ID, ForeignKey("network_subnets.id"), primary_key=True),
    Column("ip_address", String(64), primary_key=True),
    Column("network_id", ID, nullable=False),
    Column("port_id", ID, ForeignKey("network_ports.id", ondelete="CASCADE"), nullable=False, index=True),
)

routers = Table(
    "network_routers",
    metadata,
    *standard(),
    Column("admin_state_up", Boolean, nullable=False, default=True),
    Column("status", String(16), nullable=False),
    Column("gw_port_id", ID),
    Column("gw_network_id", ID),
    Column("enable_snat", Boolean, nullable=False, default=True),
    Column("routes", JSON, nullable=False),
    Column("distributed", Boolean, nullable=False, default=False),
    Column("ha", Boolean, nullable=False, default=False),
    Column("availability_zone_hints", JSON, nullable=False),
    Column("flavor_id", ID),
)

floatingips = Table(
    "network_floatingips",
    metadata,
    *standard(),
    Column("floating_network_id", ID, nullable=False),
    Column("floating_ip_address", String(64), nullable=False),
    Column("floating_port_id", ID, nullable=False),
    Column("port_id", ID, index=True),
    Column("fixed_ip_address", String(64)),
    Column("router_id", ID),
    Column("status", String(16), nullable=False),
)

security_groups = Table(
    "network_security_groups",
    metadata,
    *standard(),
    Column("stateful", Boolean, nullable=False, default=True),
    Column("shared", Boolean, nullable=False, default=False),
    Column("is_default", Boolean, nullable=False, default=False),
)

security_group_rules = Table(
    "network_security_group_rules",
    metadata,
    Column("id", ID, primary_key=True),
    Column("project_id", PROJECT, nullable=False, index=True),
    Column(
        "security_group_id",
        ID,
        ForeignKey("network_security_groups.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("direction", String(16), nullable=False),
    Column("ethertype", String(8), nullable=False),
    Column("protocol", String(40)),
    Column("port_range_min", Integer),
    Column("port_range_max", Integer),
    Column("remote_ip_prefix", String(64)),
    Column("remote_group_id", ID),
    Column("remote_address_group_id", ID),
    Column("normalized_cidr", String(64)),
    Column("description", String(255), nullable=False, default=""),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Column("revision_number", Integer, nullable=False, default=0),
)

address_scopes = Table(
    "network_address_scopes",
    metadata,
    *standard(),
    Column("ip_version", Integer, nullable=False),
    Column("shared", Boolean, nullable=False, default=False),
)

rbac_policies = Table(
    "network_rbac_policies",
    metadata,
    Column("id", ID, primary_key=True),
    Column("project_id", PROJECT, nullable=False, index=True),
    Column("object_type", String(32), nullable=False),
    Column("object_id", ID, nullable=False, index=True),
    Column("action", String(32), nullable=False),
    Column("target_tenant", PROJECT, nullable=False),
    UniqueConstraint("object_type", "object_id", "action", "target_tenant", name="uq_network_rbac_target"),
)

tags = Table(
    "network_tags",
    metadata,
    Column("resource_id", ID, primary_key=True),
    Column("tag", String(255), primary_key=True),
)

quotas = Table(
    "network_quotas",
    metadata,
    Column("project_id", PROJECT, primary_key=True),
    Column("resource", String(64), primary_key=True),
    Column("hard_limit", Integer, nullable=False),
)

trunks = Table(
    "network_trunks",
    metadata,
    *standard(),
    Column("admin_state_up", Boolean, nullable=False, default=True),
    Column("status", String(16), nullable=False),
    Column("port_id", ID, ForeignKey("network_ports.id"), nullable=False, unique=True),
)

subports = Table(
    "network_trunk_subports",
    metadata,
    Column("port_id", ID, ForeignKey("network_ports.id"), primary_key=True),
    Column("trunk_id", ID, ForeignKey("network_trunks.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("segmentation_type", String(32), nullable=False),
    Column("segmentation_id", Integer, nullable=False),
    UniqueConstraint(
        "trunk_id", "segmentation_type", "segmentation_id", name="uq_network_trunk_subports_seg"
    ),
)

Index("ix_network_ports_device_owner", ports.c.device_owner)
Index(
    "ix_network_floatingips_net_ip",
    floatingips.c.floating_network_id,
    floatingips.c.floating_ip_address,
    unique=True,
)
