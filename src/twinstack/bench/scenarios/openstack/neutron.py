"""NeutronNetworks.* (rally-openstack's names, arguments and ``neutron.*`` atomic actions)."""

from __future__ import annotations

import ipaddress
import itertools
import threading
from typing import Any, ClassVar

from twinstack.bench.registry import register
from twinstack.bench.scenarios.openstack.base import OpenStackScenario

_cidr_lock = threading.Lock()
_cidr_counter = itertools.count()


def next_cidr(start: str) -> str:
    """Successive subnets from ``start`` (like Rally's generate_cidr), unique within the process."""
    net = ipaddress.ip_network(start, strict=False)
    with _cidr_lock:
        n = next(_cidr_counter)
    return str(ipaddress.ip_network((int(net.network_address) + n * net.num_addresses, net.prefixlen)))


def create_floating_ip(
    scenario: OpenStackScenario, floating_network: str | None, args: dict[str, Any]
) -> Any:
    net = scenario.clients().network
    if floating_network:
        ext = net.find_network(floating_network, ignore_missing=False)
    else:
        ext = next(iter(net.networks(is_router_external=True)), None)
        if ext is None:
            raise RuntimeError("no external network for floating IPs (give floating_network)")
    with scenario.atomic("neutron.create_floating_ip"):
        fip = net.create_ip(floating_network_id=ext.id, **args)
    scenario.track("floating_ip", fip.id)
    return fip


class NeutronScenario(OpenStackScenario):
    ARG_SCHEMAS: ClassVar[dict[str, Any]] = {
        "network_create_args": {"type": "object"},
        "subnet_create_args": {"type": "object"},
        "router_create_args": {"type": "object"},
        "port_create_args": {"type": "object"},
        "subnets_per_network": {"type": "integer", "minimum": 1},
        "ports_per_network": {"type": "integer", "minimum": 1},
    }

    @property
    def net(self) -> Any:
        return self.clients().network

    def _create(self, kind: str, call: Any, **attrs: Any) -> Any:
        attrs.setdefault("name", self.generate_random_name())
        with self.atomic(f"neutron.create_{kind}"):
            obj = call(**attrs)
        self.track({"floatingip": "floating_ip"}.get(kind, kind), obj.id)
        return obj

    def _delete(self, kind: str, call: Any, obj: Any) -> None:
        with self.atomic(f"neutron.delete_{kind}"):
            call(obj)
        self.untrack(kind, obj.id)

    def _network(self, args: dict[str, Any] | None) -> Any:
        return self._create("network", self.net.create_network, **(args or {}))

    def _subnets(self, network: Any, args: dict[str, Any] | None, start: str, count: int) -> list[Any]:
        return [
            self._create(
                "subnet",
                self.net.create_subnet,
                network_id=network.id,
                ip_version=4,
                cidr=next_cidr(start),
                **(args or {}),
            )
            for _ in range(count)
        ]


def _net_scenarios() -> None:
    @register("scenario", "NeutronNetworks.create_and_list_networks")
    class CreateAndListNetworks(NeutronScenario):
        """Create a network (``network_create_args``) and list networks."""

        def run(self, network_create_args: dict[str, Any] | None = None) -> None:
            self._network(network_create_args)
            with self.atomic("neutron.list_networks"):
                list(self.net.networks())

    @register("scenario", "NeutronNetworks.create_and_delete_networks")
    class CreateAndDeleteNetworks(NeutronScenario):
        """Create a network and delete it."""

        def run(self, network_create_args: dict[str, Any] | None = None) -> None:
            self._delete("network", self.net.delete_network, self._network(network_create_args))

    @register("scenario", "NeutronNetworks.create_and_update_networks")
    class CreateAndUpdateNetworks(NeutronScenario):
        """Create a network and update it with ``network_update_args`` (a new name by default)."""

        def run(
            self,
            network_update_args: dict[str, Any] | None = None,
            network_create_args: dict[str, Any] | None = None,
        ) -> None:
            network = self._network(network_create_args)
            with self.atomic("neutron.update_network"):
                update = network_update_args or {"name": self.generate_random_name()}
                self.net.update_network(network, **update)


