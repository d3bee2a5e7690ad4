"""Every neutron resource twinstack serves, declared once (neutron-lib's attribute maps)."""

from __future__ import annotations

from twinstack.services.network import models as m
from twinstack.services.network import validators as v
from twinstack.services.network.resource import REQUIRED, Attr, Resource, standard_attrs

A = Attr
BOOL = {"convert": v.to_boolean}


def _none_or(convert: v.Converter) -> v.Converter:
    return lambda value: None if value is None else convert(value)


NETWORK = Resource(
    "network",
    "networks",
    m.networks,
    [
        *standard_attrs(),
        A("admin_state_up", post=True, put=True, default=True, **BOOL),
        A("status"),
        A("subnets", column=None, sort=False),
        A("shared", post=True, put=True, default=False, set_by="admin", **BOOL),
        A("router:external", post=True, put=True, default=False, set_by="admin", **BOOL),
        A("is_default", post=True, put=True, default=False, set_by="admin", **BOOL),
        A("mtu", post=True, put=True, default=1442, convert=v.to_int, validate=v.range_of(68, 9000)),
        A("port_security_enabled", post=True, put=True, default=True, **BOOL),
        A(
            "provider:network_type",
            post=True,
            default=None,
            set_by="admin",
            admin_view=True,
            validate=v.string_or_none(32),
        ),
        A(
            "provider:physical_network",
            post=True,
            default=None,
            set_by="admin",
            admin_view=True,
            validate=v.string_or_none(64),
        ),
        A(
            "provider:segmentation_id",
            post=True,
            default=None,
            set_by="admin",
            admin_view=True,
            convert=_none_or(v.to_int),
        ),
        A(
            "availability_zone_hints",
            post=True,
            default=list,
            validate=v.list_of_strings(255),
            sort=False,
            filter=False,
        ),
        A("availability_zones", column=None, sort=False, filter=False),
        A("ipv4_address_scope", column=None, sort=False, filter=False),
        A("ipv6_address_scope", column=None, sort=False, filter=False),
        A("dns_domain", post=True, put=True, default="", validate=v.string(255)),
        A("l2_adjacency", column=None, sort=False, filter=False),
        A("qos_policy_id", column=None, sort=False, filter=False),
    ],
)

SUBNET = Resource(
    "subnet",
    "subnets",
    m.subnets,
    [
        *standard_attrs(),
        A("network_id", post=True, default=REQUIRED, validate=v.uuid_value),
        A("ip_version", post=True, default=REQUIRED, convert=v.to_int, validate=v.values(4, 6)),
        A("cidr", post=True, default=None, validate=v.subnet_cidr_or_none),
        A(
            "prefixlen",
            post=True,
            default=None,
            convert=_none_or(v.to_int),
            visible=False,
            column=None,
            filter=False,
            sort=False,
        ),
        A("subnetpool_id", post=True, default=None, validate=v.uuid_or_none),
        A(
            "use_default_subnetpool",
            post=True,
            default=False,
            visible=False,
            column=None,
            filter=False,
            sort=False,
            **BOOL,
        ),
        A("gateway_ip", post=True, put=True, default="auto", validate=None),
        A("allocation_pools", post=True, put=True, default=None, validate=None, sort=False, filter=False),
        A("dns_nameservers", post=True, put=True, default=list, validate=v.nameservers, sort=False),
        A("host_routes", post=True, put=True, default=list, validate=v.hostroutes, sort=False, filter=False),
        A("enable_dhcp", post=True, put=True, default=True, **BOOL),
        A(
            "ipv6_ra_mode",
            post=True,
            default=None,
            validate=lambda x: (
                None if x is None else v.values("dhcpv6-stateful", "dhcpv6-stateless", "slaac")(x)
            ),
        ),
        A(
            "ipv6_address_mode",
            post=True,
            default=None,
            validate=lambda x: (
                None if x is None else v.values("dhcpv6-stateful", "dhcpv6-stateless", "slaac")(x)
            ),
        ),
        A("segment_id", post=True, put=True, default=None, validate=v.uuid_or_none),
        A(
            "service_types",
            post=True,
            put=True,
            default=list,
            validate=v.list_of_strings(255),
            sort=False,
            filter=False,
        ),
        A("dns_publish_fixed_ip", post=True, put=True, default=False, **BOOL),
    ],
)

