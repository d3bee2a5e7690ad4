"""What every service plugs into the cloud: its API, its service layer, its lifecycle."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud
    from twinstack.core.http import ServiceApi


@dataclass(frozen=True)
class CatalogEntry:
    """One service in the keystone catalog. ``path`` may contain ``$(project_id)s``."""

    type: str
    name: str
    path: str


class ServicePlugin:
    """Base class of each ``twinstack.services.<name>.plugin``.

    Order of calls: ``create`` (all services), database migration, ``bootstrap`` (identity
    first), ``start``; at shutdown ``stop`` in reverse order.
    """

    name: str = ""
    prefix: str = ""
    aliases: tuple[str, ...] = ()
    catalog: tuple[CatalogEntry, ...] = ()

    def create(self, cloud: Cloud) -> Any:
        """Build the service layer (what other services call); returned object is ``cloud.<name>``."""
        return None

    def api(self, cloud: Cloud) -> ServiceApi:
        raise NotImplementedError

    def bootstrap(self, cloud: Cloud) -> None:
        """Seed what a fresh cloud has (idempotent: runs at every start)."""

    async def start(self, cloud: Cloud) -> None:
        """Start managers and background work."""

    async def stop(self, cloud: Cloud) -> None:
        """Stop what ``start`` started."""
