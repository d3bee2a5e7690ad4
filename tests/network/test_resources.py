"""Networks, subnets, ports, routers, floating IPs and security groups through openstacksdk."""

from __future__ import annotations

from typing import Any

NETWORK_KEYS = {
    "admin_state_up",
    "availability_zone_hints",
    "availability_zones",
    "created_at",
    "description",
    "dns_domain",
    "id",
    "ipv4_address_scope",
    "ipv6_address_scope",
    "is_default",
    "l2_adjacency",
    "mtu",
    "name",
    "port_security_enabled",
    "project_id",
    "qos_policy_id",
    "revision_number",
    "router:external",
    "shared",
    "status",
    "subnets",
    "tags",
    "tenant_id",
    "updated_at",
}
PORT_KEYS = {
    "admin_state_up",
    "allowed_address_pairs",
    "binding:vnic_type",
    "created_at",
    "description",
    "device_id",
    "device_owner",
    "extra_dhcp_opts",
    "fixed_ips",
    "id",
    "mac_address",
    "name",
    "network_id",
    "port_security_enabled",
    "project_id",
    "revision_number",
    "security_groups",
    "status",
    "tags",
    "tenant_id",
    "updated_at",
}


def test_seeded_topology(admin: Any, demo: Any, fault: Any) -> None:
    public = admin.network.find_network("public")
    assert public.is_router_external and not public.is_shared and public.provider_network_type == "flat"
    (subnet,) = [admin.network.get_subnet(s) for s in public.subnet_ids]
    assert subnet.name == "public-subnet" and subnet.cidr == "172.24.4.0/24"
    private = demo.network.find_network("private")
    assert private.is_shared and [demo.network.get_subnet(s).cidr for s in private.subnet_ids] == [
        "10.0.0.0/26"
    ]
    router = demo.network.find_router("router1")
    assert router.external_gateway_info["network_id"] == public.id
    # A member sees the external network but not its provider details.
    seen = demo.network.find_network("public")
    assert seen.is_router_external and seen.provider_network_type is None
    # ...and not its subnet: external is not shared (tempest's test_external_network_visibility).
    assert subnet.id not in [s.id for s in demo.network.subnets()]


def test_network_views_and_updates(api: Any, demo_api: Any, uniq: Any, fault: Any) -> None:
    r = demo_api.post("/networks", {"network": {"name": uniq("n"), "description": "d"}})
    assert r.status_code == 201
    net = r.json()["network"]
    assert set(net) == NETWORK_KEYS
    assert net["mtu"] == 1442 and net["revision_number"] == 0 and net["project_id"] == net["tenant_id"]
    assert net["created_at"].endswith("Z") and net["availability_zones"] == ["nova"]
    admin_view = api.get(f"/networks/{net['id']}").json()["network"]
    assert admin_view["provider:network_type"] == "geneve" and admin_view["provider:segmentation_id"] >= 1
    r = demo_api.put(f"/networks/{net['id']}", {"network": {"name": "renamed", "mtu": 1400}})
    assert r.status_code == 200 and r.json()["network"]["revision_number"] == 1
    assert r.json()["network"]["mtu"] == 1400
    # Admin-only attributes: neutron's policy answers 403.
    fault(demo_api.put(f"/networks/{net['id']}", {"network": {"shared": True}}), 403, "PolicyNotAuthorized")
    fault(
        demo_api.post("/networks", {"network": {"provider:network_type": "vlan"}}), 403, "PolicyNotAuthorized"
    )
    assert demo_api.delete(f"/networks/{net['id']}").status_code == 204
    fault(demo_api.get(f"/networks/{net['id']}"), 404, "NetworkNotFound")


def test_project_isolation(api: Any, demo_api: Any, uniq: Any, fault: Any) -> None:
    net = api.post("/networks", {"network": {"name": uniq("adminonly")}}).json()["network"]
    fault(demo_api.get(f"/networks/{net['id']}"), 404, "NetworkNotFound")
    fault(demo_api.delete(f"/networks/{net['id']}"), 404, "NetworkNotFound")
    assert net["id"] not in [n["id"] for n in demo_api.get("/networks").json()["networks"]]
    port = api.post("/ports", {"port": {"network_id": net["id"]}}).json()["port"]
    fault(demo_api.get(f"/ports/{port['id']}"), 404, "PortNotFound")
    fault(demo_api.post("/ports", {"port": {"network_id": net["id"]}}), 404, "NetworkNotFound")
    api.delete(f"/ports/{port['id']}")
    api.delete(f"/networks/{net['id']}")


