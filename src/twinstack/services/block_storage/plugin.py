"""Block storage (cinder) as a twinstack service."""

from __future__ import annotations

from typing import TYPE_CHECKING

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

    def api(self, cloud: Cloud) -> ServiceApi:
        from twinstack.services.block_storage.api import build

        return build(cloud)


PLUGIN = BlockStoragePlugin()
