"""Networking: neutron v2.0 (see docs/network.md).

Does: networks (shared, external, provider attributes, MTU, port security), subnets (v4, v6 with
SLAAC/DHCPv6 modes, pools, gateway, host routes, DNS), subnet pools (prefix allocation), address
scopes, ports (IPAM without races, MACs, binding DOWN -> ACTIVE, allowed address pairs, security
groups, port security, extra DHCP options), routers (interfaces, gateway with SNAT, extra routes),
floating IPs, security groups and rules (per-project ``default`` group), RBAC policies, tags,
quotas, trunks; filters, sorting, pagination and ``fields`` on every list; the interface nova
uses (``NetworkService``); the devstack topology (``public``, shared ``private``, ``router1``).

Does not do yet: agents (``/v2.0/agents`` is empty), DHCP ports, DNS integration, QoS, segments
and multi-provider, port forwardings, metering, DVR/HA behaviour, auto-allocated topology
(``networks: auto`` only picks an existing network), network IP availability, policy files.
"""

from twinstack.services.network.service import NetworkService

__all__ = ["NetworkService"]