SUBNETPOOL = Resource(
    "subnetpool",
    "subnetpools",
    m.subnetpools,
    [
        *standard_attrs(),
        A(
            "prefixes",
            post=True,
            put=True,
            default=REQUIRED,
            sort=False,
            filter=False,
            validate=lambda x: v.list_of_strings(64)(x) or next(filter(None, map(v.subnet_cidr, x)), None),
        ),
        A("default_quota", post=True, put=True, default=None, convert=_none_or(v.to_int)),
        A("ip_version", column="ip_version"),
        A("default_prefixlen", post=True, put=True, default=None, convert=_none_or(v.to_int)),
        A("min_prefixlen", post=True, put=True, default=None, convert=_none_or(v.to_int)),
        A("max_prefixlen", post=True, put=True, default=None, convert=_none_or(v.to_int)),
        A("shared", post=True, default=False, set_by="admin", **BOOL),
        A("is_default", post=True, put=True, default=False, set_by="admin", **BOOL),
        A("address_scope_id", post=True, put=True, default=None, validate=v.uuid_or_none),
    ],
)

PORT = Resource(
    "port",
    "ports",
    m.ports,
    [
        *standard_attrs(),
        A("network_id", post=True, default=REQUIRED, validate=v.uuid_value),
        A("admin_state_up", post=True, put=True, default=True, **BOOL),
        A(
            "mac_address",
            post=True,
            put=True,
            default=None,
            validate=lambda x: None if x is None else v.mac_address(x),
            set_by="network_owner",
        ),
        A(
            "fixed_ips",
            post=True,
            put=True,
            default=None,
            validate=lambda x: None if x is None else v.fixed_ips(x),
            column=None,
            sort=False,
        ),
        A("device_id", post=True, put=True, default="", validate=v.string(255)),
        A("device_owner", post=True, put=True, default="", validate=v.string(255)),
        A("status"),
        A("port_security_enabled", post=True, put=True, default=None, convert=_none_or(v.to_boolean)),
        A(
            "security_groups",
            post=True,
            put=True,
            default=None,
            sort=False,
            validate=lambda x: None if x is None else v.uuid_list(x),
        ),
        A(
            "allowed_address_pairs",
            post=True,
            put=True,
            default=list,
            validate=v.address_pairs,
            sort=False,
            filter=False,
        ),
        A("extra_dhcp_opts", post=True, put=True, default=list, sort=False, filter=False),
        A(
            "binding:host_id",
            post=True,
            put=True,
            default="",
            validate=v.string(255),
            set_by="admin",
            admin_view=True,
        ),
        A(
            "binding:vnic_type",
            post=True,
            put=True,
            default="normal",
            validate=v.values(
                "normal",
                "direct",
                "macvtap",
                "baremetal",
                "direct-physical",
                "virtio-forwarder",
                "smart-nic",
                "remote-managed",
                "vdpa",
            ),
        ),
        A(
            "binding:profile",
            post=True,
            put=True,
            default=dict,
            validate=v.dict_or_empty,
            set_by="admin",
            admin_view=True,
            sort=False,
            filter=False,
        ),
        A("binding:vif_type", admin_view=True),
        A("binding:vif_details", admin_view=True, sort=False, filter=False),
        A("dns_name", post=True, put=True, default="", validate=v.string(255)),
        A("dns_assignment", column=None, sort=False, filter=False),
        A("propagate_uplink_status", post=True, put=True, default=False, **BOOL),
        A("qos_policy_id", column=None, sort=False, filter=False),
        A("qos_network_policy_id", column=None, sort=False, filter=False),
        A("resource_request", column=None, sort=False, filter=False),
        A("ip_allocation", column=None, sort=False, filter=False),
    ],
)

ROUTER = Resource(
    "router",
    "routers",
    m.routers,
    [
        *standard_attrs(),
        A("admin_state_up", post=True, put=True, default=True, **BOOL),
        A("status"),
        A("external_gateway_info", post=True, put=True, default=None, column=None, sort=False, filter=False),
        A("routes", put=True, sort=False, filter=False),
        A("distributed", post=True, put=True, default=False, set_by="admin", admin_view=True, **BOOL),
        A("ha", post=True, put=True, default=False, set_by="admin", admin_view=True, **BOOL),
        A(
            "availability_zone_hints",
            post=True,
            default=list,
            validate=v.list_of_strings(255),
            sort=False,
            filter=False,
        ),
        A("availability_zones", column=None, sort=False, filter=False),
        A("flavor_id", post=True, default=None, validate=v.uuid_or_none),
        A("enable_ndp_proxy", column=None, sort=False, filter=False),
    ],
)

