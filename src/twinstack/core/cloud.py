"""The cloud: settings, clock, ids, database, bus, policy and the services, wired once.

Nothing in twinstack is global: everything a service needs comes from its ``Cloud``.
"""

from __future__ import annotations

import functools
import importlib
import logging
from typing import Any

from twinstack.config import Settings
from twinstack.core.bus import Bus
from twinstack.core.clock import Clock
from twinstack.core.context import RequestContext
from twinstack.core.db import Database
from twinstack.core.errors import Unauthorized
from twinstack.core.http import CloudApp
from twinstack.core.ids import IdGenerator
from twinstack.core.policy import Policy
from twinstack.core.service import ServicePlugin

LOG = logging.getLogger(__name__)

SERVICE_ORDER = ("identity", "image", "network", "placement", "compute", "block_storage")


class Cloud:
    def __init__(self, settings: Settings, *, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or Clock()
        self.ids = IdGenerator(settings.seed)
        self.bus = Bus(synchronous=settings.synchronous_bus)
        self.policy = Policy()
        if not settings.ephemeral and not settings.database_url:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.db = Database(settings.db_url())
        self.plugins: dict[str, ServicePlugin] = {}
        self.services: dict[str, Any] = {}
        self.app = CloudApp(self, lifespan=self.start, shutdown=self.stop)
        self._started = False
        for name in SERVICE_ORDER:
            module = importlib.import_module(f"twinstack.services.{name}.plugin")
            plugin: ServicePlugin = module.PLUGIN
            self.plugins[name] = plugin
            self.services[name] = plugin.create(self)
        self.db.migrate()
        for plugin in self.plugins.values():
            plugin.bootstrap(self)
        for plugin in self.plugins.values():
            # Built at the first request under its prefix; an alias gets the same ServiceApi.
            api = functools.cache(functools.partial(plugin.api, self))
            self.app.mount(plugin.prefix, api)
            for alias in plugin.aliases:
                self.app.mount(alias, api)

    @property
    def base_url(self) -> str:
        return self.settings.base_url()

    def service(self, name: str) -> Any:
        return self.services[name]

    def authenticate(self, ctx: RequestContext, token: str) -> None:
        """Fill ``ctx`` from a token, or raise 401. The identity service does the work."""
        identity = self.services.get("identity")
        if identity is None:
            raise Unauthorized()
        identity.tokens.authenticate(ctx, token)

    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        for plugin in self.plugins.values():
            await plugin.start(self)

    async def stop(self) -> None:
        if not self._started:
            return
        self._started = False
        for plugin in reversed(list(self.plugins.values())):
            try:
                await plugin.stop(self)
            except Exception:
                LOG.exception("stopping %s failed", plugin.name)
        await self.bus.close()
        self.db.dispose()
