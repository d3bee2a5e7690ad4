"""Identity (keystone v3) as a twinstack service."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from twinstack.core.service import CatalogEntry, ServicePlugin

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud
    from twinstack.core.http import ServiceApi


class IdentityPlugin(ServicePlugin):
    name = "identity"
    prefix = "/identity"
    catalog = (CatalogEntry("identity", "keystone", "/identity"),)

    def create(self, cloud: Cloud) -> Any:
        from twinstack.services.identity.service import IdentityService

        return IdentityService(cloud)

    def bootstrap(self, cloud: Cloud) -> None:
        from twinstack.services.identity.bootstrap import bootstrap

        identity = cloud.service("identity")
        identity.tokens.load()
        bootstrap(cloud, identity)

    def api(self, cloud: Cloud) -> ServiceApi:
        from twinstack.services.identity.api import build

        return build(cloud)


PLUGIN = IdentityPlugin()
