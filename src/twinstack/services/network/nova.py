"""What nova asks of neutron for an instance: allocate, bind, unbind, deallocate, addresses.

Allocation is one transaction: either every requested port exists afterwards or none does.
Binding sets ``binding:host_id``, ``binding:vif_type`` and ``device_owner compute:<az>``, moves
the port DOWN -> ACTIVE and notifies ``network.vif_plugged`` (nova's ``network-vif-plugged``
external event) after the transaction has committed.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy import Connection, select, update

from twinstack.core.context import RequestContext
from twinstack.services.network import models as m
from twinstack.services.network.attributes import PORT
from twinstack.services.network.errors import conflict, missing, not_found
from twinstack.services.network.extras import ExtrasMixin
from twinstack.services.network.ports import VIF_DETAILS


class NovaMixin(ExtrasMixin):
    def allocate_for_instance(
        self,
        ctx: RequestContext,
        *,
        instance_id: str,
        project_id: str,
        requested: list[dict[str, Any]] | str | None,
        security_groups: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        if requested == "none":
            return []
        with self.tx() as conn:
            groups = self._resolve_groups(conn, project_id, security_groups)
            if requested is None or requested == "auto":
                net = self._only_network(conn, project_id)
                if net is None:
                    return []
                requested = [{"uuid": net["id"]}]
            rows = []
            for item in requested:
                if item.get("port"):
                    rows.append(self._take_port(conn, project_id, instance_id, item["port"]))
                    continue
                net = self.row(conn, m.networks, item.get("uuid") or "")
                if net is None or not (ctx.is_admin or self._usable_by(conn, net, project_id)):
                    raise missing("network", item.get("uuid") or "")
                self.check_quota(conn, project_id, "port")
                values: dict[str, Any] = {
                    "project_id": project_id,
                    "network_id": net["id"],
                    "device_id": instance_id,
                    "device_owner": "",
                    "admin_state_up": True,
                    "name": "",
                    "description": "",
                    "binding:vnic_type": "normal",
                    "security_groups": groups,
                }
                if not net["port_security_enabled"] and groups:
                    values["security_groups"] = []
                if item.get("fixed_ip"):
                    values["fixed_ips"] = [{"ip_address": item["fixed_ip"]}]
                rows.append(self.new_port(conn, net, values))
            return [PORT.view(i, ctx) for i in self.port_items(conn, rows)]

    def _resolve_groups(self, conn: Connection, project_id: str, names: list[str] | None) -> list[str] | None:
        if not names:
            return None
        sg = m.security_groups
        self.ensure_default_security_group(conn, project_id)
        rows = conn.execute(select(sg.c.id, sg.c.name).where(sg.c.project_id == project_id)).all()
        out = []
        for name in names:
            match = [r[0] for r in rows if r[1] == name or r[0] == name]
            if not match:
                raise not_found("SecurityGroupNotFound", f"Security group {name} not found.")
            if len(match) > 1:
                raise conflict(
                    "NoUniqueMatch",
                    f"Multiple security groups found matching '{name}'. Use an ID to be more specific.",
                )
            out.append(match[0])
        return out

    def _usable_by(self, conn: Connection, net: dict[str, Any], project_id: str) -> bool:
        if net["project_id"] == project_id or net["shared"]:
            return True
        r = m.rbac_policies
        return (
            conn.execute(
                select(r.c.id).where(
                    r.c.object_id == net["id"],
                    r.c.action == "access_as_shared",
                    r.c.target_tenant.in_([project_id, "*"]),
                )
            ).first()
            is not None
        )

    def _only_network(self, conn: Connection, project_id: str) -> dict[str, Any] | None:
        """Nova's rule with no networks requested: the project's own networks, else shared ones;
        exactly one, or none at all."""
        n = m.networks
        own = [
            dict(r)
            for r in conn.execute(
                select(n).where(n.c.project_id == project_id, n.c.router_external.is_(False))
            ).mappings()
        ]
        candidates = own or [
            dict(r)
            for r in conn.execute(
                select(n).where(n.c.shared.is_(True), n.c.router_external.is_(False))
            ).mappings()
        ]
        if len(candidates) > 1:
            raise conflict(
                "NetworkAmbiguous", "Multiple possible networks found, use a Network ID to be more specific."
            )
        return candidates[0] if candidates else None

    def _take_port(self, conn: Connection, project_id: str, instance_id: str, port_id: str) -> dict[str, Any]:
        row = self.row(conn, m.ports, port_id)
        if row is None or row["project_id"] != project_id:
            raise missing("port", port_id)
        if row["device_id"] and row["device_id"] != instance_id:
            raise conflict("PortInUse", f"Port {port_id} is still in use.")
        conn.execute(
            update(m.ports)
            .where(m.ports.c.id == port_id)
            .values(
                device_id=instance_id,
                preserve_on_delete=True,
                updated_at=self.now(),
                revision_number=m.ports.c.revision_number + 1,
            )
        )
        return {**row, "device_id": instance_id}

    def _instance_ports(self, conn: Connection, instance_id: str) -> list[dict[str, Any]]:
        p = m.ports
        return [
            dict(r)
            for r in conn.execute(
                select(p).where(p.c.device_id == instance_id).order_by(p.c.created_at, p.c.id)
            ).mappings()
        ]

    def bind_ports_for_instance(
        self, ctx: RequestContext, instance_id: str, host: str, az: str = "nova"
    ) -> list[dict[str, Any]]:
        with self.tx() as conn:
            rows = self._instance_ports(conn, instance_id)
            for row in rows:
                self.touch(
                    conn,
                    m.ports,
                    row["id"],
                    binding_host_id=host,
                    binding_vif_type="ovs",
                    binding_vif_details=dict(VIF_DETAILS),
                    device_owner=f"compute:{az}",
                    status="ACTIVE",
                )
            rows = self._instance_ports(conn, instance_id)
            views = [PORT.view(i, ctx) for i in self.port_items(conn, rows)]
        for view in views:
            self.cloud.bus.notify("network.vif_plugged", {"port_id": view["id"], "device_id": instance_id})
        return views

    def unbind_ports_for_instance(self, ctx: RequestContext, instance_id: str) -> None:
        with self.tx() as conn:
            for row in self._instance_ports(conn, instance_id):
                self.touch(
                    conn,
                    m.ports,
                    row["id"],
                    binding_host_id="",
                    binding_vif_type="unbound",
                    binding_vif_details={},
                    status="DOWN",
                )

    def deallocate_for_instance(self, ctx: RequestContext, instance_id: str) -> None:
        with self.tx() as conn:
            for row in self._instance_ports(conn, instance_id):
                if row["preserve_on_delete"]:
                    self.touch(
                        conn,
                        m.ports,
                        row["id"],
                        binding_host_id="",
                        binding_vif_type="unbound",
                        binding_vif_details={},
                        status="DOWN",
                        device_id="",
                        device_owner="",
                        preserve_on_delete=False,
                    )
                else:
                    self.remove_port(conn, row)

    def instance_addresses(self, instance_id: str) -> dict[str, list[dict[str, Any]]]:
        """Nova's ``addresses`` of one instance: {network name: [fixed..., floating...]}."""
        return self.instance_network_info_many([instance_id])[0].get(instance_id, {})

    def instance_network_info_many(
        self, instance_ids: list[str]
    ) -> tuple[dict[str, dict[str, list[dict[str, Any]]]], dict[str, list[str]]]:
        """``addresses`` and security group names of many instances, in a few queries (server
        lists): ({instance id: addresses}, {instance id: [group names]})."""
        addresses: dict[str, dict[str, list[dict[str, Any]]]] = {}
        groups: dict[str, list[str]] = {}
        if not instance_ids:
            return addresses, groups
        p, a, f, n, sg = m.ports, m.ip_allocations, m.floatingips, m.networks, m.security_groups
        with self.tx() as conn:
            ports = [
                dict(r)
                for r in conn.execute(
                    select(p.c.id, p.c.device_id, p.c.network_id, p.c.mac_address, p.c.security_groups)
                    .where(p.c.device_id.in_(instance_ids))
                    .order_by(p.c.created_at, p.c.id)
                ).mappings()
            ]
            if not ports:
                return addresses, groups
            port_ids = [x["id"] for x in ports]
            fixed: dict[str, list[str]] = {}
            for port_id, address in conn.execute(
                select(a.c.port_id, a.c.ip_address).where(a.c.port_id.in_(port_ids))
            ):
                fixed.setdefault(port_id, []).append(address)
            floating: dict[str, list[str]] = {}
            for port_id, address in conn.execute(
                select(f.c.port_id, f.c.floating_ip_address).where(f.c.port_id.in_(port_ids))
            ):
                floating.setdefault(port_id, []).append(address)
            net_ids = {x["network_id"] for x in ports}
            names = dict(conn.execute(select(n.c.id, n.c.name).where(n.c.id.in_(net_ids))).all())
            group_ids = {g for x in ports for g in x["security_groups"] or []}
            group_names = (
                dict(conn.execute(select(sg.c.id, sg.c.name).where(sg.c.id.in_(group_ids))).all())
                if group_ids
                else {}
            )
        for port in ports:
            by_network = addresses.setdefault(port["device_id"], {})
            entries = by_network.setdefault(names.get(port["network_id"], ""), [])
            ordered = sorted(fixed.get(port["id"], []), key=lambda ip: (":" in ip, ip))
            for kind, ips in (("fixed", ordered), ("floating", floating.get(port["id"], []))):
                for address in ips:
                    entries.append(
                        {
                            "addr": address,
                            "version": ipaddress.ip_address(address).version,
                            "OS-EXT-IPS:type": kind,
                            "OS-EXT-IPS-MAC:mac_addr": port["mac_address"],
                        }
                    )
            seen = groups.setdefault(port["device_id"], [])
            for group_id in port["security_groups"] or []:
                name = group_names.get(group_id)
                if name is not None and name not in seen:
                    seen.append(name)
        return addresses, groups
