"""Placement as a twinstack service."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from twinstack.core.service import CatalogEntry, ServicePlugin

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud
    from twinstack.core.http import ServiceApi


class PlacementPlugin(ServicePlugin):
    name = "placement"
    prefix = "/placement"
    catalog = (CatalogEntry("placement", "placement", "/placement"),)

    def create(self, cloud: Cloud) -> Any:
        from twinstack.services.placement.service import PlacementService

        return PlacementService(cloud)

    def bootstrap(self, cloud: Cloud) -> None:
        cloud.service("placement").load()

    def api(self, cloud: Cloud) -> ServiceApi:
        from twinstack.services.placement.api import build

        return build(cloud)


PLUGIN = PlacementPlugin()
