"""The issue's command sequence, run with the real ``openstack`` CLI as a project member."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.cli
def test_issue_command_sequence(cli: Any, demo: Any, uniq: Any) -> None:
    member = cli.as_cloud("twinstack-demo")
    net, sub, router, port = uniq("net1"), uniq("sub1"), uniq("r1"), uniq("p1")

    network = member.json("network", "create", net)
    assert network["name"] == net and network["status"] == "ACTIVE" and network["admin_state_up"] is True
    subnet = member.json("subnet", "create", "--network", net, "--subnet-range", "10.0.0.0/24", sub)
    assert subnet["cidr"] == "10.0.0.0/24" and subnet["gateway_ip"] == "10.0.0.1"
    assert subnet["allocation_pools"] in ([{"start": "10.0.0.2", "end": "10.0.0.254"}], "10.0.0.2-10.0.0.254")

    member.json("router", "create", router)
    member.run("router", "add", "subnet", router, sub)
    member.run("router", "set", "--external-gateway", "public", router)
    shown = demo.network.find_router(router)
    gateway = shown.external_gateway_info
    assert gateway["enable_snat"] is True and gateway["external_fixed_ips"][0]["ip_address"].startswith(
        "172.24.4."
    )
    interfaces = list(demo.network.ports(device_id=shown.id, device_owner="network:router_interface"))
    assert [i.fixed_ips[0]["subnet_id"] for i in interfaces] == [subnet["id"]]

    created = member.json("port", "create", "--network", net, port)
    assert created["status"] == "DOWN" and created["mac_address"].startswith("fa:16:3e:")
    (fixed,) = created["fixed_ips"]
    assert fixed["subnet_id"] == subnet["id"] and fixed["ip_address"].startswith("10.0.0.")

    fip = member.json("floating", "ip", "create", "public")
    assert fip["status"] == "DOWN" and fip["port_id"] is None
    member.run("floating", "ip", "set", "--port", port, fip["floating_ip_address"])
    associated = demo.network.get_ip(fip["id"])
    assert associated.port_id == created["id"] and associated.fixed_ip_address == fixed["ip_address"]
    assert associated.router_id == shown.id and associated.status == "ACTIVE"

    rule = member.json(
        "security", "group", "rule", "create", "--protocol", "tcp", "--dst-port", "22", "default"
    )
    assert rule["protocol"] == "tcp" and rule["port_range_min"] == 22 and rule["port_range_max"] == 22
    assert rule["direction"] == "ingress" and rule["ether_type"] == "IPv4"
    # Leave the demo project's default group as it was.
    demo.network.delete_security_group_rule(rule["id"])
