"""Block storage (cinder) as a twinstack service."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from twinstack.core.service import CatalogEntry, ServicePlugin

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud
    from twinstack.core.http import ServiceApi


class BlockStoragePlugin(ServicePlugin):
    name = "block_storage"
    prefix = "/volume"
    catalog = (
        CatalogEntry("block-storage", "cinder", "/volume/v3/$(project_id)s"),
        CatalogEntry("volumev3", "cinderv3", "/volume/v3/$(project_id)s"),
    )

    def create(self, cloud: Cloud) -> Any:
        from twinstack.services.block_storage.service import BlockStorageService

        return BlockStorageService(cloud)

    def bootstrap(self, cloud: Cloud) -> None:
        cloud.service(self.name).bootstrap()

    def api(self, cloud: Cloud) -> ServiceApi:
        from twinstack.services.block_storage.api import build

        return build(cloud)

    async def start(self, cloud: Cloud) -> None:
        await cloud.service(self.name).start()

    async def stop(self, cloud: Cloud) -> None:
        await cloud.service(self.name).stop()


PLUGIN = BlockStoragePlugin()
