"""Image (glance) as a twinstack service."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from twinstack.core.service import CatalogEntry, ServicePlugin

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud
    from twinstack.core.http import ServiceApi


class ImagePlugin(ServicePlugin):
    name = "image"
    prefix = "/image"
    catalog = (CatalogEntry("image", "glance", "/image"),)

    def create(self, cloud: Cloud) -> Any:
        from twinstack.services.image.service import ImageService

        return ImageService(cloud)

    def bootstrap(self, cloud: Cloud) -> None:
        from twinstack.services.image.bootstrap import bootstrap

        bootstrap(cloud, cloud.service("image"))

    def api(self, cloud: Cloud) -> ServiceApi:
        from twinstack.services.image.api import build

        return build(cloud)

    async def stop(self, cloud: Cloud) -> None:
        cloud.service("image").close()


PLUGIN = ImagePlugin()
