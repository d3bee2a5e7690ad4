"""Shared pieces of the OpenStack scenarios: polling, resource tracking, argument helpers.

Every resource a scenario creates is recorded with :meth:`OpenStackScenario.track`; the
``cleanup`` context deletes what is left at the end of the workload (also after an abort).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from twinstack.bench.cloud import Poll
from twinstack.bench.scenario import Scenario

SIZE_SCHEMA: dict[str, Any] = {"anyOf": [
    {"type": "integer", "minimum": 1},
    {"type": "object", "required": ["min", "max"], "additionalProperties": False,
     "properties": {"min": {"type": "integer", "minimum": 1}, "max": {"type": "integer", "minimum": 1}}}]}


def pick_size(size: int | dict[str, int]) -> int:
    """``size`` is an int or ``{min, max}`` (a random size in that range), as in rally-openstack."""
    if isinstance(size, dict):
        return random.randint(size["min"], size["max"])
    return int(size)


class ResourceTimeout(TimeoutError):
    """A resource did not reach the wanted status in time (Rally's TimeoutException)."""


class ResourceErrorStatus(RuntimeError):
    """A resource went to a failure status while we waited (Rally's GetResourceErrorStatus)."""


def _fault(obj: Any) -> str:
    fault = getattr(obj, "fault", None)
    if isinstance(fault, dict) and fault.get("message"):
        return f": {fault['message']}"
    return ""


class Tracker:
    """Thread-safe list of created resources: ``(kind, id, owner user or None)``."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, dict[str, Any] | None]] = []
        self._lock = threading.Lock()

    def add(self, kind: str, rid: str, owner: dict[str, Any] | None) -> None:
        with self._lock:
            self.items.append((kind, rid, owner))

    def discard(self, kind: str, rid: str) -> None:
        with self._lock:
            self.items = [i for i in self.items if not (i[0] == kind and i[1] == rid)]

    def drain(self) -> list[tuple[str, str, dict[str, Any] | None]]:
        with self._lock:
            items, self.items = self.items, []
        return items


class OpenStackScenario(Scenario):
    PLATFORM: ClassVar[str | None] = "openstack"

    @property
    def poll(self) -> Poll:
        env = self.context.get("env")
        return env.poll if env is not None else Poll()

    def track(self, kind: str, rid: str, admin: bool = False) -> None:
        """Remember a created resource for cleanup (deleted as admin or as the iteration user)."""
        tracker = self.context.get("tracker")
        if tracker is not None:
            tracker.add(kind, rid, None if admin else self.context.get("user"))

    def untrack(self, kind: str, rid: str) -> None:
        tracker = self.context.get("tracker")
        if tracker is not None:
            tracker.discard(kind, rid)

    def prepoll(self) -> None:
        if self.poll.prepoll_delay:
            self.interruptible_sleep(self.poll.prepoll_delay)

    def wait_for(self, fetch: Callable[[str], Any], rid: str, ready: str | Iterable[str],
                 failures: Iterable[str] = (), what: str = "resource") -> Any:
        """Fetch the resource until its status is ``ready`` (as Rally's ``wait_for_status``).

        Every check fetches the resource anew, the first one included: the object a client got
        before an action still shows the old status (e.g. ``ACTIVE`` right after a reboot
        request), and must not end the wait.
        """
        self.prepoll()
        wanted = {ready.lower()} if isinstance(ready, str) else {s.lower() for s in ready}
        failed = {s.lower() for s in failures}
        deadline = time.monotonic() + self.poll.timeout
        abort = self.context.get("abort_event")
        while True:
            obj = fetch(rid)
            status = str(getattr(obj, "status", "") or "").lower()
            if status in wanted:
                return obj
            if status in failed:
                raise ResourceErrorStatus(
                    f"{what} {rid} went to status {status.upper()} while waiting for "
                    f"{'/'.join(sorted(s.upper() for s in wanted))}{_fault(obj)}")
            if time.monotonic() > deadline:
                raise ResourceTimeout(
                    f"{what} {rid} is still {status.upper() or 'without status'} after "
                    f"{self.poll.timeout:g} s waiting for {'/'.join(sorted(s.upper() for s in wanted))}")
            if abort is not None and abort.is_set():
                raise ResourceTimeout(f"run aborted while waiting for {what} {rid}")
            self.interruptible_sleep(self.poll.interval)

    def tenant_networks(self) -> list[dict[str, Any]]:
        return self.context.get("tenant", {}).get("networks", [])
