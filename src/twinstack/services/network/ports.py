"""Ports: fixed IPs (from pools or requested), MACs, security groups, address pairs, binding.

A port is DOWN until bound to a host (``binding:host_id``), then ACTIVE: there are no agents,
so binding is where neutron's provisioning blocks would clear. Router and floating IP ports
are made by the router code through ``new_port``.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy import Connection, bindparam, delete, or_, select, update

from twinstack.core.context import RequestContext
from twinstack.services.network import ipam
from twinstack.services.network import models as m
from twinstack.services.network.attributes import PORT
from twinstack.services.network.errors import (
    bad_request,
    conflict,
    err,
    invalid_attr,
    invalid_input,
    missing,
    policy,
)
from twinstack.services.network.fastsql import fast, sqlite_of
from twinstack.services.network.resource import ListParams
from twinstack.services.network.subnets import SubnetsMixin

MAX_ALLOWED_ADDRESS_PAIRS = 10
VIF_DETAILS = {
    "port_filter": True,
    "connectivity": "l2",
    "bridge_name": "br-int",
    "datapath_type": "system",
    "bound_drivers": {"0": "ovn"},
}
NO_SG_OWNERS = ("network:",)
_SUBNETS_OF = (
    select(m.subnets)
    .where(m.subnets.c.network_id == bindparam("network_id"))
    .order_by(m.subnets.c.created_at, m.subnets.c.id)
)


class PortsMixin(SubnetsMixin):
    # reads ----------------------------------------------------------------------------------
    def port_row(self, conn: Connection, ctx: RequestContext, port_id: str) -> dict[str, Any]:
        row = self.row(conn, m.ports, port_id)
        if row is None or not self._port_visible(conn, ctx, row):
            raise missing("port", port_id)
        return row

    def _port_visible(self, conn: Connection, ctx: RequestContext, row: dict[str, Any]) -> bool:
        if self.owned(ctx, row):
            return True
        net = self.row(conn, m.networks, row["network_id"])
        return net is not None and net["project_id"] == ctx.project_id

    def port_items(self, conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Items with fixed IPs and tags (a row just made by ``new_port`` carries its own)."""
        items = [PORT.item(r) for r in rows]
        if not items:
            return items
        ids = [i["id"] for i in items]
        a = m.ip_allocations
        fixed: dict[str, list[dict[str, str]]] = {i: [] for i in ids}
        tags: dict[str, list[str]] = {i: [] for i in ids}
        if len(rows) == 1 and "_fixed_ips" in rows[0]:
            fixed[ids[0]] = list(rows[0]["_fixed_ips"])
        else:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                for port_id, subnet_id, address in conn.execute(
                    select(a.c.port_id, a.c.subnet_id, a.c.ip_address).where(a.c.port_id.in_(chunk))
                ):
                    fixed[port_id].append({"subnet_id": subnet_id, "ip_address": address})
            tags = self.tags_for(conn, ids)
        for item in items:
            item["fixed_ips"] = sorted(
                fixed[item["id"]], key=lambda f: (":" in f["ip_address"], f["ip_address"])
            )
            item["tags"] = tags[item["id"]]
            item["ip_allocation"] = "immediate"
            item["resource_request"] = None
            item["qos_policy_id"] = None
            item["qos_network_policy_id"] = None
        return items

    def port_view(
        self, conn: Connection, ctx: RequestContext, row: dict[str, Any], fields: list[str] | None = None
    ) -> dict[str, Any]:
        return PORT.view(self.port_items(conn, [row])[0], ctx, fields)

    def list_ports(
        self, ctx: RequestContext, params: ListParams | None = None, **filters: Any
    ) -> list[dict[str, Any]]:
        params = params or ListParams(
            filters={k: v if isinstance(v, list) else [v] for k, v in filters.items()}
        )
        p = m.ports
        with self.tx() as conn:
            clause = None
            if not ctx.is_admin:
                mine = select(m.networks.c.id).where(m.networks.c.project_id == ctx.project_id)
                clause = or_(p.c.project_id == ctx.project_id, p.c.network_id.in_(mine))
            fixed_filter = params.filters.get("fixed_ips")
            extra = []
            if fixed_filter:
                extra.append(p.c.id.in_(self._fixed_ip_filter(fixed_filter)))
            query = select(p).where(
                *[c for c in [clause, *PORT.sql_filters(params), *extra] if c is not None]
            )
            rows = [dict(r) for r in conn.execute(query).mappings()]
            items = self.port_items(conn, rows)
        filters_left = ListParams(
            **{**params.__dict__, "filters": {k: v for k, v in params.filters.items() if k != "fixed_ips"}}
        )
        return self.finish_list(PORT, ctx, items, filters_left)

    @staticmethod
    def _fixed_ip_filter(values: list[str]) -> Any:
        """``fixed_ips=ip_address=X``, ``subnet_id=Y``, ``ip_address_substr=Z`` (all must match)."""
        a = m.ip_allocations
        query = select(a.c.port_id)
        for value in values:
            key, _, wanted = str(value).partition("=")
            if key == "ip_address":
                query = query.where(a.c.port_id.in_(select(a.c.port_id).where(a.c.ip_address == wanted)))
            elif key == "subnet_id":
                query = query.where(a.c.port_id.in_(select(a.c.port_id).where(a.c.subnet_id == wanted)))
            elif key == "ip_address_substr":
                query = query.where(
                    a.c.port_id.in_(select(a.c.port_id).where(a.c.ip_address.contains(wanted)))
                )
            else:
                raise bad_request(f"{key} is invalid attribute for filtering")
        return query

    def show_port(self, ctx: RequestContext, port_id: str, fields: list[str] | None = None) -> dict[str, Any]:
        with self.tx() as conn:
            return self.port_view(conn, ctx, self.port_row(conn, ctx, port_id), fields)

    get_port = show_port

    # create ---------------------------------------------------------------------------------
    def create_port(self, ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
        if set(data) == {"port"} and isinstance(data["port"], dict):
            data = data["port"]
        with self.tx() as conn:
            owner_check = self._network_owner_check(conn, ctx, data.get("network_id"))
            values = PORT.parse_create(ctx, data, owner_check)
            net = self.network_row(conn, ctx, values["network_id"])
            if not self.network_usable(conn, ctx, net) and not net["router_external"]:
                raise missing("network", net["id"])
            self.check_quota(conn, values["project_id"], "port")
            row = self.new_port(conn, net, values)
            return self.port_view(conn, ctx, row)

    def _network_owner_check(self, conn: Connection, ctx: RequestContext, network_id: Any) -> Any:
        def check(_target: dict[str, Any]) -> bool:
            if not isinstance(network_id, str):
                return False
            net = self.row(conn, m.networks, network_id)
            return net is not None and net["project_id"] == ctx.project_id

        return check

    def new_port(self, conn: Connection, net: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        """Insert a port (and its addresses) from checked attribute values; no quota, no policy."""
        device_owner = values.get("device_owner") or ""
        mac = values.get("mac_address")
        if mac is None:
            mac = self.ipam.mac(conn, net["id"])
            if mac is None:
                raise err(
                    "NetworkMacAddressGenerationFailure",
                    503,
                    f"Unable to generate unique mac on network {net['id']}.",
                )
        else:
            mac = mac.lower().replace("-", ":")
            self._check_mac_free(conn, net["id"], mac)
        security = values.get("port_security_enabled")
        if security is None:
            security = bool(net["port_security_enabled"])
        groups = self._port_groups(conn, values, security, device_owner)
        pairs = self._address_pairs(values.get("allowed_address_pairs") or [], mac, security)
        row = self.stamp(PORT.row_values(values))
        row.update(
            network_id=net["id"],
            mac_address=mac,
            port_security_enabled=security,
            security_groups=groups,
            allowed_address_pairs=pairs,
            status="DOWN",
            device_owner=device_owner,
            binding_vif_type="unbound",
            binding_vif_details={},
            binding_profile=values.get("binding:profile") or {},
            extra_dhcp_opts=self._dhcp_opts(values.get("extra_dhcp_opts") or []),
        )
        host = values.get("binding:host_id") or ""
        if host:
            row.update(binding_vif_type="ovs", binding_vif_details=dict(VIF_DETAILS), status="ACTIVE")
        if device_owner.startswith("network:router") or device_owner == "network:dhcp":
            row["status"] = "ACTIVE"
        elif device_owner == "network:floatingip":
            row["status"] = "N/A"
        self.insert(conn, m.ports, row)
        row["_fixed_ips"] = self._allocate_ips(conn, net, row, values.get("fixed_ips"))
        return row

    def _check_mac_free(self, conn: Connection, network_id: str, mac: str, skip: str | None = None) -> None:
        p = m.ports
        found = conn.execute(
            select(p.c.id).where(p.c.network_id == network_id, p.c.mac_address == mac)
        ).first()
        if found is not None and found[0] != skip:
            raise conflict(
                "MacAddressInUse",
                f"Unable to complete operation for network {network_id}. The mac address {mac} is in use.",
            )

    def _port_groups(
        self, conn: Connection, values: dict[str, Any], security: bool, device_owner: str
    ) -> list[str]:
        groups = values.get("security_groups")
        if groups is None:
            if not security or device_owner.startswith(NO_SG_OWNERS):
                return []
            return [self.ensure_default_security_group(conn, values["project_id"])]
        if groups and not security:
            raise err(
                "PortSecurityAndIPRequiredForSecurityGroups",
                400,
                "Port security must be enabled and port must have an IP address in order to use "
                "security groups.",
            )
        sg = m.security_groups
        for group_id in groups:
            found = conn.execute(
                select(sg.c.id, sg.c.project_id, sg.c.shared).where(sg.c.id == group_id)
            ).first()
            if found is None or (found[1] != values["project_id"] and not found[2]):
                raise missing("security_group", group_id)
        return list(groups)

    @staticmethod
    def _address_pairs(pairs: list[Any], mac: str, security: bool) -> list[dict[str, str]]:
        if not pairs:
            return []
        if not security:
            raise conflict(
                "AddressPairAndPortSecurityRequired",
                "Port Security must be enabled in order to have allowed address pairs on a port.",
            )
        if len(pairs) > MAX_ALLOWED_ADDRESS_PAIRS:
            raise err(
                "AllowedAddressPairExhausted",
                400,
                f"The number of allowed address pair exceeds the maximum {MAX_ALLOWED_ADDRESS_PAIRS}.",
            )
        out: list[dict[str, str]] = []
        for pair in pairs:
            if not isinstance(pair, dict):
                raise invalid_input(
                    f"Invalid input for allowed_address_pairs. Reason: '{pair}' is not a dictionary"
                )
            extra = set(pair) - {"ip_address", "mac_address"}
            if extra:
                raise bad_request(f"Unrecognized attribute(s) '{', '.join(sorted(extra))}'")
            if "ip_address" not in pair:
                raise err("AllowedAddressPairsMissingIP", 400, "AllowedAddressPair must contain ip_address")
            try:
                ipaddress.ip_network(str(pair["ip_address"]), strict=False)
            except ValueError:
                raise invalid_input(
                    f"Invalid input for allowed_address_pairs. Reason: '{pair['ip_address']}' is "
                    "not a valid IP address"
                ) from None
            pair_mac = str(pair.get("mac_address") or mac).lower()
            entry = {"ip_address": str(pair["ip_address"]), "mac_address": pair_mac}
            if entry in out:
                raise err(
                    "DuplicateAddressPairInRequest",
                    400,
                    f"Request contains duplicate address pair: mac_address {pair_mac} ip_address "
                    f"{pair['ip_address']}.",
                )
            out.append(entry)
        return out

    @staticmethod
    def _dhcp_opts(opts: Any) -> list[dict[str, Any]]:
        if not isinstance(opts, list):
            raise invalid_input(f"Invalid input for extra_dhcp_opts. Reason: '{opts}' is not a list")
        out = []
        for opt in opts:
            if not isinstance(opt, dict) or "opt_name" not in opt:
                raise invalid_input(
                    f"Invalid input for extra_dhcp_opts. Reason: Invalid data format for "
                    f"extra-dhcp-opt: {opt}"
                )
            out.append(
                {
                    "opt_name": opt["opt_name"],
                    "opt_value": opt.get("opt_value"),
                    "ip_version": _dhcp_opt_version(opt.get("ip_version", 4)),
                }
            )
        return out

    # IP allocation --------------------------------------------------------------------------
    def _subnets_of(self, conn: Connection, network_id: str) -> list[dict[str, Any]]:
        raw = sqlite_of(conn)
        if raw is not None:
            return fast(m.subnets).rows(raw, "network_id = ? ORDER BY created_at, id", (network_id,))
        return [dict(r) for r in conn.execute(_SUBNETS_OF, {"network_id": network_id}).mappings()]

    def _allocate_ips(
        self,
        conn: Connection,
        net: dict[str, Any],
        port: dict[str, Any],
        requested: list[dict[str, Any]] | None,
    ) -> list[dict[str, str]]:
        subnets = self._subnets_of(conn, net["id"])
        router_port = port["device_owner"].startswith("network:router")
        plan = self._plan_ips(conn, net, subnets, port, requested, router_port)
        if plan:
            self.insert_many(
                conn,
                m.ip_allocations,
                [
                    {
                        "subnet_id": subnet["id"],
                        "network_id": net["id"],
                        "ip_address": address,
                        "port_id": port["id"],
                    }
                    for subnet, address in plan
                ],
            )
        return sorted(
            ({"subnet_id": s["id"], "ip_address": ip} for s, ip in plan),
            key=lambda f: (":" in f["ip_address"], f["ip_address"]),
        )

    def _plan_ips(
        self,
        conn: Connection,
        net: dict[str, Any],
        subnets: list[dict[str, Any]],
        port: dict[str, Any],
        requested: list[dict[str, Any]] | None,
        router_port: bool,
    ) -> list[tuple[dict[str, Any], str]]:
        plan: list[tuple[dict[str, Any], str]] = []
        by_id = {s["id"]: s for s in subnets}
        if requested is None:
            v4 = [s for s in subnets if s["ip_version"] == 4]
            v6_auto = [
                s
                for s in subnets
                if s["ip_version"] == 6 and s["ipv6_address_mode"] in ipam.AUTO_ADDRESS_MODES
            ]
            v6_stateful = [s for s in subnets if s["ip_version"] == 6 and s not in v6_auto]
            for group in (v4, v6_stateful):
                if not group:
                    continue
                for subnet in group:
                    address = self.ipam.address(conn, subnet)
                    if address is not None:
                        plan.append((subnet, address))
                        break
                else:
                    raise conflict(
                        "IpAddressGenerationFailure",
                        f"No more IP addresses available on network {net['id']}.",
                    )
            if not router_port:
                plan += [(s, ipam.eui64(s["cidr"], port["mac_address"])) for s in v6_auto]
            return plan
        taken: set[tuple[str, str]] = set()
        for entry in requested:
            subnet_id, address = entry.get("subnet_id"), entry.get("ip_address")
            if subnet_id is not None:
                subnet = by_id.get(subnet_id)
                if subnet is None:
                    if self.row(conn, m.subnets, subnet_id) is None:
                        raise missing("subnet", subnet_id)
                    raise invalid_input(
                        f"Failed to create port on network {net['id']}, because fixed_ips included "
                        f"invalid subnet {subnet_id}"
                    )
                if address is not None and not ipam.in_subnet(address, subnet["cidr"]):
                    raise err(
                        "InvalidIpForSubnet",
                        400,
                        f"IP address {address} is not a valid IP for the specified subnet.",
                    )
            else:
                subnet = next((s for s in subnets if ipam.in_subnet(address or "", s["cidr"])), None)
                if subnet is None:
                    raise err(
                        "InvalidIpForNetwork",
                        400,
                        f"IP address {address} is not a valid IP for any of the "
                        "subnets on the specified network.",
                    )
            auto = subnet["ip_version"] == 6 and subnet["ipv6_address_mode"] in ipam.AUTO_ADDRESS_MODES
            if address is None:
                if auto and not router_port:
                    address = ipam.eui64(subnet["cidr"], port["mac_address"])
                else:
                    address = self.ipam.address(conn, subnet)
                    if address is None:
                        raise conflict(
                            "IpAddressGenerationFailure",
                            f"No more IP addresses available on network {net['id']}.",
                        )
            else:
                address = str(ipaddress.ip_address(address))
                if auto and not router_port:
                    raise invalid_input(
                        f"IPv6 address {address} cannot be directly assigned to a port on subnet "
                        f"{subnet['id']} as the subnet is configured for automatic addresses"
                    )
                if (
                    self._allocated(conn, subnet["id"], address, port["id"])
                    or (subnet["id"], address) in taken
                    or (address == subnet["gateway_ip"] and not router_port)
                ):
                    raise conflict(
                        "IpAddressAlreadyAllocated",
                        f"IP address {address} already allocated in subnet {subnet['id']}",
                    )
            taken.add((subnet["id"], address))
            plan.append((subnet, address))
        return plan

    @staticmethod
    def _allocated(conn: Connection, subnet_id: str, address: str, port_id: str) -> bool:
        a = m.ip_allocations
        found = conn.execute(
            select(a.c.port_id).where(a.c.subnet_id == subnet_id, a.c.ip_address == address)
        ).first()
        return found is not None and found[0] != port_id

    # update ---------------------------------------------------------------------------------
    def update_port(self, ctx: RequestContext, port_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        if set(changes) == {"port"} and isinstance(changes["port"], dict):
            changes = changes["port"]
        with self.tx() as conn:
            row = self.port_row(conn, ctx, port_id)
            values = PORT.parse_update(
                ctx, changes, row, self._network_owner_check(conn, ctx, row["network_id"])
            )
            self.apply_port_update(conn, row, values)
            return self.port_view(conn, ctx, self.row(conn, m.ports, port_id) or row)

    def apply_port_update(self, conn: Connection, row: dict[str, Any], values: dict[str, Any]) -> None:
        port_id = row["id"]
        net = self.row(conn, m.networks, row["network_id"])
        assert net is not None
        cols = PORT.row_values(values)
        security = cols.get("port_security_enabled", row["port_security_enabled"])
        if "mac_address" in cols:
            if not isinstance(cols["mac_address"], str):
                raise invalid_attr("mac_address", f"'{cols['mac_address']}' is not a valid MAC address")
            mac = cols["mac_address"].lower().replace("-", ":")
            if row["binding_host_id"] and mac != row["mac_address"]:
                raise conflict(
                    "PortBound",
                    f"Unable to complete operation on port {port_id}, port is already "
                    f"bound, port type: ovs, old_mac {row['mac_address']}, new_mac {mac}.",
                )
            self._check_mac_free(conn, net["id"], mac, skip=port_id)
            cols["mac_address"] = mac
        mac = cols.get("mac_address", row["mac_address"])
        if "security_groups" in values or "port_security_enabled" in values:
            groups = values.get(
                "security_groups", row["security_groups"] if "security_groups" not in values else None
            )
            if "security_groups" not in values and not security:
                if row["security_groups"]:
                    raise err(
                        "PortSecurityPortHasSecurityGroup",
                        409,
                        "Port has security group associated. Cannot disable port security or ip address "
                        "until security group is removed",
                    )
                groups = []
            cols["security_groups"] = self._port_groups(
                conn,
                {"security_groups": groups, "project_id": row["project_id"]},
                security,
                row["device_owner"],
            )
        if "allowed_address_pairs" in values:
            cols["allowed_address_pairs"] = self._address_pairs(
                values["allowed_address_pairs"] or [], mac, security
            )
        elif not security and row["allowed_address_pairs"]:
            raise conflict(
                "AddressPairAndPortSecurityRequired",
                "Port Security must be enabled in order to have allowed address pairs on a port.",
            )
        if "extra_dhcp_opts" in values:
            cols["extra_dhcp_opts"] = self._dhcp_opts(values["extra_dhcp_opts"] or [])
        if "binding:profile" in values:
            cols["binding_profile"] = values["binding:profile"] or {}
        if "binding:host_id" in values:
            host = values["binding:host_id"] or ""
            if host:
                cols.update(binding_vif_type="ovs", binding_vif_details=dict(VIF_DETAILS), status="ACTIVE")
            else:
                cols.update(binding_vif_type="unbound", binding_vif_details={}, status="DOWN")
        if "fixed_ips" in values:
            self._replace_ips(conn, net, {**row, **cols}, values["fixed_ips"] or [])
        self.touch(conn, m.ports, port_id, **cols)

    def _replace_ips(
        self, conn: Connection, net: dict[str, Any], port: dict[str, Any], requested: list[dict[str, Any]]
    ) -> None:
        a = m.ip_allocations
        current = {
            (s, ip)
            for s, ip in conn.execute(select(a.c.subnet_id, a.c.ip_address).where(a.c.port_id == port["id"]))
        }
        keep: set[tuple[str, str]] = set()
        fresh: list[dict[str, Any]] = []
        for entry in requested:
            address = entry.get("ip_address")
            match = (
                [c for c in current if c[1] == address and entry.get("subnet_id") in (None, c[0])]
                if address
                else []
            )
            if match:
                keep.add(match[0])
            else:
                fresh.append(entry)
        for subnet_id, address in current - keep:
            conn.execute(delete(a).where(a.c.subnet_id == subnet_id, a.c.ip_address == address))
        if fresh:
            subnets = self._subnets_of(conn, net["id"])
            router_port = port["device_owner"].startswith("network:router")
            for subnet, address in self._plan_ips(conn, net, subnets, port, fresh, router_port):
                self.insert(
                    conn,
                    m.ip_allocations,
                    {
                        "subnet_id": subnet["id"],
                        "network_id": net["id"],
                        "ip_address": address,
                        "port_id": port["id"],
                    },
                )

    # delete ---------------------------------------------------------------------------------
    def delete_port(self, ctx: RequestContext, port_id: str) -> None:
        with self.tx() as conn:
            row = self.port_row(conn, ctx, port_id)
            if not self.owned(ctx, row):
                raise policy("delete_port")
            owner = row["device_owner"]
            if owner in (
                "network:router_interface",
                "network:router_gateway",
                "network:floatingip",
                "network:router_interface_distributed",
                "network:ha_router_replicated_interface",
            ) and (owner == "network:floatingip" or self.row(conn, m.routers, row["device_id"]) is not None):
                raise conflict(
                    "ServicePortInUse",
                    f"Port {port_id} cannot be deleted directly via the port API: has device owner {owner}.",
                )
            if conn.execute(select(m.trunks.c.id).where(m.trunks.c.port_id == port_id)).first() is not None:
                raise conflict(
                    "PortInUseAsTrunkParent",
                    f"Port {port_id} is currently a parent port for trunk {row['device_id']}.",
                )
            self.remove_port(conn, row)

    def remove_port(self, conn: Connection, row: dict[str, Any]) -> None:
        """Delete a port: its addresses, tags, floating IP associations and trunk membership."""
        port_id = row["id"]
        f = m.floatingips
        conn.execute(
            update(f)
            .where(f.c.port_id == port_id)
            .values(
                port_id=None,
                fixed_ip_address=None,
                router_id=None,
                status="DOWN",
                updated_at=self.now(),
                revision_number=f.c.revision_number + 1,
            )
        )
        conn.execute(delete(m.subports).where(m.subports.c.port_id == port_id))
        conn.execute(delete(m.ip_allocations).where(m.ip_allocations.c.port_id == port_id))
        self.drop_tags(conn, port_id)
        conn.execute(delete(m.ports).where(m.ports.c.id == port_id))


def _dhcp_opt_version(value: Any) -> int:
    if value in (4, 6, "4", "6"):
        return int(value)
    raise invalid_input(f"Invalid input for extra_dhcp_opts. Reason: {value} is not in [4, 6]")
