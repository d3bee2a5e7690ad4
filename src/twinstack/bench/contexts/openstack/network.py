"""``network`` (350): per tenant networks with subnets, and a router to the external network."""

from __future__ import annotations

import ipaddress
import secrets
import threading
from typing import Any, ClassVar

from twinstack.bench.contexts.base import Context
from twinstack.bench.contexts.openstack.cleanup import delete_resource
from twinstack.bench.registry import register

_cidr_lock = threading.Lock()


def _name(ctx: dict[str, Any]) -> str:
    return f"rally_{ctx['task']['name_tag']}_{secrets.token_hex(4)}"


@register("context", "network")
class Network(Context):
    """Create ``networks_per_tenant`` (1) networks per tenant, each with ``subnets_per_network``
    (1) subnets carved from ``start_cidr`` (10.2.0.0/24), ``dns_nameservers``, and, unless
    ``router: {external: false}``, a router with a gateway on the external network (if any).
    ``network_create_args`` go to the network create call. Results: ``tenant["networks"]``."""

    ORDER: ClassVar[int] = 350
    PLATFORM: ClassVar[str | None] = "openstack"
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "start_cidr": {"type": "string"},
            "networks_per_tenant": {"type": "integer", "minimum": 1},
            "subnets_per_network": {"type": "integer", "minimum": 1},
            "network_create_args": {"type": "object"},
            "dns_nameservers": {"type": "array", "items": {"type": "string"}},
            "dualstack": {"type": "boolean"},
            "router": {
                "type": "object",
                "properties": {
                    "external": {"type": "boolean"},
                    "enable_snat": {"type": "boolean"},
                    "external_gateway_info": {"type": "object"},
                },
            },
        },
    }

    def setup(self) -> None:
        self.created: list[tuple[str, str, dict[str, Any]]] = []
        cfg = self.config
        subnet_iter = ipaddress.ip_network(cfg.get("start_cidr", "10.2.0.0/24"))
        size = subnet_iter.prefixlen
        next_net = int(subnet_iter.network_address)
        router_cfg = cfg.get("router", {"external": True})
        seen: set[str] = set()
        for user in self.ctx["users"]:
            if user["tenant_id"] in seen:
                continue
            seen.add(user["tenant_id"])
            net_api = self.env.connection(user).network
            external = None
            if router_cfg.get("external", True) and "external_gateway_info" not in router_cfg:
                external = next(
                    iter(self.env.admin_connection().network.networks(is_router_external=True)), None
                )
            networks = []
            for _ in range(cfg.get("networks_per_tenant", 1)):
                net = net_api.create_network(name=_name(self.ctx), **cfg.get("network_create_args", {}))
                self.created.append(("network", net.id, user))
                router_id = None
                if router_cfg.get("external", True):
                    gw = router_cfg.get("external_gateway_info") or (
                        {"network_id": external.id} if external is not None else None
                    )
                    attrs: dict[str, Any] = {"name": _name(self.ctx)}
                    if gw:
                        attrs["external_gateway_info"] = gw
                    router = net_api.create_router(**attrs)
                    self.created.append(("router", router.id, user))
                    router_id = router.id
                subnets = []
                for _ in range(cfg.get("subnets_per_network", 1)):
                    with _cidr_lock:
                        cidr = ipaddress.ip_network((next_net, size))
                        next_net += cidr.num_addresses
                    subnet = net_api.create_subnet(
                        network_id=net.id,
                        cidr=str(cidr),
                        ip_version=4,
                        name=_name(self.ctx),
                        dns_nameservers=cfg.get("dns_nameservers", []),
                    )
                    self.created.append(("subnet", subnet.id, user))
                    if router_id:
                        net_api.add_interface_to_router(router_id, subnet_id=subnet.id)
                        self.created.append(("router_interface", f"{router_id}/{subnet.id}", user))
                    subnets.append(subnet.id)
                networks.append({"id": net.id, "name": net.name, "subnets": subnets, "router_id": router_id})
            self.ctx["tenants"][user["tenant_id"]]["networks"] = networks

    def cleanup(self) -> None:
        order = {"router_interface": 0, "subnet": 1, "router": 2, "network": 3}
        for kind, rid, user in sorted(reversed(getattr(self, "created", [])), key=lambda c: order[c[0]]):
            if kind == "network":
                conn = self.env.connection(user)
                for port in conn.network.ports(network_id=rid, device_owner="network:dhcp"):
                    conn.network.delete_port(port, ignore_missing=True)
            delete_resource(self.env.connection(user), kind, rid)


@register("context", "existing_network")
class ExistingNetwork(Context):
    """Use the networks each tenant already has (``tenant["networks"]``)."""

    ORDER: ClassVar[int] = 349
    PLATFORM: ClassVar[str | None] = "openstack"
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {"type": "object", "additionalProperties": False}

    def setup(self) -> None:
        for user in self.ctx["users"]:
            conn = self.env.connection(user)
            nets = [
                {"id": n.id, "name": n.name, "subnets": list(n.subnet_ids or [])}
                for n in conn.network.networks(project_id=user["tenant_id"])
            ]
            self.ctx["tenants"][user["tenant_id"]]["networks"] = nets

    def cleanup(self) -> None:
        pass
