"""The message bus: ``cast`` (fire and forget), ``call`` (wait for the answer), ``notify``.

Topics name a server side, as oslo.messaging does: ``conductor``, ``scheduler``,
``compute.<host>``, ``volume.<backend>``. A server side is any object whose public methods take
``(ctx, **kwargs)``; methods may be sync or async.

The transport here is in-process (asyncio). In synchronous mode a cast runs to completion before
``cast`` returns, so tests can do without waiting.
"""

from __future__ import annotations

import asyncio
import fnmatch
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

LOG = logging.getLogger(__name__)

Listener = Callable[[str, dict[str, Any]], Any]


class NoSuchTopic(Exception):
    pass


class Bus:
    def __init__(self, synchronous: bool = False) -> None:
        self.synchronous = synchronous
        self._servers: dict[str, object] = {}
        self._listeners: list[tuple[str, Listener]] = []
        self._tasks: set[asyncio.Task[Any]] = set()

    # server side
    def serve(self, topic: str, endpoint: object) -> None:
        self._servers[topic] = endpoint

    def unserve(self, topic: str) -> None:
        self._servers.pop(topic, None)

    def topics(self) -> list[str]:
        return sorted(self._servers)

    # client side
    async def cast(self, topic: str, method: str, ctx: Any = None, **kwargs: Any) -> None:
        """Send without waiting for the result. Errors are logged by the server side."""
        func = self._method(topic, method)
        if self.synchronous:
            await self._run_logged(topic, method, func, ctx, kwargs)
            return
        task = asyncio.get_running_loop().create_task(self._run_logged(topic, method, func, ctx, kwargs))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def call(self, topic: str, method: str, ctx: Any = None, timeout: float = 60, **kwargs: Any) -> Any:
        """Send and wait for the result; the server side's exception is raised here."""
        func = self._method(topic, method)
        return await asyncio.wait_for(_invoke(func, ctx, kwargs), timeout)

    def notify(self, event_type: str, payload: dict[str, Any]) -> None:
        """Publish a notification (``compute.instance.create.end``) to matching listeners."""
        for pattern, listener in list(self._listeners):
            if fnmatch.fnmatchcase(event_type, pattern):
                try:
                    result = listener(event_type, payload)
                    if inspect.isawaitable(result):
                        self._spawn(result)
                except Exception:
                    LOG.exception("notification listener failed for %s", event_type)

    def listen(self, pattern: str, listener: Listener) -> None:
        self._listeners.append((pattern, listener))

    async def drain(self, timeout: float = 30) -> None:
        """Wait until every cast under way (and those they start) has finished."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self._tasks:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                break
            await asyncio.wait(set(self._tasks), timeout=remaining)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    # internals
    def _method(self, topic: str, method: str) -> Callable[..., Any]:
        server = self._servers.get(topic)
        if server is None:
            raise NoSuchTopic(f"nothing serves topic {topic!r}")
        if method.startswith("_") or not hasattr(server, method):
            raise NoSuchTopic(f"{topic!r} has no method {method!r}")
        return getattr(server, method)  # type: ignore[no-any-return]

    def _spawn(self, awaitable: Awaitable[Any]) -> None:
        async def runner() -> None:
            await awaitable

        task = asyncio.get_running_loop().create_task(runner())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_logged(
        self, topic: str, method: str, func: Callable[..., Any], ctx: Any, kwargs: dict[str, Any]
    ) -> None:
        try:
            await _invoke(func, ctx, kwargs)
        except asyncio.CancelledError:
            raise
        except Exception:
            LOG.exception("cast %s.%s failed", topic, method)


async def _invoke(func: Callable[..., Any], ctx: Any, kwargs: dict[str, Any]) -> Any:
    result = func(ctx, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    return result