def test_filters_sorting_pagination_fields(demo_api: Any, uniq: Any, fault: Any) -> None:
    prefix = uniq("page")
    ids = [
        demo_api.post(
            "/networks", {"network": {"name": f"{prefix}-{i}", "admin_state_up": i % 2 == 0}}
        ).json()["network"]["id"]
        for i in range(5)
    ]
    names = [f"{prefix}-{i}" for i in range(5)]
    r = demo_api.get("/networks", params=[("name", names[1]), ("name", names[3])])
    assert sorted(n["name"] for n in r.json()["networks"]) == [names[1], names[3]]
    r = demo_api.get("/networks", params={"admin_state_up": "false", "fields": "name"})
    mine = [n for n in r.json()["networks"] if n["name"].startswith(prefix)]
    assert sorted(n["name"] for n in mine) == [names[1], names[3]] and all(set(n) == {"name"} for n in mine)
    r = demo_api.get("/networks", params={"sort_key": "name", "sort_dir": "desc", "limit": 2})
    body = r.json()
    assert len(body["networks"]) == 2 and body["networks"][0]["name"] >= body["networks"][1]["name"]
    assert [link["rel"] for link in body["networks_links"]] == ["next", "previous"]
    # Follow the next links to the end: every network once, in order.
    seen, url = [], "/networks?sort_key=name&sort_dir=asc&limit=2"
    while url:
        page = demo_api.get(url).json()
        seen += [n["name"] for n in page["networks"]]
        nxt = [link["href"] for link in page.get("networks_links", []) if link["rel"] == "next"]
        url = nxt[0].split("/v2.0", 1)[1] if nxt else ""
    assert seen == sorted(seen) and [n for n in seen if n.startswith(prefix)] == names
    fault(demo_api.get("/networks", params={"flavor": "x"}), 400, "HTTPBadRequest")
    err = fault(
        demo_api.get("/networks", params={"sort_key": "subnets", "sort_dir": "asc"}), 400, "HTTPBadRequest"
    )
    assert err["message"] == "['subnets'] is invalid attribute for sort_keys"
    for net_id in ids:
        demo_api.delete(f"/networks/{net_id}")


def test_subnet_v4_v6_and_pools(demo: Any, uniq: Any) -> None:
    net = demo.network.create_network(name=uniq("dual"))
    v4 = demo.network.create_subnet(
        network_id=net.id,
        ip_version=4,
        cidr="192.168.10.0/24",
        gateway_ip="192.168.10.254",
        allocation_pools=[{"start": "192.168.10.10", "end": "192.168.10.20"}],
        dns_nameservers=["8.8.8.8"],
        host_routes=[{"destination": "10.9.0.0/16", "nexthop": "192.168.10.5"}],
    )
    assert v4.gateway_ip == "192.168.10.254" and v4.is_dhcp_enabled
    assert v4.dns_nameservers == ["8.8.8.8"] and v4.host_routes[0]["nexthop"] == "192.168.10.5"
    slaac = demo.network.create_subnet(
        network_id=net.id, ip_version=6, cidr="fd00:1::/64", ipv6_ra_mode="slaac", ipv6_address_mode="slaac"
    )
    assert slaac.gateway_ip == "fd00:1::1"
    assert slaac.allocation_pools == [{"start": "fd00:1::2", "end": "fd00:1::ffff:ffff:ffff:ffff"}]
    port = demo.network.create_port(network_id=net.id)
    by_subnet = {f["subnet_id"]: f["ip_address"] for f in port.fixed_ips}
    assert by_subnet[v4.id] == "192.168.10.10"
    mac = [int(x, 16) for x in port.mac_address.split(":")]
    eui = f"fd00:1::{(mac[0] ^ 2):x}{mac[1]:02x}:{mac[2]:x}ff:fe{mac[3]:02x}:{mac[4]:x}{mac[5]:02x}"
    assert by_subnet[slaac.id] == str(__import__("ipaddress").ip_address(eui))
    demo.network.delete_port(port)
    demo.network.delete_network(net)


def test_subnetpool_prefix_allocation(demo: Any, uniq: Any) -> None:
    pool = demo.network.create_subnet_pool(
        name=uniq("pool"), prefixes=["10.200.0.0/16"], default_prefixlen=24
    )
    assert pool.minimum_prefix_length == 8 and pool.maximum_prefix_length == 32 and pool.ip_version == 4
    net = demo.network.create_network(name=uniq("pooled"))
    first = demo.network.create_subnet(network_id=net.id, ip_version=4, subnetpool_id=pool.id)
    second = demo.network.create_subnet(network_id=net.id, ip_version=4, subnetpool_id=pool.id, prefixlen=26)
    assert first.cidr == "10.200.0.0/24" and second.cidr == "10.200.1.0/26"
    demo.network.delete_network(net)
    demo.network.delete_subnet_pool(pool)


