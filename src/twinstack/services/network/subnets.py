"""Subnets (v4, v6 with SLAAC/DHCPv6 modes, pools, gateway, routes, DNS) and subnet pools."""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy import Connection, delete, or_, select

from twinstack.core.context import RequestContext
from twinstack.services.network import ipam
from twinstack.services.network import models as m
from twinstack.services.network.attributes import SUBNET, SUBNETPOOL
from twinstack.services.network.errors import bad, conflict, err, invalid_attr, invalid_input, missing, policy
from twinstack.services.network.networks import AUTO_DELETE_OWNERS, NetworksMixin
from twinstack.services.network.resource import ListParams
from twinstack.services.network.validators import ip_address, ip_pools

MAX_DNS_NAMESERVERS = 5
MAX_SUBNET_HOST_ROUTES = 20


class SubnetsMixin(NetworksMixin):
    # reads ----------------------------------------------------------------------------------
    def subnet_row(self, conn: Connection, ctx: RequestContext, subnet_id: str) -> dict[str, Any]:
        row = self.row(conn, m.subnets, subnet_id)
        if row is None:
            raise missing("subnet", subnet_id)
        if not self.owned(ctx, row):
            net = self.row(conn, m.networks, row["network_id"])
            if net is None or not self.network_usable(conn, ctx, net):
                raise missing("subnet", subnet_id)
        return row

    def subnet_items(self, conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        items = [SUBNET.item(r) for r in rows]
        self.add_tags(conn, items)
        return items

    def list_subnets(
        self, ctx: RequestContext, params: ListParams | None = None, **filters: Any
    ) -> list[dict[str, Any]]:
        params = params or ListParams(
            filters={k: v if isinstance(v, list) else [v] for k, v in filters.items()}
        )
        s = m.subnets
        with self.tx() as conn:
            clause = None
            visible = self.network_shared_clause(ctx)
            if visible is not None:
                clause = or_(
                    s.c.project_id == ctx.project_id,
                    s.c.network_id.in_(select(m.networks.c.id).where(visible)),
                )
            items = self.select_items(conn, SUBNET, ctx, params, clause)
            self.add_tags(conn, items)
        return self.finish_list(SUBNET, ctx, items, params)

    def show_subnet(
        self, ctx: RequestContext, subnet_id: str, fields: list[str] | None = None
    ) -> dict[str, Any]:
        with self.tx() as conn:
            return SUBNET.view(
                self.subnet_items(conn, [self.subnet_row(conn, ctx, subnet_id)])[0], ctx, fields
            )

    # create ---------------------------------------------------------------------------------
    def create_subnet(self, ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
        values = SUBNET.parse_create(ctx, data)
        with self.tx() as conn:
            net = self.network_row(conn, ctx, values["network_id"])
            if not self.owned(ctx, net):
                raise policy("create_subnet")
            self.check_quota(conn, values["project_id"], "subnet")
            self._resolve_cidr(conn, ctx, values)
            cidr = values["cidr"]
            net_obj = ipam.network(cidr)
            self._check_ipv6_modes(values, net_obj)
            self._check_overlap(conn, net["id"], net_obj)
            gateway = self._gateway(values, net_obj)
            pools = values.get("allocation_pools")
            if pools is None:
                pools = ipam.default_pools(net_obj, gateway)
            else:
                pools = self._check_pools(pools, net_obj, gateway)
            self._check_lists(values)
            row = self.stamp(SUBNET.row_values(values))
            row.update(
                cidr=cidr,
                gateway_ip=gateway,
                allocation_pools=pools,
                dns_nameservers=values.get("dns_nameservers") or [],
                host_routes=values.get("host_routes") or [],
                service_types=values.get("service_types") or [],
            )
            self.insert(conn, m.subnets, row)
            self.touch(conn, m.networks, net["id"])
            if row["ip_version"] == 6 and row["ipv6_address_mode"] in ipam.AUTO_ADDRESS_MODES:
                self._add_slaac_to_ports(conn, row)
            return SUBNET.view(self.subnet_items(conn, [row])[0], ctx)

    def _resolve_cidr(self, conn: Connection, ctx: RequestContext, values: dict[str, Any]) -> None:
        version = values["ip_version"]
        pool_id = values.get("subnetpool_id")
        if pool_id is None and values.get("use_default_subnetpool"):
            sp = m.subnetpools
            found = conn.execute(
                select(sp.c.id).where(sp.c.is_default.is_(True), sp.c.ip_version == version)
            ).first()
            if found is None:
                raise bad("subnets", f"No default subnetpool found for IPv{version}")
            pool_id = values["subnetpool_id"] = found[0]
        cidr = values.get("cidr")
        if pool_id is None:
            if cidr is None:
                raise bad("subnets", "A cidr must be specified in the absence of a subnet pool")
            if values.get("prefixlen") is not None:
                raise bad("subnets", "Cannot specify prefixlen without a subnetpool")
        else:
            pool = self._pool_row(conn, ctx, pool_id)
            if pool["ip_version"] != version:
                raise invalid_input(
                    f"Cannot allocate IPv{version} subnet from IPv{pool['ip_version']} subnet pool"
                )
            if cidr is None:
                values["cidr"] = self._allocate_prefix(conn, pool, values.get("prefixlen"))
            else:
                self._check_cidr_in_pool(conn, pool, ipam.network(cidr))
        net = ipam.network(values["cidr"])
        if net.version != version:
            raise invalid_input(f"cidr '{values['cidr']}' does not match the ip_version '{version}'")
        if version == 4 and net.prefixlen == 0:
            raise invalid_attr("cidr", f"'{values['cidr']}' is not a valid IP subnet")

    def _check_ipv6_modes(self, values: dict[str, Any], net: ipam.IPNetwork) -> None:
        ra, addr = values.get("ipv6_ra_mode"), values.get("ipv6_address_mode")
        if values["ip_version"] == 4:
            for name, mode in (("ipv6_ra_mode", ra), ("ipv6_address_mode", addr)):
                if mode is not None:
                    raise invalid_input(
                        f"{name} set to '{mode}' with ip_version set to '4' is not valid. "
                        "Ipv6 attributes can only be set for IPv6 subnets"
                    )
            return
        if ra and addr and ra != addr:
            raise invalid_input(
                f"ipv6_ra_mode set to '{ra}' with ipv6_address_mode set to '{addr}' is not valid. "
                "If both attributes are set, they must be the same value"
            )
        if (addr in ipam.AUTO_ADDRESS_MODES or ra in ipam.AUTO_ADDRESS_MODES) and net.prefixlen != 64:
            raise invalid_input(
                f"Invalid CIDR {net} for IPv6 address mode. OpenStack uses the EUI-64 address "
                "format, which requires the prefix to be /64"
            )

    def _check_overlap(
        self, conn: Connection, network_id: str, net: ipam.IPNetwork, skip: str | None = None
    ) -> None:
        s = m.subnets
        for sub_id, cidr in conn.execute(select(s.c.id, s.c.cidr).where(s.c.network_id == network_id)):
            if sub_id != skip and ipam.network(cidr).overlaps(net):  # type: ignore[arg-type]
                raise invalid_input(
                    f"Requested subnet with cidr: {net} for network: {network_id} "
                    "overlaps with another subnet"
                )

    def _gateway(self, values: dict[str, Any], net: ipam.IPNetwork) -> str | None:
        gateway = values.get("gateway_ip", "auto")
        if gateway in ("auto", ""):
            return ipam.default_gateway(net) if gateway == "auto" else None
        if gateway is None:
            return None
        reason = ip_address(gateway)
        if reason:
            raise invalid_attr("gateway_ip", reason)
        addr = ipaddress.ip_address(gateway)
        if addr.version != net.version:
            raise invalid_input(f"gateway_ip '{gateway}' does not match the ip_version '{net.version}'")
        if (
            addr in net
            and net.num_addresses > 2
            and (addr == net.network_address or (net.version == 4 and addr == net.broadcast_address))
        ):
            raise invalid_input("Gateway is not valid on subnet")
        return str(addr)

    def _check_pools(self, pools: Any, net: ipam.IPNetwork, gateway: str | None) -> list[dict[str, str]]:
        reason = ip_pools(pools)
        if reason:
            raise invalid_attr("allocation_pools", reason)
        ranges = []
        for pool in pools:
            start, end = ipaddress.ip_address(pool["start"]), ipaddress.ip_address(pool["end"])
            text = f"{start}-{end}"
            if start.version != net.version or end.version != net.version or start > end:
                raise err("InvalidAllocationPool", 400, f"The allocation pool {text} is not valid.")
            if (
                start not in net
                or end not in net
                or start == net.network_address
                or (net.version == 4 and end == net.broadcast_address and net.prefixlen < 31)
            ):
                raise err(
                    "OutOfBoundsAllocationPool",
                    400,
                    f"The allocation pool {text} spans beyond the subnet cidr {net}.",
                )
            ranges.append((int(start), int(end), text))
        ranges.sort()
        for (_, hi, first), (lo, _, second) in zip(ranges, ranges[1:], strict=False):
            if lo <= hi:
                raise conflict(
                    "OverlappingAllocationPools",
                    f"Found overlapping allocation pools: {first} {second} for subnet {net}.",
                )
        if gateway is not None:
            gw = int(ipaddress.ip_address(gateway))
            for lo, hi, text in ranges:
                if lo <= gw <= hi:
                    raise conflict(
                        "GatewayConflictWithAllocationPools",
                        f"Gateway ip {gateway} conflicts with allocation pool {text}.",
                    )
        return [
            {"start": str(p["start"]), "end": str(p["end"])}
            for p in sorted(pools, key=lambda p: int(ipaddress.ip_address(p["start"])))
        ]

    @staticmethod
    def _check_lists(values: dict[str, Any], subnet_id: str = "") -> None:
        if len(values.get("dns_nameservers") or []) > MAX_DNS_NAMESERVERS:
            raise err(
                "DNSNameServersExhausted",
                400,
                f"Unable to complete operation for {subnet_id}. The number "
                f"of DNS nameservers exceeds the limit {MAX_DNS_NAMESERVERS}.",
            )
        if len(values.get("host_routes") or []) > MAX_SUBNET_HOST_ROUTES:
            raise err(
                "HostRoutesExhausted",
                400,
                f"Unable to complete operation for {subnet_id}. The number of "
                f"host routes exceeds the limit {MAX_SUBNET_HOST_ROUTES}.",
            )

    def _add_slaac_to_ports(self, conn: Connection, subnet: dict[str, Any]) -> None:
        p = m.ports
        rows = conn.execute(
            select(p.c.id, p.c.mac_address).where(
                p.c.network_id == subnet["network_id"], p.c.device_owner.notlike("network:%")
            )
        ).all()
        for port_id, mac in rows:
            self.insert(
                conn,
                m.ip_allocations,
                {
                    "subnet_id": subnet["id"],
                    "network_id": subnet["network_id"],
                    "ip_address": ipam.eui64(subnet["cidr"], mac),
                    "port_id": port_id,
                },
            )

    # update / delete ------------------------------------------------------------------------
    def update_subnet(self, ctx: RequestContext, subnet_id: str, data: dict[str, Any]) -> dict[str, Any]:
        with self.tx() as conn:
            row = self.subnet_row(conn, ctx, subnet_id)
            if not self.owned(ctx, row):
                raise policy("update_subnet")
            values = SUBNET.parse_update(ctx, data, row)
            self._check_lists(values, subnet_id)
            net = ipam.network(row["cidr"])
            changes = SUBNET.row_values(values)
            if "gateway_ip" in values:
                gateway = self._gateway({"gateway_ip": values["gateway_ip"]}, net)
                if gateway is not None and gateway != row["gateway_ip"]:
                    self._check_gateway_free(conn, row, gateway)
                    if "allocation_pools" not in values and ipam.in_pools(gateway, row["allocation_pools"]):
                        raise conflict(
                            "GatewayConflictWithAllocationPools",
                            f"Gateway ip {gateway} conflicts with allocation pool "
                            f"{row['allocation_pools'][0]['start']}-{row['allocation_pools'][0]['end']}.",
                        )
                changes["gateway_ip"] = gateway
            if "allocation_pools" in values:
                gateway = changes.get("gateway_ip", row["gateway_ip"])
                changes["allocation_pools"] = self._check_pools(values["allocation_pools"], net, gateway)
                self.ipam.forget(subnet_id)
            if changes:
                self.touch(conn, m.subnets, subnet_id, **changes)
            return SUBNET.view(self.subnet_items(conn, [self.subnet_row(conn, ctx, subnet_id)])[0], ctx)

    def _check_gateway_free(self, conn: Connection, subnet: dict[str, Any], gateway: str) -> None:
        a = m.ip_allocations
        found = conn.execute(
            select(a.c.port_id).where(a.c.subnet_id == subnet["id"], a.c.ip_address == gateway)
        ).first()
        if found is not None:
            raise conflict(
                "GatewayIpInUse",
                f"Current gateway ip {gateway} already in use by port {found[0]}. Unable to update.",
            )

    def delete_subnet(self, ctx: RequestContext, subnet_id: str) -> None:
        with self.tx() as conn:
            row = self.subnet_row(conn, ctx, subnet_id)
            if not self.owned(ctx, row):
                raise policy("delete_subnet")
            a, p = m.ip_allocations, m.ports
            users = conn.execute(
                select(p.c.id, p.c.device_owner)
                .select_from(a.join(p, a.c.port_id == p.c.id))
                .where(a.c.subnet_id == subnet_id)
            ).all()
            slaac = row["ip_version"] == 6 and row["ipv6_address_mode"] in ipam.AUTO_ADDRESS_MODES
            blocking = [
                pid
                for pid, owner in users
                if owner not in AUTO_DELETE_OWNERS and not (slaac and not owner.startswith("network:router"))
            ]
            if blocking:
                raise conflict(
                    "SubnetInUse",
                    f"Unable to complete operation on subnet {subnet_id}: One or more "
                    "ports have an IP allocation from this subnet.",
                )
            conn.execute(delete(a).where(a.c.subnet_id == subnet_id))
            self.drop_tags(conn, subnet_id)
            conn.execute(delete(m.subnets).where(m.subnets.c.id == subnet_id))
            self.touch(conn, m.networks, row["network_id"])
            self.ipam.forget(subnet_id)

    # subnet pools ---------------------------------------------------------------------------
    def _pool_row(self, conn: Connection, ctx: RequestContext, pool_id: str) -> dict[str, Any]:
        row = self.row(conn, m.subnetpools, pool_id)
        if row is None or not (self.owned(ctx, row) or row["shared"]):
            raise missing("subnetpool", pool_id)
        return row

    def _pool_view(
        self, conn: Connection, ctx: RequestContext, row: dict[str, Any], fields: list[str] | None = None
    ) -> dict[str, Any]:
        item = SUBNETPOOL.item(row)
        self.add_tags(conn, [item])
        return SUBNETPOOL.view(item, ctx, fields)

    def _normalize_prefixes(self, prefixes: list[str]) -> tuple[int, list[str]]:
        if not prefixes:
            raise err("EmptySubnetPoolPrefixList", 400, "Empty subnet pool prefix list.")
        nets = [ipam.network(p) for p in prefixes]
        versions = {n.version for n in nets}
        if len(versions) > 1:
            raise err("PrefixVersionMismatch", 400, "Cannot mix IPv4 and IPv6 prefixes in a subnet pool.")
        collapsed = ipaddress.collapse_addresses(nets)  # type: ignore[type-var]
        return versions.pop(), [str(n) for n in collapsed]

    def _pool_bounds(
        self, values: dict[str, Any], version: int, current: dict[str, Any] | None = None
    ) -> None:
        cur = current or {}
        top = 32 if version == 4 else 128
        low = (
            values.get("min_prefixlen")
            if values.get("min_prefixlen") is not None
            else cur.get("min_prefixlen", 8 if version == 4 else 64)
        )
        high = (
            values.get("max_prefixlen")
            if values.get("max_prefixlen") is not None
            else cur.get("max_prefixlen", top)
        )
        default = values.get("default_prefixlen")
        if default is None:
            default = cur.get("default_prefixlen", low)
        for _name, value in (("min_prefixlen", low), ("max_prefixlen", high), ("default_prefixlen", default)):
            if not 0 <= value <= top:
                raise err(
                    "UnsupportedMinSubnetPoolPrefix",
                    400,
                    f"Prefix '{value}' not supported in IPv{version} pool.",
                )
        if not low <= default <= high:
            raise err(
                "IllegalSubnetPoolPrefixBounds",
                400,
                f"Illegal prefix bounds: default_prefixlen={default}, min_prefixlen={low}, "
                f"max_prefixlen={high}.",
            )
        values.update(min_prefixlen=low, max_prefixlen=high, default_prefixlen=default)

    def create_subnetpool(self, ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
        values = SUBNETPOOL.parse_create(ctx, data)
        version, prefixes = self._normalize_prefixes(values["prefixes"])
        values["prefixes"] = prefixes
        self._pool_bounds(values, version)
        with self.tx() as conn:
            if values.get("address_scope_id"):
                self._check_scope(conn, ctx, values["address_scope_id"], version)
            row = self.stamp(SUBNETPOOL.row_values(values))
            row["ip_version"] = version
            self.insert(conn, m.subnetpools, row)
            return self._pool_view(conn, ctx, row)

    def _check_scope(self, conn: Connection, ctx: RequestContext, scope_id: str, version: int) -> None:
        scope = self._scope_row(conn, ctx, scope_id)
        if scope["ip_version"] != version:
            raise err(
                "IllegalSubnetPoolIpVersionAssociationToAddressScope",
                400,
                f"Illegal subnetpool association: subnetpool cannot associate with address scope "
                f"{scope_id} because subnetpool ip_version is not {scope['ip_version']}.",
            )

    def list_subnetpools(self, ctx: RequestContext, params: ListParams) -> list[dict[str, Any]]:
        sp = m.subnetpools
        with self.tx() as conn:
            items = self.select_items(
                conn, SUBNETPOOL, ctx, params, self.project_clause(ctx, sp, sp.c.shared.is_(True))
            )
            self.add_tags(conn, items)
        return self.finish_list(SUBNETPOOL, ctx, items, params)

    def show_subnetpool(
        self, ctx: RequestContext, pool_id: str, fields: list[str] | None = None
    ) -> dict[str, Any]:
        with self.tx() as conn:
            return self._pool_view(conn, ctx, self._pool_row(conn, ctx, pool_id), fields)

    def update_subnetpool(self, ctx: RequestContext, pool_id: str, data: dict[str, Any]) -> dict[str, Any]:
        with self.tx() as conn:
            row = self._pool_row(conn, ctx, pool_id)
            if not self.owned(ctx, row):
                raise missing("subnetpool", pool_id)
            values = SUBNETPOOL.parse_update(ctx, data, row)
            if "prefixes" in values:
                version, prefixes = self._normalize_prefixes(values["prefixes"] + row["prefixes"])
                old = [ipam.network(p) for p in row["prefixes"]]
                new = [ipam.network(p) for p in prefixes]
                if version != row["ip_version"] or any(not any(o.subnet_of(n) for n in new) for o in old):  # type: ignore[arg-type]
                    raise err(
                        "IllegalSubnetPoolPrefixUpdate",
                        400,
                        "Illegal update to prefixes: Existing prefixes must be a subset of the new prefixes.",
                    )
                values["prefixes"] = prefixes
            self._pool_bounds(values, row["ip_version"], row)
            if values.get("address_scope_id"):
                self._check_scope(conn, ctx, values["address_scope_id"], row["ip_version"])
            self.touch(conn, m.subnetpools, pool_id, **SUBNETPOOL.row_values(values))
            return self._pool_view(conn, ctx, self._pool_row(conn, ctx, pool_id))

    def delete_subnetpool(self, ctx: RequestContext, pool_id: str) -> None:
        with self.tx() as conn:
            row = self._pool_row(conn, ctx, pool_id)
            if not self.owned(ctx, row):
                raise missing("subnetpool", pool_id)
            s = m.subnets
            if conn.execute(select(s.c.id).where(s.c.subnetpool_id == pool_id)).first() is not None:
                raise conflict(
                    "SubnetPoolInUse",
                    f"Unable to complete operation on subnet pool {pool_id}. "
                    "Subnets are allocated from this subnet pool.",
                )
            self.drop_tags(conn, pool_id)
            conn.execute(delete(m.subnetpools).where(m.subnetpools.c.id == pool_id))

    def _pool_used(self, conn: Connection, pool: dict[str, Any]) -> list[ipam.IPNetwork]:
        s = m.subnets
        return [
            ipam.network(c) for (c,) in conn.execute(select(s.c.cidr).where(s.c.subnetpool_id == pool["id"]))
        ]

    def _allocate_prefix(self, conn: Connection, pool: dict[str, Any], prefixlen: int | None) -> str:
        length = pool["default_prefixlen"] if prefixlen is None else prefixlen
        if length < pool["min_prefixlen"]:
            raise err(
                "MinPrefixSubnetAllocationError",
                400,
                f"Unable to allocate subnet with prefix length {length}, minimum allowed prefix is "
                f"{pool['min_prefixlen']}.",
            )
        if length > pool["max_prefixlen"]:
            raise err(
                "MaxPrefixSubnetAllocationError",
                400,
                f"Unable to allocate subnet with prefix length {length}, maximum allowed prefix is "
                f"{pool['max_prefixlen']}.",
            )
        used = self._pool_used(conn, pool)
        for prefix in pool["prefixes"]:
            parent = ipam.network(prefix)
            if length < parent.prefixlen:
                continue
            for candidate in parent.subnets(new_prefix=length):
                if not any(candidate.overlaps(u) for u in used):  # type: ignore[arg-type]
                    return str(candidate)
        raise conflict(
            "SubnetAllocationError",
            f"Failed to allocate subnet: Insufficient prefix space to allocate subnet size /{length}.",
        )

    def _check_cidr_in_pool(self, conn: Connection, pool: dict[str, Any], net: ipam.IPNetwork) -> None:
        if not any(
            net.version == ipam.network(p).version and net.subnet_of(ipam.network(p))  # type: ignore[arg-type]
            for p in pool["prefixes"]
        ):
            raise bad("subnets", f"Cidr {net} not within pool prefixes")
        if any(net.overlaps(u) for u in self._pool_used(conn, pool)):  # type: ignore[arg-type]
            raise conflict(
                "SubnetAllocationError",
                f"Failed to allocate subnet: Cidr {net} overlaps with another "
                "subnet allocated from the pool.",
            )
