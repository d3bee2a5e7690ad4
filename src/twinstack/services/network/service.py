"""The network service layer: neutron's rules over its tables.

Other services reach networking only through ``NetworkService`` (``cloud.service("network")``);
the HTTP API is a thin adapter over the same methods. The class is assembled from one mixin per
topic, each in its own module:

- ``networks.py``: networks, RBAC policies, address scopes
- ``subnets.py``: subnets and subnet pools (prefix allocation)
- ``ports.py``: ports and IPAM (``ipam.py``)
- ``secgroups.py``: security groups and rules
- ``routers.py``: routers, interfaces, gateways, extra routes, floating IPs
- ``extras.py``: tags, quotas, trunks
- ``nova.py``: what nova asks for an instance (allocate, bind, unbind, deallocate, addresses)

Every public method takes a ``RequestContext`` and returns neutron's view of the resource as
that context may see it; errors are ``ApiError``s with neutron's type and message.
"""

from __future__ import annotations

from twinstack.services.network.nova import NovaMixin


class NetworkService(NovaMixin):
    """neutron v2.0 for one cloud."""