FLOATINGIP = Resource(
    "floatingip",
    "floatingips",
    m.floatingips,
    [
        *standard_attrs(name=False),
        A("floating_network_id", post=True, default=REQUIRED, validate=v.uuid_value),
        A("floating_ip_address", post=True, default=None, validate=v.ip_address_or_none, set_by="admin"),
        A(
            "subnet_id",
            post=True,
            default=None,
            validate=v.uuid_or_none,
            visible=False,
            column=None,
            filter=False,
            sort=False,
        ),
        A("port_id", post=True, put=True, default=None, validate=v.uuid_or_none),
        A("fixed_ip_address", post=True, put=True, default=None, validate=v.ip_address_or_none),
        A("router_id"),
        A("status"),
        A("floating_port_id", visible=False),
        A("port_details", column=None, sort=False, filter=False),
        A("port_forwardings", column=None, sort=False, filter=False),
        A("dns_domain", column=None, sort=False, filter=False),
        A("dns_name", column=None, sort=False, filter=False),
        A("qos_policy_id", column=None, sort=False, filter=False),
    ],
)

SECURITY_GROUP = Resource(
    "security_group",
    "security_groups",
    m.security_groups,
    [
        *standard_attrs(),
        A("security_group_rules", column=None, sort=False, filter=False),
        A("stateful", post=True, put=True, default=True, **BOOL),
        A("shared", column=None, sort=False, filter=False),
    ],
)

SECURITY_GROUP_RULE = Resource(
    "security_group_rule",
    "security_group_rules",
    m.security_group_rules,
    [
        *[a for a in standard_attrs(name=False, taggable=False) if a.name != "description"],
        A("description", post=True, put=True, default="", validate=v.string(255)),
        A("security_group_id", post=True, default=REQUIRED, validate=v.uuid_value),
        A("direction", post=True, default=REQUIRED, validate=v.values("ingress", "egress")),
        A("ethertype", post=True, default="IPv4", validate=v.values("IPv4", "IPv6")),
        A("protocol", post=True, default=None, convert=v.to_protocol),
        A("port_range_min", post=True, default=None, convert=_none_or(v.to_int)),
        A("port_range_max", post=True, default=None, convert=_none_or(v.to_int)),
        A("remote_ip_prefix", post=True, default=None, validate=v.ip_or_subnet_or_none),
        A("remote_group_id", post=True, default=None, validate=v.string_or_none(255)),
        A("remote_address_group_id", post=True, default=None, validate=v.uuid_or_none),
        A("normalized_cidr"),
        A("belongs_to_default_sg", column=None, sort=False, filter=False),
    ],
    taggable=False,
)

ADDRESS_SCOPE = Resource(
    "address_scope",
    "address_scopes",
    m.address_scopes,
    [
        *standard_attrs(),
        A("ip_version", post=True, default=REQUIRED, convert=v.to_int, validate=v.values(4, 6)),
        A("shared", post=True, put=True, default=False, set_by="admin", **BOOL),
    ],
)

RBAC_POLICY = Resource(
    "rbac_policy",
    "rbac_policies",
    m.rbac_policies,
    [
        *[
            a
            for a in standard_attrs(name=False, taggable=False)
            if a.name not in ("description", "created_at", "updated_at", "revision_number")
        ],
        A(
            "object_type",
            post=True,
            default=REQUIRED,
            validate=v.values(
                "network", "qos_policy", "security_group", "address_scope", "subnetpool", "address_group"
            ),
        ),
        A("object_id", post=True, default=REQUIRED, validate=v.uuid_value),
        A("action", post=True, default=REQUIRED, validate=v.values("access_as_shared", "access_as_external")),
        A("target_tenant", post=True, put=True, default=REQUIRED, validate=v.string(255)),
        A(
            "target_project",
            post=True,
            put=True,
            default=None,
            validate=v.string_or_none(255),
            column=None,
            visible=False,
            filter=False,
            sort=False,
        ),
    ],
    taggable=False,
)

TRUNK = Resource(
    "trunk",
    "trunks",
    m.trunks,
    [
        *standard_attrs(),
        A("admin_state_up", post=True, put=True, default=True, **BOOL),
        A("status"),
        A("port_id", post=True, default=REQUIRED, validate=v.uuid_value),
        A("sub_ports", post=True, default=list, validate=v.sub_ports, column=None, sort=False, filter=False),
    ],
)

RESOURCES = {
    r.collection: r
    for r in (
        NETWORK,
        SUBNET,
        SUBNETPOOL,
        PORT,
        ROUTER,
        FLOATINGIP,
        SECURITY_GROUP,
        SECURITY_GROUP_RULE,
        ADDRESS_SCOPE,
        RBAC_POLICY,
        TRUNK,
    )
}
