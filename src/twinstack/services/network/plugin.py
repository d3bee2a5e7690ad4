"""Networking (neutron) as a twinstack service."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from twinstack.core.service import CatalogEntry, ServicePlugin

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud
    from twinstack.core.http import ServiceApi


class NetworkPlugin(ServicePlugin):
    name = "network"
    prefix = "/networking"
    aliases = ("/network",)
    catalog = (CatalogEntry("network", "neutron", "/networking"),)

    def create(self, cloud: Cloud) -> Any:
        from twinstack.services.network.service import NetworkService

        return NetworkService(cloud)

    def bootstrap(self, cloud: Cloud) -> None:
        from twinstack.services.network.bootstrap import bootstrap

        bootstrap(cloud, cloud.service("network"))

    def api(self, cloud: Cloud) -> ServiceApi:
        from twinstack.services.network.api import build

        return build(cloud)


PLUGIN = NetworkPlugin()