def test_port_features(demo: Any, demo_api: Any, uniq: Any, fault: Any) -> None:
    net = demo.network.create_network(name=uniq("pnet"))
    sub = demo.network.create_subnet(network_id=net.id, ip_version=4, cidr="10.77.0.0/28")
    r = demo_api.post(
        "/ports",
        {
            "port": {
                "network_id": net.id,
                "fixed_ips": [{"ip_address": "10.77.0.9"}],
                "allowed_address_pairs": [{"ip_address": "10.77.0.100/32"}],
            }
        },
    )
    assert r.status_code == 201
    port = r.json()["port"]
    assert set(port) >= PORT_KEYS and "binding:host_id" not in port  # binding details are admin-only
    assert port["fixed_ips"] == [{"subnet_id": sub.id, "ip_address": "10.77.0.9"}]
    assert port["allowed_address_pairs"] == [
        {"ip_address": "10.77.0.100/32", "mac_address": port["mac_address"]}
    ]
    fault(
        demo_api.post("/ports", {"port": {"network_id": net.id, "fixed_ips": [{"ip_address": "10.77.0.9"}]}}),
        409,
        "IpAddressAlreadyAllocated",
    )
    fault(
        demo_api.post("/ports", {"port": {"network_id": net.id, "binding:host_id": "h1"}}),
        403,
        "PolicyNotAuthorized",
    )
    r = demo_api.put(f"/ports/{port['id']}", {"port": {"fixed_ips": [{"subnet_id": sub.id}], "name": "x"}})
    assert r.status_code == 200 and r.json()["port"]["fixed_ips"][0]["ip_address"] != "10.77.0.9"
    r = demo_api.put(
        f"/ports/{port['id']}",
        {"port": {"port_security_enabled": False, "security_groups": [], "allowed_address_pairs": []}},
    )
    assert r.json()["port"]["port_security_enabled"] is False and r.json()["port"]["security_groups"] == []
    # Filters on fixed IPs (and the ip-substring extension).
    address = r.json()["port"]["fixed_ips"][0]["ip_address"]
    found = demo_api.get("/ports", params={"fixed_ips": f"ip_address={address}"}).json()["ports"]
    assert [p["id"] for p in found] == [port["id"]]
    found = demo_api.get("/ports", params={"fixed_ips": "ip_address_substr=10.77.0.", "network_id": net.id})
    assert [p["id"] for p in found.json()["ports"]] == [port["id"]]
    fault(demo_api.delete(f"/networks/{net.id}"), 409, "NetworkInUse")
    fault(demo_api.delete(f"/subnets/{sub.id}"), 409, "SubnetInUse")
    demo.network.delete_port(port["id"])
    demo.network.delete_network(net)


def test_binding_moves_port_to_active(admin: Any, uniq: Any) -> None:
    net = admin.network.create_network(name=uniq("bind"))
    admin.network.create_subnet(network_id=net.id, ip_version=4, cidr="10.78.0.0/24")
    port = admin.network.create_port(network_id=net.id)
    assert port.status == "DOWN" and port.binding_vif_type == "unbound"
    port = admin.network.update_port(port, binding_host_id="compute1", device_owner="compute:nova")
    assert port.status == "ACTIVE" and port.binding_vif_type == "ovs" and port.binding_host_id == "compute1"
    admin.network.delete_port(port)
    admin.network.delete_network(net)


