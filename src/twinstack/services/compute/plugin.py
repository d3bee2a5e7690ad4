"""Compute (nova) as a twinstack service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from twinstack.core.service import CatalogEntry, ServicePlugin

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud
    from twinstack.core.http import ServiceApi


class ComputePlugin(ServicePlugin):
    name = "compute"
    prefix = "/compute"
    catalog = (CatalogEntry("compute", "nova", "/compute/v2.1"),)

    def api(self, cloud: Cloud) -> ServiceApi:
        from twinstack.services.compute.api import build

        return build(cloud)


PLUGIN = ComputePlugin()
