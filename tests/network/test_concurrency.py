"""IPAM under concurrency: 50 port creates at once never share an address or a MAC."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from twinstack.testing import CloudHandle


def test_concurrent_port_creates_get_distinct_ips_and_macs(
    twinstack_cloud: CloudHandle, admin: Any, uniq: Any
) -> None:
    net = admin.network.create_network(name=uniq("race"))
    admin.network.create_subnet(network_id=net.id, ip_version=4, cidr="10.60.0.0/24")
    conns = [twinstack_cloud.connect() for _ in range(8)]

    def create(i: int) -> Any:
        return conns[i % len(conns)].network.create_port(network_id=net.id, name=f"race-{i}")

    with ThreadPoolExecutor(max_workers=16) as pool:
        ports = list(pool.map(create, range(50)))
    addresses = [p.fixed_ips[0]["ip_address"] for p in ports]
    macs = [p.mac_address for p in ports]
    assert len(set(addresses)) == 50 and len(set(macs)) == 50
    listed = list(admin.network.ports(network_id=net.id))
    assert sorted(p.fixed_ips[0]["ip_address"] for p in listed) == sorted(addresses)
    # Deleting frees the addresses for reuse.
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda p: admin.network.delete_port(p), ports))
    assert list(admin.network.ports(network_id=net.id)) == []
    admin.network.create_port(network_id=net.id, fixed_ips=[{"ip_address": addresses[0]}])
    for c in conns:
        c.close()
