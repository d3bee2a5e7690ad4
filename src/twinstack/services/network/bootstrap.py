"""The topology devstack leaves in a fresh neutron (idempotent: runs at every start).

- ``public``: external (``router:external``), not shared, owned by the admin project, flat on
  physical network ``public``, subnet ``public-subnet`` 172.24.4.0/24 (gateway .1, pool .2-.254).
- ``private``: owned by the demo project and **shared** (so that any project, e.g. one Rally or
  Tempest just made, can boot a server without creating a network), subnet ``private-subnet``
  10.0.0.0/26, and router ``router1`` (demo project) with its gateway on ``public`` and an
  interface on ``private-subnet``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import select

from twinstack.core.context import RequestContext
from twinstack.core.errors import ApiError
from twinstack.services.network import models as m

LOG = logging.getLogger(__name__)

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud
    from twinstack.services.network.service import NetworkService


def bootstrap(cloud: Cloud, service: NetworkService) -> None:
    try:
        _seed(cloud, service)
    except ApiError as exc:  # e.g. an operator deleted or reused part of the topology
        LOG.warning("network bootstrap left the seeded topology as it is: %s", exc.message)


def _seed(cloud: Cloud, service: NetworkService) -> None:
    identity = cloud.service("identity")
    admin_project = identity.find_project_by_name("admin", "default")["id"]
    demo_project = identity.find_project_by_name("demo", "default")["id"]
    admin = RequestContext.admin_context("req-network-bootstrap")
    admin.project_id = admin_project

    public = _find(service, "networks", "public", admin_project)
    if public is None:
        public = service.create_network(
            admin,
            {
                "name": "public",
                "router:external": True,
                "shared": False,
                "project_id": admin_project,
                "provider:network_type": "flat",
                "provider:physical_network": "public",
                "mtu": 1500,
            },
        )
    public_id = public["id"]
    if _find(service, "subnets", "public-subnet", admin_project) is None:
        service.create_subnet(
            admin,
            {
                "name": "public-subnet",
                "network_id": public_id,
                "ip_version": 4,
                "cidr": "172.24.4.0/24",
                "gateway_ip": "172.24.4.1",
                "allocation_pools": [{"start": "172.24.4.2", "end": "172.24.4.254"}],
                "enable_dhcp": False,
                "project_id": admin_project,
            },
        )

    private = _find(service, "networks", "private", demo_project)
    if private is None:
        private = service.create_network(
            admin, {"name": "private", "shared": True, "project_id": demo_project}
        )
    subnet = _find(service, "subnets", "private-subnet", demo_project)
    if subnet is None:
        subnet = service.create_subnet(
            admin,
            {
                "name": "private-subnet",
                "network_id": private["id"],
                "ip_version": 4,
                "cidr": "10.0.0.0/26",
                "project_id": demo_project,
            },
        )
    router = _find(service, "routers", "router1", demo_project)
    if router is None:
        router = service.create_router(
            admin,
            {
                "name": "router1",
                "project_id": demo_project,
                "external_gateway_info": {"network_id": public_id},
            },
        )
        service.add_router_interface(admin, router["id"], {"subnet_id": subnet["id"]})


def _find(service: NetworkService, collection: str, name: str, project_id: str) -> dict | None:  # type: ignore[type-arg]
    table = {"networks": m.networks, "subnets": m.subnets, "routers": m.routers}[collection]
    with service.db.begin() as conn:
        row = conn.execute(
            select(table.c.id).where(table.c.name == name, table.c.project_id == project_id)
        ).first()
    if row is None:
        return None
    return {"id": row[0]}
