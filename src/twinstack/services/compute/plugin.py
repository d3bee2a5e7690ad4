"""Compute (nova) as a twinstack service."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from twinstack.core.service import CatalogEntry, ServicePlugin

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud
    from twinstack.core.http import ServiceApi


class ComputePlugin(ServicePlugin):
    name = "compute"
    prefix = "/compute"
    catalog = (CatalogEntry("compute", "nova", "/compute/v2.1"),)

    def create(self, cloud: Cloud) -> Any:
        from twinstack.services.compute.service import ComputeService

        return ComputeService(cloud)

    def bootstrap(self, cloud: Cloud) -> None:
        cloud.service("compute").bootstrap()

    def api(self, cloud: Cloud) -> ServiceApi:
        from twinstack.services.compute.api import build

        return build(cloud)

    async def start(self, cloud: Cloud) -> None:
        await cloud.service("compute").start_fleet()

    async def stop(self, cloud: Cloud) -> None:
        await cloud.service("compute").stop_fleet()


PLUGIN = ComputePlugin()