def _subnet_scenarios() -> None:
    Args = dict[str, Any] | None

    @register("scenario", "NeutronNetworks.create_and_list_subnets")
    class CreateAndListSubnets(NeutronScenario):
        """Create a network with ``subnets_per_network`` subnets from ``subnet_cidr_start``; list."""

        def run(
            self,
            network_create_args: Args = None,
            subnet_create_args: Args = None,
            subnet_cidr_start: str = "10.2.0.0/24",
            subnets_per_network: int = 1,
        ) -> None:
            self._subnets(
                self._network(network_create_args), subnet_create_args, subnet_cidr_start, subnets_per_network
            )
            with self.atomic("neutron.list_subnets"):
                list(self.net.subnets())

    @register("scenario", "NeutronNetworks.create_and_delete_subnets")
    class CreateAndDeleteSubnets(NeutronScenario):
        """Create subnets on a network and delete them."""

        def run(
            self,
            network_create_args: Args = None,
            subnet_create_args: Args = None,
            subnet_cidr_start: str = "10.2.0.0/24",
            subnets_per_network: int = 1,
        ) -> None:
            for subnet in self._subnets(
                self._network(network_create_args), subnet_create_args, subnet_cidr_start, subnets_per_network
            ):
                self._delete("subnet", self.net.delete_subnet, subnet)

    @register("scenario", "NeutronNetworks.create_and_update_subnets")
    class CreateAndUpdateSubnets(NeutronScenario):
        """Create subnets and update them with ``subnet_update_args``."""

        def run(
            self,
            subnet_update_args: dict[str, Any],
            network_create_args: Args = None,
            subnet_create_args: Args = None,
            subnet_cidr_start: str = "10.2.0.0/24",
            subnets_per_network: int = 1,
        ) -> None:
            for subnet in self._subnets(
                self._network(network_create_args), subnet_create_args, subnet_cidr_start, subnets_per_network
            ):
                with self.atomic("neutron.update_subnet"):
                    self.net.update_subnet(subnet, **subnet_update_args)


def _router_scenarios() -> None:
    Args = dict[str, Any] | None

    class _Routers(NeutronScenario):
        def _routers(
            self,
            network_create_args: Args,
            subnet_create_args: Args,
            subnet_cidr_start: str,
            subnets_per_network: int,
            router_create_args: Args,
        ) -> list[Any]:
            routers = []
            for subnet in self._subnets(
                self._network(network_create_args), subnet_create_args, subnet_cidr_start, subnets_per_network
            ):
                router = self._create("router", self.net.create_router, **(router_create_args or {}))
                with self.atomic("neutron.add_interface_router"):
                    self.net.add_interface_to_router(router, subnet_id=subnet.id)
                self.track("router_interface", f"{router.id}/{subnet.id}")
                routers.append((router, subnet))
            return routers

    @register("scenario", "NeutronNetworks.create_and_list_routers")
    class CreateAndListRouters(_Routers):
        """Create a network, subnets and a router on each subnet; list routers."""

        def run(
            self,
            network_create_args: Args = None,
            subnet_create_args: Args = None,
            subnet_cidr_start: str = "10.2.0.0/24",
            subnets_per_network: int = 1,
            router_create_args: Args = None,
        ) -> None:
            self._routers(
                network_create_args,
                subnet_create_args,
                subnet_cidr_start,
                subnets_per_network,
                router_create_args,
            )
            with self.atomic("neutron.list_routers"):
                list(self.net.routers())

    @register("scenario", "NeutronNetworks.create_and_delete_routers")
    class CreateAndDeleteRouters(_Routers):
        """Create routers on new subnets, then remove their interfaces and delete them."""

        def run(
            self,
            network_create_args: Args = None,
            subnet_create_args: Args = None,
            subnet_cidr_start: str = "10.2.0.0/24",
            subnets_per_network: int = 1,
            router_create_args: Args = None,
        ) -> None:
            for router, subnet in self._routers(
                network_create_args,
                subnet_create_args,
                subnet_cidr_start,
                subnets_per_network,
                router_create_args,
            ):
                with self.atomic("neutron.remove_interface_router"):
                    self.net.remove_interface_from_router(router, subnet_id=subnet.id)
                self.untrack("router_interface", f"{router.id}/{subnet.id}")
                self._delete("router", self.net.delete_router, router)

    @register("scenario", "NeutronNetworks.create_and_update_routers")
    class CreateAndUpdateRouters(_Routers):
        """Create routers on new subnets and update them with ``router_update_args``."""

        def run(
            self,
            router_update_args: dict[str, Any],
            network_create_args: Args = None,
            subnet_create_args: Args = None,
            subnet_cidr_start: str = "10.2.0.0/24",
            subnets_per_network: int = 1,
            router_create_args: Args = None,
        ) -> None:
            for router, _ in self._routers(
                network_create_args,
                subnet_create_args,
                subnet_cidr_start,
                subnets_per_network,
                router_create_args,
            ):
                with self.atomic("neutron.update_router"):
                    self.net.update_router(router, **router_update_args)


