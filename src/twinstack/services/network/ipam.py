"""IP address management: pools, gateways, allocation, MACs.

Allocation runs inside the caller's transaction and never awaits, so two requests cannot pick
the same address; the ``network_ip_allocations`` primary key (subnet, address) and the
``(network_id, mac_address)`` unique constraint back that up. Addresses are handed out in order
from a per-subnet cursor (a hint only: the table is the truth), wrapping round to reuse freed
ones; SLAAC subnets derive the address from the MAC (EUI-64) as neutron does.
"""

from __future__ import annotations

import ipaddress
import random
from typing import Any

from sqlalchemy import Connection, bindparam, select

from twinstack.services.network import models as m
from twinstack.services.network.fastsql import sqlite_of

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

AUTO_ADDRESS_MODES = ("slaac", "dhcpv6-stateless")
BASE_MAC = (0xFA, 0x16, 0x3E)


def network(cidr: str) -> IPNetwork:
    return ipaddress.ip_network(cidr, strict=False)


def default_gateway(net: IPNetwork) -> str | None:
    if net.num_addresses < 2 or (net.version == 4 and net.prefixlen >= 31):
        return None
    return str(net.network_address + 1)


def default_pools(net: IPNetwork, gateway: str | None) -> list[dict[str, str]]:
    """Neutron's default pools: the whole CIDR less the network address (v4: and broadcast)
    and the gateway."""
    first = int(net.network_address) + 1
    last = int(net.broadcast_address) - (1 if net.version == 4 else 0)
    if net.version == 4 and net.prefixlen >= 31:
        first, last = int(net.network_address), int(net.broadcast_address)
    ranges = [(first, last)]
    if gateway is not None:
        gw = int(ipaddress.ip_address(gateway))
        split: list[tuple[int, int]] = []
        for lo, hi in ranges:
            if lo <= gw <= hi:
                if lo <= gw - 1:
                    split.append((lo, gw - 1))
                if gw + 1 <= hi:
                    split.append((gw + 1, hi))
            else:
                split.append((lo, hi))
        ranges = split
    cls = ipaddress.IPv4Address if net.version == 4 else ipaddress.IPv6Address
    return [{"start": str(cls(lo)), "end": str(cls(hi))} for lo, hi in ranges if lo <= hi]


def pool_ranges(pools: list[dict[str, str]]) -> list[tuple[int, int]]:
    return [(int(ipaddress.ip_address(p["start"])), int(ipaddress.ip_address(p["end"]))) for p in pools]


def in_pools(address: str, pools: list[dict[str, str]]) -> bool:
    value = int(ipaddress.ip_address(address))
    return any(lo <= value <= hi for lo, hi in pool_ranges(pools))


def in_subnet(address: str, cidr: str) -> bool:
    try:
        addr = ipaddress.ip_address(address)
    except ValueError:
        return False
    net = network(cidr)
    return addr.version == net.version and addr in net


def eui64(cidr: str, mac: str) -> str:
    """The SLAAC address of ``mac`` in an IPv6 /64 (modified EUI-64)."""
    octets = [int(x, 16) for x in mac.replace("-", ":").split(":")]
    octets[0] ^= 0x02
    iid = octets[:3] + [0xFF, 0xFE] + octets[3:]
    value = int.from_bytes(bytes(iid), "big")
    net = network(cidr)
    return str(ipaddress.IPv6Address(int(net.network_address) | value))


_MAC_TAKEN = select(m.ports.c.id).where(
    m.ports.c.network_id == bindparam("network_id"), m.ports.c.mac_address == bindparam("mac")
)
_IP_TAKEN = select(m.ip_allocations.c.port_id).where(
    m.ip_allocations.c.subnet_id == bindparam("subnet_id"), m.ip_allocations.c.ip_address == bindparam("ip")
)
_MAC_SQL = f"SELECT id FROM {m.ports.name} WHERE network_id = ? AND mac_address = ?"
_IP_SQL = f"SELECT port_id FROM {m.ip_allocations.name} WHERE subnet_id = ? AND ip_address = ?"
_IPS_OF = select(m.ip_allocations.c.ip_address).where(m.ip_allocations.c.subnet_id == bindparam("subnet_id"))


class Allocator:
    """Picks free addresses and MACs; one per service, used inside transactions only."""

    def __init__(self, seed: int | None = None) -> None:
        self._rng = random.Random(seed)
        self._cursor: dict[str, int] = {}

    def mac(self, conn: Connection, network_id: str) -> str | None:
        for _ in range(16):
            tail = self._rng.getrandbits(24).to_bytes(3, "big")
            mac = ":".join(f"{b:02x}" for b in (*BASE_MAC, *tail))
            raw = sqlite_of(conn)
            if raw is not None:
                taken = raw.execute(_MAC_SQL, (network_id, mac)).fetchone()
            else:
                taken = conn.execute(_MAC_TAKEN, {"network_id": network_id, "mac": mac}).first()
            if taken is None:
                return mac
        return None

    def address(self, conn: Connection, subnet: dict[str, Any]) -> str | None:
        """A free address from the subnet's pools, or None when they are exhausted."""
        ranges = pool_ranges(subnet["allocation_pools"])
        if not ranges:
            return None
        cls = ipaddress.IPv4Address if subnet["ip_version"] == 4 else ipaddress.IPv6Address
        subnet_id = subnet["id"]
        cursor = self._cursor.get(subnet_id, ranges[0][0])
        # Fast path: the address after the last one handed out.
        if any(lo <= cursor <= hi for lo, hi in ranges):
            candidate = str(cls(cursor))
            raw = sqlite_of(conn)
            if raw is not None:
                taken = raw.execute(_IP_SQL, (subnet_id, candidate)).fetchone()
            else:
                taken = conn.execute(_IP_TAKEN, {"subnet_id": subnet_id, "ip": candidate}).first()
            if taken is None:
                self._cursor[subnet_id] = cursor + 1
                return candidate
        # Slow path: scan from the cursor, wrapping round, against what is allocated.
        used = {int(ipaddress.ip_address(row[0])) for row in conn.execute(_IPS_OF, {"subnet_id": subnet_id})}
        segments: list[tuple[int, int]] = []
        tail: list[tuple[int, int]] = []
        for lo, hi in ranges:
            if lo <= cursor <= hi:
                segments.insert(0, (cursor, hi))
                if lo < cursor:
                    tail.append((lo, cursor - 1))
            elif lo > cursor:
                segments.append((lo, hi))
            else:
                tail.append((lo, hi))
        for lo, hi in segments + tail:
            # At most len(used) addresses are taken, so a free one is within that distance.
            for value in range(lo, min(hi, lo + len(used)) + 1):
                if value not in used:
                    self._cursor[subnet_id] = value + 1
                    return str(cls(value))
        return None

    def forget(self, subnet_id: str) -> None:
        self._cursor.pop(subnet_id, None)
