"""Routers (interfaces, external gateway with SNAT, extra routes) and floating IPs.

Nothing forwards packets: a router is the record neutron's L3 keeps (its ports and routes),
and a floating IP is associated only when its port's subnet reaches the floating network
through a router, as neutron checks.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy import Connection, delete, select, update

from twinstack.core.context import RequestContext
from twinstack.services.network import ipam
from twinstack.services.network import models as m
from twinstack.services.network.attributes import FLOATINGIP, ROUTER
from twinstack.services.network.errors import bad, conflict, err, invalid_input, missing, not_found, policy
from twinstack.services.network.resource import ListParams
from twinstack.services.network.secgroups import SecurityGroupsMixin

INTERFACE = "network:router_interface"
GATEWAY = "network:router_gateway"
FLOATING = "network:floatingip"
MAX_ROUTES = 30


class RoutersMixin(SecurityGroupsMixin):
    # routers: reads -------------------------------------------------------------------------
    def router_row(self, conn: Connection, ctx: RequestContext, router_id: str) -> dict[str, Any]:
        return self.owned_row(conn, ctx, "router", m.routers, router_id)

    def router_items(self, conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        items = [ROUTER.item(r) for r in rows]
        self.add_tags(conn, items)
        a = m.ip_allocations
        for item, row in zip(items, rows, strict=True):
            info = None
            if row["gw_port_id"]:
                fixed = [
                    {"subnet_id": s, "ip_address": ip}
                    for s, ip in conn.execute(
                        select(a.c.subnet_id, a.c.ip_address).where(a.c.port_id == row["gw_port_id"])
                    )
                ]
                info = {
                    "network_id": row["gw_network_id"],
                    "enable_snat": row["enable_snat"],
                    "external_fixed_ips": fixed,
                }
            item["external_gateway_info"] = info
            item["availability_zones"] = ["nova"]
            item["enable_ndp_proxy"] = False
        return items

    def _router_view(
        self, conn: Connection, ctx: RequestContext, row: dict[str, Any], fields: list[str] | None = None
    ) -> dict[str, Any]:
        return ROUTER.view(self.router_items(conn, [row])[0], ctx, fields)

    def list_routers(self, ctx: RequestContext, params: ListParams) -> list[dict[str, Any]]:
        r = m.routers
        with self.tx() as conn:
            rows = [
                dict(x)
                for x in conn.execute(
                    select(r).where(
                        *[
                            c
                            for c in [self.project_clause(ctx, r), *ROUTER.sql_filters(params)]
                            if c is not None
                        ]
                    )
                ).mappings()
            ]
            items = self.router_items(conn, rows)
        return self.finish_list(ROUTER, ctx, items, params)

    def show_router(
        self, ctx: RequestContext, router_id: str, fields: list[str] | None = None
    ) -> dict[str, Any]:
        with self.tx() as conn:
            return self._router_view(conn, ctx, self.router_row(conn, ctx, router_id), fields)

    # routers: writes ------------------------------------------------------------------------
    def create_router(self, ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
        values = ROUTER.parse_create(ctx, data)
        with self.tx() as conn:
            self.check_quota(conn, values["project_id"], "router")
            row = self.stamp(ROUTER.row_values(values))
            row.update(status="ACTIVE", routes=[], enable_snat=True, gw_port_id=None, gw_network_id=None)
            self.insert(conn, m.routers, row)
            if values.get("external_gateway_info"):
                self._set_gateway(conn, ctx, row, values["external_gateway_info"], "create")
            return self._router_view(conn, ctx, self.row(conn, m.routers, row["id"]) or row)

    def update_router(self, ctx: RequestContext, router_id: str, data: dict[str, Any]) -> dict[str, Any]:
        with self.tx() as conn:
            row = self.router_row(conn, ctx, router_id)
            values = ROUTER.parse_update(ctx, data, row)
            if "external_gateway_info" in values:
                info = values.pop("external_gateway_info")
                if info:
                    self._set_gateway(conn, ctx, row, info, "update")
                else:
                    self._clear_gateway(conn, row)
            if "routes" in values:
                values["routes"] = self._check_routes(conn, row, values["routes"])
            self.touch(conn, m.routers, router_id, **ROUTER.row_values(values))
            return self._router_view(conn, ctx, self.router_row(conn, ctx, router_id))

    def _set_gateway(
        self, conn: Connection, ctx: RequestContext, row: dict[str, Any], info: Any, op: str
    ) -> None:
        if not isinstance(info, dict):
            raise invalid_input(
                f"Invalid input for external_gateway_info. Reason: '{info}' is not a dictionary"
            )
        if "network_id" not in info:
            raise invalid_input(
                f"Invalid input for external_gateway_info. Reason: Validation of dictionary's keys "
                f"failed. Expected keys: {{'network_id'}} Provided keys: {set(info or {})}"
            )
        unknown = set(info) - {"network_id", "enable_snat", "external_fixed_ips", "qos_policy_id"}
        if unknown:
            raise invalid_input(
                f"Invalid input for external_gateway_info. Reason: Unexpected keys supplied: "
                f"{', '.join(sorted(unknown))}"
            )
        for key in ("enable_snat", "external_fixed_ips"):
            if key in info and not ctx.is_admin:
                raise policy(f"{op}_router:external_gateway_info:{key}")
        net_id = info["network_id"]
        net = self.row(conn, m.networks, net_id)
        if net is None:
            raise missing("network", net_id)
        if not net["router_external"]:
            raise bad("router", f"Network {net_id} is not an external network")
        snat = bool(info.get("enable_snat", True))
        if row["gw_network_id"] == net_id and "external_fixed_ips" not in info:
            conn.execute(update(m.routers).where(m.routers.c.id == row["id"]).values(enable_snat=snat))
            return
        if row["gw_port_id"]:
            self._clear_gateway(conn, row)
        fixed = info.get("external_fixed_ips")
        if fixed is not None:
            from twinstack.services.network.validators import fixed_ips

            reason = fixed_ips(fixed)
            if reason:
                raise invalid_input(f"Invalid input for external_gateway_info. Reason: {reason}")
        port = self.new_port(
            conn,
            net,
            {
                "project_id": "",
                "network_id": net_id,
                "device_owner": GATEWAY,
                "device_id": row["id"],
                "fixed_ips": fixed if fixed else None,
                "admin_state_up": True,
                "name": "",
                "description": "",
            },
        )
        conn.execute(
            update(m.routers)
            .where(m.routers.c.id == row["id"])
            .values(gw_port_id=port["id"], gw_network_id=net_id, enable_snat=snat)
        )
        row.update(gw_port_id=port["id"], gw_network_id=net_id)

    def _clear_gateway(self, conn: Connection, row: dict[str, Any]) -> None:
        if not row["gw_port_id"]:
            return
        f = m.floatingips
        if conn.execute(select(f.c.id).where(f.c.router_id == row["id"])).first() is not None:
            raise conflict(
                "RouterExternalGatewayInUseByFloatingIp",
                f"Gateway cannot be updated for router {row['id']}, since a gateway to external network "
                f"{row['gw_network_id']} is required by one or more floating IPs.",
            )
        port = self.row(conn, m.ports, row["gw_port_id"])
        conn.execute(
            update(m.routers)
            .where(m.routers.c.id == row["id"])
            .values(gw_port_id=None, gw_network_id=None, enable_snat=True)
        )
        if port is not None:
            self.remove_port(conn, port)
        row.update(gw_port_id=None, gw_network_id=None)

    def _router_subnets(self, conn: Connection, router_id: str) -> list[dict[str, Any]]:
        p, a, s = m.ports, m.ip_allocations, m.subnets
        query = select(s, a.c.port_id).select_from(
            p.join(a, a.c.port_id == p.c.id).join(s, s.c.id == a.c.subnet_id)
        )
        return [
            dict(r)
            for r in conn.execute(
                query.where(p.c.device_id == router_id, p.c.device_owner == INTERFACE)
            ).mappings()
        ]

    def _check_routes(self, conn: Connection, row: dict[str, Any], routes: Any) -> list[dict[str, str]]:
        from twinstack.services.network.validators import hostroutes

        routes = routes or []
        reason = hostroutes(routes)
        if reason:
            raise invalid_input(f"Invalid input for routes. Reason: {reason}")
        if len(routes) > MAX_ROUTES:
            raise err(
                "RoutesExhausted",
                400,
                f"Unable to complete operation for {row['id']}. The number of routes "
                f"exceeds the maximum {MAX_ROUTES}.",
            )
        cidrs = [ipam.network(s["cidr"]) for s in self._router_subnets(conn, row["id"])]
        if row["gw_port_id"]:
            a = m.ip_allocations
            for (subnet_id,) in conn.execute(select(a.c.subnet_id).where(a.c.port_id == row["gw_port_id"])):
                sub = self.row(conn, m.subnets, subnet_id)
                if sub:
                    cidrs.append(ipam.network(sub["cidr"]))
        for route in routes:
            hop = ipaddress.ip_address(route["nexthop"])
            if not any(hop.version == c.version and hop in c for c in cidrs):
                raise err(
                    "InvalidRoutes",
                    400,
                    f"Invalid format for routes: {routes}, the nexthop is not connected with router",
                )
        return [{"destination": r["destination"], "nexthop": r["nexthop"]} for r in routes]

    def add_extraroutes(self, ctx: RequestContext, router_id: str, body: Any) -> dict[str, Any]:
        return self._change_routes(ctx, router_id, body, add=True)

    def remove_extraroutes(self, ctx: RequestContext, router_id: str, body: Any) -> dict[str, Any]:
        return self._change_routes(ctx, router_id, body, add=False)

    def _change_routes(self, ctx: RequestContext, router_id: str, body: Any, *, add: bool) -> dict[str, Any]:
        routes = ROUTER.body_of(body).get("routes")
        with self.tx() as conn:
            row = self.router_row(conn, ctx, router_id)
            current = list(row["routes"])
            if add:
                new = current + [r for r in self._check_routes(conn, row, routes) if r not in current]
            else:
                new = [r for r in current if r not in (routes or [])]
            self.touch(conn, m.routers, router_id, routes=new)
            return {"router": self._router_view(conn, ctx, self.router_row(conn, ctx, router_id))}

    def delete_router(self, ctx: RequestContext, router_id: str) -> None:
        with self.tx() as conn:
            row = self.router_row(conn, ctx, router_id)
            p = m.ports
            if conn.execute(
                select(p.c.id).where(p.c.device_id == router_id, p.c.device_owner == INTERFACE)
            ).first():
                raise conflict("RouterInUse", f"Router {router_id} still has ports")
            self._clear_gateway(conn, row)
            self.drop_tags(conn, router_id)
            conn.execute(delete(m.routers).where(m.routers.c.id == router_id))

    # interfaces -----------------------------------------------------------------------------
    def add_router_interface(self, ctx: RequestContext, router_id: str, body: Any) -> dict[str, Any]:
        subnet_id, port_id = self._interface_body(body)
        with self.tx() as conn:
            router = self.router_row(conn, ctx, router_id)
            attached = self._router_subnets(conn, router_id)
            if port_id:
                port = self.port_row(conn, ctx, port_id)
                if port["device_id"] or port["device_owner"]:
                    raise conflict(
                        "PortInUse",
                        f"Unable to complete operation on port {port_id} for network "
                        f"{port['network_id']}. Port already has an attached device "
                        f"{port['device_id']}.",
                    )
                subnets = self._port_subnets(conn, port_id)
                if not subnets:
                    raise bad("router", "Router port must have at least one fixed IP")
                for sub in subnets:
                    self._check_attach(router_id, sub, attached)
                self.touch(
                    conn,
                    m.ports,
                    port_id,
                    device_id=router_id,
                    device_owner=INTERFACE,
                    status="ACTIVE",
                    security_groups=[],
                )
            else:
                sub = self.subnet_row(conn, ctx, subnet_id)  # type: ignore[arg-type]
                if not sub["gateway_ip"]:
                    raise bad("router", "Subnet for router interface must have a gateway IP")
                if (
                    sub["ip_version"] == 6
                    and sub["ipv6_address_mode"] == "slaac"
                    and sub["ipv6_ra_mode"] is None
                ):
                    raise bad(
                        "router",
                        f"IPv6 subnet {sub['id']} configured to receive RAs from an external router "
                        "cannot be added to Neutron Router.",
                    )
                self._check_attach(router_id, sub, attached)
                net = self.row(conn, m.networks, sub["network_id"])
                assert net is not None
                port = self.new_port(
                    conn,
                    net,
                    {
                        "project_id": sub["project_id"],
                        "network_id": net["id"],
                        "device_owner": INTERFACE,
                        "device_id": router_id,
                        "fixed_ips": [{"subnet_id": sub["id"], "ip_address": sub["gateway_ip"]}],
                        "admin_state_up": True,
                        "name": "",
                        "description": "",
                    },
                )
                subnets = [sub]
            self.touch(conn, m.routers, router_id)
            return self._interface_info(router, port, subnets)

    @staticmethod
    def _interface_body(body: Any) -> tuple[str | None, str | None]:
        if not isinstance(body, dict):
            raise bad("router", "Either subnet_id or port_id must be specified")
        unknown = set(body) - {"subnet_id", "port_id"}
        if unknown:
            raise bad("router", f"Unrecognized attribute(s) '{', '.join(sorted(unknown))}'")
        subnet_id, port_id = body.get("subnet_id"), body.get("port_id")
        if subnet_id and port_id:
            raise bad("router", "Cannot specify both subnet-id and port-id")
        if not subnet_id and not port_id:
            raise bad("router", "Either subnet_id or port_id must be specified")
        from twinstack.services.network.validators import is_uuid

        for name, value in (("subnet_id", subnet_id), ("port_id", port_id)):
            if value is not None and not is_uuid(value):
                raise invalid_input(f"Invalid input for {name}. Reason: '{value}' is not a valid UUID")
        return subnet_id, port_id

    @staticmethod
    def _check_attach(router_id: str, sub: dict[str, Any], attached: list[dict[str, Any]]) -> None:
        net = ipam.network(sub["cidr"])
        for other in attached:
            if other["id"] == sub["id"]:
                raise bad("router", f"Router already has a port on subnet {sub['id']}")
            if ipam.network(other["cidr"]).overlaps(net):  # type: ignore[arg-type]
                raise bad(
                    "router",
                    f"Cidr {sub['cidr']} of subnet {sub['id']} overlaps with cidr {other['cidr']} "
                    f"of subnet {other['id']}",
                )

    def _port_subnets(self, conn: Connection, port_id: str) -> list[dict[str, Any]]:
        a, s = m.ip_allocations, m.subnets
        return [
            dict(r)
            for r in conn.execute(
                select(s).select_from(a.join(s, s.c.id == a.c.subnet_id)).where(a.c.port_id == port_id)
            ).mappings()
        ]

    @staticmethod
    def _interface_info(
        router: dict[str, Any], port: dict[str, Any], subnets: list[dict[str, Any]]
    ) -> dict[str, Any]:
        return {
            "id": router["id"],
            "tenant_id": router["project_id"],
            "project_id": router["project_id"],
            "port_id": port["id"],
            "network_id": port["network_id"],
            "subnet_id": subnets[0]["id"],
            "subnet_ids": [s["id"] for s in subnets],
        }

    def remove_router_interface(self, ctx: RequestContext, router_id: str, body: Any) -> dict[str, Any]:
        subnet_id, port_id = self._interface_body(body)
        with self.tx() as conn:
            router = self.router_row(conn, ctx, router_id)
            attached = self._router_subnets(conn, router_id)
            if port_id:
                port = self.row(conn, m.ports, port_id)
                if port is None or port["device_id"] != router_id or port["device_owner"] != INTERFACE:
                    raise not_found(
                        "RouterInterfaceNotFound",
                        f"Router {router_id} does not have an interface with id {port_id}",
                    )
                subnets = self._port_subnets(conn, port_id)
                if subnet_id and subnet_id not in [s["id"] for s in subnets]:
                    raise err(
                        "SubnetMismatchForPort",
                        400,
                        f"Subnet on port {port_id} does not match the requested subnet {subnet_id}.",
                    )
            else:
                match = [s for s in attached if s["id"] == subnet_id]
                if not match:
                    raise not_found(
                        "RouterInterfaceNotFoundForSubnet",
                        f"Router {router_id} has no interface on subnet {subnet_id}",
                    )
                port = self.row(conn, m.ports, match[0]["port_id"])
                assert port is not None
                subnets = [match[0]]
            for sub in subnets:
                self._check_interface_unused(conn, router, sub)
            self.remove_port(conn, port)
            self.touch(conn, m.routers, router_id)
            return self._interface_info(router, port, subnets)

    def _check_interface_unused(self, conn: Connection, router: dict[str, Any], sub: dict[str, Any]) -> None:
        f, a = m.floatingips, m.ip_allocations
        used = conn.execute(
            select(f.c.id)
            .select_from(f.join(a, a.c.port_id == f.c.port_id))
            .where(f.c.router_id == router["id"], a.c.subnet_id == sub["id"])
        ).first()
        if used is not None:
            raise conflict(
                "RouterInterfaceInUseByFloatingIP",
                f"Router interface for subnet {sub['id']} on router {router['id']} cannot be deleted, "
                "as it is required by one or more floating IPs.",
            )
        net = ipam.network(sub["cidr"])
        for route in router["routes"]:
            hop = ipaddress.ip_address(route["nexthop"])
            if hop.version == net.version and hop in net:
                raise conflict(
                    "RouterInterfaceInUseByRoute",
                    f"Router interface for subnet {sub['id']} on router {router['id']} cannot be deleted, "
                    "as it is required by one or more routes.",
                )

    # floating IPs ---------------------------------------------------------------------------
    def fip_row(self, conn: Connection, ctx: RequestContext, fip_id: str) -> dict[str, Any]:
        return self.owned_row(conn, ctx, "floatingip", m.floatingips, fip_id)

    def fip_items(self, conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        items = [FLOATINGIP.item(r) for r in rows]
        self.add_tags(conn, items)
        for item in items:
            details = None
            if item["port_id"]:
                port = self.row(conn, m.ports, item["port_id"])
                if port is not None:
                    details = {
                        k: port[k]
                        for k in (
                            "name",
                            "network_id",
                            "mac_address",
                            "admin_state_up",
                            "status",
                            "device_id",
                            "device_owner",
                        )
                    }
            item.update(
                port_details=details, port_forwardings=[], dns_domain="", dns_name="", qos_policy_id=None
            )
        return items

    def _fip_view(
        self, conn: Connection, ctx: RequestContext, row: dict[str, Any], fields: list[str] | None = None
    ) -> dict[str, Any]:
        return FLOATINGIP.view(self.fip_items(conn, [row])[0], ctx, fields)

    def list_floatingips(self, ctx: RequestContext, params: ListParams) -> list[dict[str, Any]]:
        f = m.floatingips
        with self.tx() as conn:
            rows = [
                dict(x)
                for x in conn.execute(
                    select(f).where(
                        *[
                            c
                            for c in [self.project_clause(ctx, f), *FLOATINGIP.sql_filters(params)]
                            if c is not None
                        ]
                    )
                ).mappings()
            ]
            items = self.fip_items(conn, rows)
        return self.finish_list(FLOATINGIP, ctx, items, params)

    def show_floatingip(
        self, ctx: RequestContext, fip_id: str, fields: list[str] | None = None
    ) -> dict[str, Any]:
        with self.tx() as conn:
            return self._fip_view(conn, ctx, self.fip_row(conn, ctx, fip_id), fields)

    def create_floatingip(self, ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
        values = FLOATINGIP.parse_create(ctx, data)
        with self.tx() as conn:
            net_id = values["floating_network_id"]
            net = self.row(conn, m.networks, net_id)
            if net is None:
                raise missing("network", net_id)
            if not net["router_external"]:
                raise bad("floatingip", f"Network {net_id} is not a valid external network")
            self.check_quota(conn, values["project_id"], "floatingip")
            fip_id = self.new_id()
            fixed: list[dict[str, Any]] | None = None
            if values.get("subnet_id") or values.get("floating_ip_address"):
                entry = {}
                if values.get("subnet_id"):
                    entry["subnet_id"] = values["subnet_id"]
                if values.get("floating_ip_address"):
                    entry["ip_address"] = values["floating_ip_address"]
                fixed = [entry]
            else:
                v4 = [s for s in self._subnets_of(conn, net_id) if s["ip_version"] == 4]
                if not v4:
                    raise bad("floatingip", f"Network {net_id} does not contain any IPv4 subnet")
                free = next((s for s in v4 if self.ipam.address(conn, s) is not None), v4[0])
                self.ipam.forget(free["id"])
                fixed = [{"subnet_id": free["id"]}]
            try:
                port = self.new_port(
                    conn,
                    net,
                    {
                        "project_id": "",
                        "network_id": net_id,
                        "device_owner": FLOATING,
                        "device_id": fip_id,
                        "fixed_ips": fixed,
                        "admin_state_up": True,
                        "name": "",
                        "description": "",
                    },
                )
            except Exception as exc:
                if getattr(exc, "kind", "") == "IpAddressGenerationFailure":
                    raise err(
                        "ExternalIpAddressExhausted",
                        400,
                        f"Unable to find any IP address on external network {net_id}.",
                    ) from None
                raise
            v4 = [
                ip
                for s, ip in conn.execute(
                    select(m.ip_allocations.c.subnet_id, m.ip_allocations.c.ip_address).where(
                        m.ip_allocations.c.port_id == port["id"]
                    )
                )
            ]
            if not v4:
                raise bad("floatingip", f"Network {net_id} does not contain any IPv4 subnet")
            row = self.stamp(
                {
                    "id": fip_id,
                    "project_id": values["project_id"],
                    "description": values.get("description") or "",
                    "name": "",
                    "floating_network_id": net_id,
                    "floating_ip_address": v4[0],
                    "floating_port_id": port["id"],
                    "port_id": None,
                    "fixed_ip_address": None,
                    "router_id": None,
                    "status": "DOWN",
                }
            )
            if values.get("port_id"):
                row.update(
                    self._association(conn, ctx, row, values["port_id"], values.get("fixed_ip_address"))
                )
                row["status"] = "ACTIVE"
            self.insert(conn, m.floatingips, row)
            return self._fip_view(conn, ctx, row)

    def _association(
        self, conn: Connection, ctx: RequestContext, fip: dict[str, Any], port_id: str, fixed_ip: str | None
    ) -> dict[str, Any]:
        port = self.row(conn, m.ports, port_id)
        if port is None or port["project_id"] != fip["project_id"] and not ctx.is_admin:
            raise missing("port", port_id)
        a = m.ip_allocations
        ips = [
            (s, ip)
            for s, ip in conn.execute(select(a.c.subnet_id, a.c.ip_address).where(a.c.port_id == port_id))
            if ipaddress.ip_address(ip).version == 4
        ]
        if fixed_ip is not None:
            ips = [x for x in ips if x[1] == fixed_ip]
            if not ips:
                raise bad("floatingip", f"Port {port_id} does not have fixed ip {fixed_ip}")
        elif not ips:
            raise bad("floatingip", f"No IPv4 address found on port {port_id}")
        elif len(ips) > 1:
            raise bad(
                "floatingip",
                f"Port {port_id} has multiple fixed IPv4 addresses.  Must provide a specific "
                "IPv4 address when assigning a floating IP",
            )
        subnet_id, address = ips[0]
        router_id = self._router_for(conn, fip["floating_network_id"], subnet_id)
        if router_id is None:
            raise not_found(
                "ExternalGatewayForFloatingIPNotFound",
                f"External network {fip['floating_network_id']} is not reachable from subnet "
                f"{subnet_id}.  Therefore, cannot associate Port {port_id} with a Floating IP.",
            )
        f = m.floatingips
        other = conn.execute(
            select(f.c.id).where(
                f.c.port_id == port_id,
                f.c.fixed_ip_address == address,
                f.c.floating_network_id == fip["floating_network_id"],
                f.c.id != fip["id"],
            )
        ).first()
        if other is not None:
            raise conflict(
                "FloatingIPPortAlreadyAssociated",
                f"Cannot associate floating IP {fip['floating_ip_address']} ({fip['id']}) with port "
                f"{port_id} using fixed IP {address}, as that fixed IP already has a floating IP on "
                f"external network {fip['floating_network_id']}.",
            )
        return {"port_id": port_id, "fixed_ip_address": address, "router_id": router_id}

    def _router_for(self, conn: Connection, ext_net_id: str, subnet_id: str) -> str | None:
        p, a, r = m.ports, m.ip_allocations, m.routers
        query = (
            select(r.c.id)
            .select_from(r.join(p, p.c.device_id == r.c.id).join(a, a.c.port_id == p.c.id))
            .where(r.c.gw_network_id == ext_net_id, a.c.subnet_id == subnet_id, p.c.device_owner == INTERFACE)
        )
        found = conn.execute(query).first()
        return None if found is None else str(found[0])

    def update_floatingip(self, ctx: RequestContext, fip_id: str, data: dict[str, Any]) -> dict[str, Any]:
        with self.tx() as conn:
            row = self.fip_row(conn, ctx, fip_id)
            values = FLOATINGIP.parse_update(ctx, data, row)
            changes: dict[str, Any] = {}
            if "description" in values:
                changes["description"] = values["description"]
            if "port_id" in values:
                if values["port_id"]:
                    changes.update(
                        self._association(conn, ctx, row, values["port_id"], values.get("fixed_ip_address"))
                    )
                    changes["status"] = "ACTIVE"
                else:
                    changes.update(port_id=None, fixed_ip_address=None, router_id=None, status="DOWN")
            elif "fixed_ip_address" in values and row["port_id"]:
                changes.update(self._association(conn, ctx, row, row["port_id"], values["fixed_ip_address"]))
            self.touch(conn, m.floatingips, fip_id, **changes)
            return self._fip_view(conn, ctx, self.fip_row(conn, ctx, fip_id))

    def delete_floatingip(self, ctx: RequestContext, fip_id: str) -> None:
        with self.tx() as conn:
            row = self.fip_row(conn, ctx, fip_id)
            self.drop_tags(conn, fip_id)
            conn.execute(delete(m.floatingips).where(m.floatingips.c.id == fip_id))
            port = self.row(conn, m.ports, row["floating_port_id"])
            if port is not None:
                self.remove_port(conn, port)
