"""Placement as a twinstack service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from twinstack.core.service import CatalogEntry, ServicePlugin

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud
    from twinstack.core.http import ServiceApi


class PlacementPlugin(ServicePlugin):
    name = "placement"
    prefix = "/placement"
    catalog = (CatalogEntry("placement", "placement", "/placement"),)

    def api(self, cloud: Cloud) -> ServiceApi:
        from twinstack.services.placement.api import build

        return build(cloud)


PLUGIN = PlacementPlugin()
