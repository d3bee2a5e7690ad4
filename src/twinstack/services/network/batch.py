"""Batch readers for nova's server lists: the addresses and security groups of many instances.

``GET /servers/detail`` shows, for every server of a page, nova's ``addresses`` and
``security_groups``. Asking ``instance_addresses`` and ``security_group_names_for_instance`` per
server costs a handful of queries each; these readers answer for a whole page in a few queries
(``IN`` over the page's instance ids, in chunks) with exactly the per-instance answers.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select

from twinstack.services.network import models as m

if TYPE_CHECKING:
    from twinstack.core.db import Database

_CHUNK = 500

_p, _a, _f, _n, _sg = m.ports, m.ip_allocations, m.floatingips, m.networks, m.security_groups

# ports of instances, in the order ``instance_addresses`` walks them
_PORTS = (
    select(_p.c.id, _p.c.device_id, _p.c.network_id, _p.c.mac_address)
    .where(_p.c.device_id.in_(bindparam("ids", expanding=True)))
    .order_by(_p.c.created_at, _p.c.id)
)
# and in the order ``security_group_names_for_instance`` reads them (the device_id index's)
_PORT_GROUPS = select(_p.c.device_id, _p.c.security_groups).where(
    _p.c.device_id.in_(bindparam("ids", expanding=True))
)
_FIXED = select(_a.c.port_id, _a.c.ip_address).where(_a.c.port_id.in_(bindparam("ids", expanding=True)))
_FLOATING = select(_f.c.port_id, _f.c.floating_ip_address).where(
    _f.c.port_id.in_(bindparam("ids", expanding=True))
)
_NET_NAMES = select(_n.c.id, _n.c.name).where(_n.c.id.in_(bindparam("ids", expanding=True)))
_SG_NAMES = select(_sg.c.id, _sg.c.name).where(_sg.c.id.in_(bindparam("ids", expanding=True)))


@lru_cache(maxsize=4096)
def _version(address: str) -> int:
    return ipaddress.ip_address(address).version


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


class BatchReadersMixin:
    db: Database

    def instance_network_info_many(
        self, instance_ids: Iterable[str]
    ) -> tuple[dict[str, dict[str, list[dict[str, Any]]]], dict[str, list[str]]]:
        """For each instance: (``instance_addresses(id)``, ``security_group_names_for_instance(id)``).

        Every id gets an entry (``{}`` and ``[]`` for an instance without ports).
        """
        ids = list(dict.fromkeys(instance_ids))
        addresses: dict[str, dict[str, list[dict[str, Any]]]] = {i: {} for i in ids}
        groups: dict[str, list[str]] = {i: [] for i in ids}
        if not ids:
            return addresses, groups
        with self.db.begin() as conn:
            ports = [row for chunk in _chunks(ids) for row in conn.execute(_PORTS, {"ids": chunk})]
            if not ports:
                return addresses, groups
            # (each instance's ports come from one chunk, so each keeps its own order)
            port_groups = [
                row for chunk in _chunks(ids) for row in conn.execute(_PORT_GROUPS, {"ids": chunk})
            ]
            port_ids = [p.id for p in ports]
            fixed: dict[str, list[str]] = {}
            floating: dict[str, list[str]] = {}
            for chunk in _chunks(port_ids):
                for port_id, address in conn.execute(_FIXED, {"ids": chunk}):
                    fixed.setdefault(port_id, []).append(address)
                for port_id, address in conn.execute(_FLOATING, {"ids": chunk}):
                    floating.setdefault(port_id, []).append(address)
            net_ids = list({p.network_id for p in ports})
            net_names = dict(conn.execute(_NET_NAMES, {"ids": net_ids}).all())
            sg_ids = list({g for p in port_groups for g in p.security_groups or []})
            sg_names = dict(conn.execute(_SG_NAMES, {"ids": sg_ids}).all()) if sg_ids else {}
        # security groups: per instance, in the ports' database order (as the per-instance reader)
        seen: dict[str, list[str]] = {}
        for port in port_groups:
            wanted = seen.setdefault(port.device_id, [])
            wanted += [g for g in port.security_groups or [] if g not in wanted]
        for iid, wanted in seen.items():
            groups[iid] = [sg_names[g] for g in wanted if g in sg_names]
        for port in ports:
            entries = addresses[port.device_id].setdefault(net_names.get(port.network_id) or "", [])
            mac = port.mac_address
            for address in fixed.get(port.id, ()):
                entries.append(
                    {
                        "addr": address,
                        "version": _version(address),
                        "OS-EXT-IPS:type": "fixed",
                        "OS-EXT-IPS-MAC:mac_addr": mac,
                    }
                )
            for address in floating.get(port.id, ()):
                entries.append(
                    {
                        "addr": address,
                        "version": _version(address),
                        "OS-EXT-IPS:type": "floating",
                        "OS-EXT-IPS-MAC:mac_addr": mac,
                    }
                )
        return addresses, groups
