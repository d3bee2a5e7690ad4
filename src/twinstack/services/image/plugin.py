"""Image (glance) as a twinstack service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from twinstack.core.service import CatalogEntry, ServicePlugin

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud
    from twinstack.core.http import ServiceApi


class ImagePlugin(ServicePlugin):
    name = "image"
    prefix = "/image"
    catalog = (CatalogEntry("image", "glance", "/image"),)

    def api(self, cloud: Cloud) -> ServiceApi:
        from twinstack.services.image.api import build

        return build(cloud)


PLUGIN = ImagePlugin()