def test_routers_and_floating_ips(demo: Any, demo_api: Any, uniq: Any, fault: Any) -> None:
    public = demo.network.find_network("public")
    net = demo.network.create_network(name=uniq("rnet"))
    sub = demo.network.create_subnet(network_id=net.id, ip_version=4, cidr="10.79.0.0/24")
    port = demo.network.create_port(network_id=net.id)
    fip = demo.network.create_ip(floating_network_id=public.id)
    # No router between the subnet and public yet.
    err = fault(
        demo_api.put(f"/floatingips/{fip.id}", {"floatingip": {"port_id": port.id}}),
        404,
        "ExternalGatewayForFloatingIPNotFound",
    )
    assert "is not reachable from subnet" in err["message"]
    router = demo.network.create_router(name=uniq("r"), external_gateway_info={"network_id": public.id})
    info = demo.network.add_interface_to_router(router, subnet_id=sub.id)
    assert info["subnet_id"] == sub.id and info["network_id"] == net.id
    interface = demo.network.get_port(info["port_id"])
    assert (
        interface.device_owner == "network:router_interface"
        and interface.fixed_ips[0]["ip_address"] == "10.79.0.1"
    )
    fip = demo.network.update_ip(fip, port_id=port.id)
    assert fip.router_id == router.id and fip.status == "ACTIVE" and fip.port_details["network_id"] == net.id
    fault(
        demo_api.put(f"/routers/{router.id}/remove_router_interface", {"subnet_id": sub.id}),
        409,
        "RouterInterfaceInUseByFloatingIP",
    )
    fault(demo_api.delete(f"/routers/{router.id}"), 409, "RouterInUse")
    router = demo.network.update_router(
        router, routes=[{"destination": "10.80.0.0/24", "nexthop": "10.79.0.50"}]
    )
    assert router.routes == [{"destination": "10.80.0.0/24", "nexthop": "10.79.0.50"}]
    fault(
        demo_api.put(
            f"/routers/{router.id}",
            {"router": {"routes": [{"destination": "10.81.0.0/24", "nexthop": "192.0.2.1"}]}},
        ),
        400,
        "InvalidRoutes",
    )
    demo.network.update_router(router, routes=[])
    demo.network.delete_port(port)
    assert demo.network.get_ip(fip.id).port_id is None
    demo.network.delete_ip(fip)
    demo.network.remove_interface_from_router(router, subnet_id=sub.id)
    demo.network.delete_router(router)
    demo.network.delete_network(net)


def test_security_groups(demo: Any, demo_api: Any, uniq: Any, fault: Any) -> None:
    groups = demo_api.get("/security-groups", params={"name": "default"}).json()["security_groups"]
    (default,) = groups
    rules = default["security_group_rules"]
    assert sorted((r["direction"], r["ethertype"], r["remote_group_id"] == default["id"]) for r in rules) == [
        ("egress", "IPv4", False),
        ("egress", "IPv6", False),
        ("ingress", "IPv4", True),
        ("ingress", "IPv6", True),
    ]
    sg = demo.network.create_security_group(name=uniq("web"))
    assert sorted(r["direction"] for r in sg.security_group_rules) == ["egress", "egress"]
    rule = demo.network.create_security_group_rule(
        security_group_id=sg.id,
        direction="ingress",
        protocol="tcp",
        port_range_min=80,
        port_range_max=80,
        remote_ip_prefix="0.0.0.0/0",
    )
    assert rule.protocol == "tcp" and rule.remote_ip_prefix == "0.0.0.0/0"
    body = {
        "security_group_rule": {
            "security_group_id": sg.id,
            "direction": "ingress",
            "protocol": "tcp",
            "port_range_min": 80,
            "port_range_max": 80,
            "remote_ip_prefix": "0.0.0.0/0",
        }
    }
    fault(demo_api.post("/security-group-rules", body), 409, "SecurityGroupRuleExists")
    bad = {**body["security_group_rule"], "port_range_min": 90, "port_range_max": 80}
    fault(
        demo_api.post("/security-group-rules", {"security_group_rule": bad}),
        400,
        "SecurityGroupInvalidPortRange",
    )
    bad = {"security_group_id": sg.id, "direction": "ingress", "port_range_min": 22}
    fault(
        demo_api.post("/security-group-rules", {"security_group_rule": bad}),
        400,
        "SecurityGroupProtocolRequiredWithPorts",
    )
    bad = {"security_group_id": sg.id, "direction": "ingress", "protocol": "icmp", "port_range_min": 300}
    fault(
        demo_api.post("/security-group-rules", {"security_group_rule": bad}),
        400,
        "SecurityGroupInvalidIcmpValue",
    )
    bad = {"security_group_id": sg.id, "direction": "ingress", "protocol": "bogus"}
    fault(
        demo_api.post("/security-group-rules", {"security_group_rule": bad}),
        400,
        "SecurityGroupRuleInvalidProtocol",
    )
    bad = {
        "security_group_id": sg.id,
        "direction": "ingress",
        "remote_ip_prefix": "10.0.0.0/8",
        "remote_group_id": sg.id,
    }
    fault(
        demo_api.post("/security-group-rules", {"security_group_rule": bad}),
        400,
        "SecurityGroupRemoteGroupAndRemoteIpPrefix",
    )
    fault(demo_api.delete(f"/security-groups/{default['id']}"), 409, "SecurityGroupCannotRemoveDefault")
    demo.network.delete_security_group(sg)