def _port_scenarios() -> None:
    Args = dict[str, Any] | None

    class _Ports(NeutronScenario):
        def _ports(self, network_create_args: Args, port_create_args: Args, count: int) -> list[Any]:
            network = self._network(network_create_args)
            return [
                self._create("port", self.net.create_port, network_id=network.id, **(port_create_args or {}))
                for _ in range(count)
            ]

    @register("scenario", "NeutronNetworks.create_and_list_ports")
    class CreateAndListPorts(_Ports):
        """Create a network with ``ports_per_network`` ports; list ports."""

        def run(
            self, network_create_args: Args = None, port_create_args: Args = None, ports_per_network: int = 1
        ) -> None:
            self._ports(network_create_args, port_create_args, ports_per_network)
            with self.atomic("neutron.list_ports"):
                list(self.net.ports())

    @register("scenario", "NeutronNetworks.create_and_delete_ports")
    class CreateAndDeletePorts(_Ports):
        """Create ports on a new network and delete them."""

        def run(
            self, network_create_args: Args = None, port_create_args: Args = None, ports_per_network: int = 1
        ) -> None:
            for port in self._ports(network_create_args, port_create_args, ports_per_network):
                self._delete("port", self.net.delete_port, port)

    @register("scenario", "NeutronNetworks.create_and_update_ports")
    class CreateAndUpdatePorts(_Ports):
        """Create ports on a new network and update them with ``port_update_args``."""

        def run(
            self,
            port_update_args: dict[str, Any],
            network_create_args: Args = None,
            port_create_args: Args = None,
            ports_per_network: int = 1,
        ) -> None:
            for port in self._ports(network_create_args, port_create_args, ports_per_network):
                with self.atomic("neutron.update_port"):
                    self.net.update_port(port, **port_update_args)


@register("scenario", "NeutronNetworks.create_and_list_floating_ips")
class CreateAndListFloatingIPs(NeutronScenario):
    """Create a floating IP on ``floating_network`` (default: the external one) and list them."""

    def run(
        self, floating_network: str | None = None, floating_ip_args: dict[str, Any] | None = None
    ) -> None:
        create_floating_ip(self, floating_network, floating_ip_args or {})
        with self.atomic("neutron.list_floating_ips"):
            list(self.net.ips())


@register("scenario", "NeutronNetworks.create_and_delete_floating_ips")
class CreateAndDeleteFloatingIPs(NeutronScenario):
    """Create a floating IP and delete it."""

    def run(
        self, floating_network: str | None = None, floating_ip_args: dict[str, Any] | None = None
    ) -> None:
        fip = create_floating_ip(self, floating_network, floating_ip_args or {})
        with self.atomic("neutron.delete_floating_ip"):
            self.net.delete_ip(fip)
        self.untrack("floating_ip", fip.id)


_net_scenarios()
_subnet_scenarios()
_router_scenarios()
_port_scenarios()
