"""Client side of the bus for nova's managers: who is cast, who is called, with what.

Like nova's ``compute/rpcapi.py`` and ``conductor/rpcapi.py``: one method per remote
operation, so a reader sees every hop of a flow in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud
    from twinstack.core.context import RequestContext


def compute_topic(host: str) -> str:
    return f"compute.{host}"


class ConductorAPI:
    def __init__(self, cloud: Cloud) -> None:
        self.bus = cloud.bus

    async def schedule_and_build_instances(self, ctx: RequestContext, **kwargs: Any) -> None:
        await self.bus.cast("conductor", "schedule_and_build_instances", ctx, **kwargs)

    async def build_instances(self, ctx: RequestContext, **kwargs: Any) -> None:
        """A reschedule after a failed spawn."""
        await self.bus.cast("conductor", "build_instances", ctx, **kwargs)

    async def migrate_server(self, ctx: RequestContext, **kwargs: Any) -> None:
        await self.bus.cast("conductor", "migrate_server", ctx, **kwargs)

    async def live_migrate_instance(self, ctx: RequestContext, **kwargs: Any) -> None:
        await self.bus.cast("conductor", "live_migrate_instance", ctx, **kwargs)

    async def unshelve_instance(self, ctx: RequestContext, **kwargs: Any) -> None:
        await self.bus.cast("conductor", "unshelve_instance", ctx, **kwargs)

    async def rebuild_instance(self, ctx: RequestContext, **kwargs: Any) -> None:
        """Evacuate: rebuild on another host."""
        await self.bus.cast("conductor", "rebuild_instance", ctx, **kwargs)


class SchedulerAPI:
    def __init__(self, cloud: Cloud) -> None:
        self.bus = cloud.bus

    async def select_destinations(self, ctx: RequestContext, **kwargs: Any) -> list[list[dict[str, Any]]]:
        return await self.bus.call("scheduler", "select_destinations", ctx, **kwargs)  # type: ignore[no-any-return]


class ComputeAPI:
    """Casts (and the few calls) to one host's compute manager."""

    def __init__(self, cloud: Cloud) -> None:
        self.bus = cloud.bus

    async def cast(self, ctx: RequestContext, host: str, method: str, **kwargs: Any) -> None:
        await self.bus.cast(compute_topic(host), method, ctx, **kwargs)

    async def call(self, ctx: RequestContext, host: str, method: str, **kwargs: Any) -> Any:
        return await self.bus.call(compute_topic(host), method, ctx, **kwargs)
