"""The bus: cast runs later (or at once in synchronous mode), call returns, notify fans out."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from twinstack.core.bus import Bus, NoSuchTopic


class Manager:
    def __init__(self) -> None:
        self.seen: list[Any] = []

    async def build(self, ctx: Any, *, name: str) -> None:
        await asyncio.sleep(0)
        self.seen.append(name)

    def add(self, ctx: Any, *, a: int, b: int) -> int:
        return a + b

    def fail(self, ctx: Any) -> None:
        raise ValueError("boom")


def test_cast_runs_after_return_and_drain_waits() -> None:
    async def main() -> list[Any]:
        bus, mgr = Bus(), Manager()
        bus.serve("compute.host1", mgr)
        await bus.cast("compute.host1", "build", None, name="vm1")
        assert mgr.seen == []
        await bus.drain()
        return mgr.seen

    assert asyncio.run(main()) == ["vm1"]


def test_synchronous_cast_completes_before_returning() -> None:
    async def main() -> list[Any]:
        bus, mgr = Bus(synchronous=True), Manager()
        bus.serve("t", mgr)
        await bus.cast("t", "build", None, name="x")
        return mgr.seen

    assert asyncio.run(main()) == ["x"]


def test_call_returns_and_raises() -> None:
    async def main() -> None:
        bus = Bus()
        bus.serve("t", Manager())
        assert await bus.call("t", "add", None, a=2, b=3) == 5
        with pytest.raises(ValueError, match="boom"):
            await bus.call("t", "fail", None)
        with pytest.raises(NoSuchTopic):
            await bus.call("nobody", "add", None)

    asyncio.run(main())


def test_notify_reaches_matching_listeners() -> None:
    bus = Bus()
    got: list[str] = []
    bus.listen("compute.instance.*", lambda event, payload: got.append(event))
    bus.listen("volume.*", lambda event, payload: got.append("wrong"))
    bus.notify("compute.instance.create.end", {"id": 1})
    assert got == ["compute.instance.create.end"]
