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

SIZE_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "integer", "minimum": 1},
        {
            "type": "object",
            "required": ["min", "max"],
            "additionalProperties": False,
            "properties": {
                "min": {"type": "integer", "minimum": 1},
                "max": {"type": "integer", "minimum": 1},
            },
        },
    ]
}


def pick_size(size: int | dict[str, int]) -> int:
    """``size`` is an int or ``{min, max}`` (a random size in that range), as in rally-openstack."""
    if isinstance(size, dict):
        return random.randint(size["min"], size["max"])
    return int(size)


class ResourceTimeout(TimeoutError):
    """A resource did not reach the wanted status in time (Rally's TimeoutException)."""


class ResourceErrorStatus(RuntimeError):
    """A resource went to a failure status while we waited (Rally's GetResourceErrorStatus)."""


def _fault(body: dict[str, Any]) -> str:
    fault = body.get("fault")
    if isinstance(fault, dict) and fault.get("message"):
        return f": {fault['message']}"
    return ""


def _names(statuses: Iterable[str]) -> str:
    return "/".join(sorted(s.upper() for s in statuses))


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

    def wait_for(
        self,
        proxy: Any,
        path: str,
        ready: str | Iterable[str],
        failures: Iterable[str] = (),
        what: str = "resource",
        key: str | None = None,
    ) -> dict[str, Any]:
        """GET ``path`` on ``proxy`` until the body's status is ``ready`` (Rally's ``wait_for_status``).

        Every check fetches the resource anew, the first one included: the object a client got
        before an action still shows the old status (e.g. ``ACTIVE`` right after a reboot
        request), and must not end the wait. Polls are plain GETs read as JSON (``key``: the
        body's wrapper, e.g. ``server``): building openstacksdk resources costs ~7 ms of CPU per
        poll, which at concurrency 50 made the bench, not the cloud, the bottleneck.
        Returns the resource's body.
        """
        self.prepoll()
        wanted = {ready.lower()} if isinstance(ready, str) else {s.lower() for s in ready}
        failed = {s.lower() for s in failures}

        def done(body: dict[str, Any] | None) -> bool:
            if body is None:
                raise ResourceErrorStatus(
                    f"{what} {path.rsplit('/', 1)[-1]} is gone while waiting for {_names(wanted)}"
                )
            status = str(body.get("status") or "").lower()
            if status in failed:
                raise ResourceErrorStatus(
                    f"{what} {path.rsplit('/', 1)[-1]} went to status {status.upper()} while waiting "
                    f"for {_names(wanted)}{_fault(body)}"
                )
            return status in wanted

        return self._poll(proxy, path, key, done, f"{what} to reach {_names(wanted)}")  # type: ignore[return-value]

    def wait_gone(self, proxy: Any, path: str, what: str = "resource", failures: Iterable[str] = ()) -> None:
        """GET ``path`` until it answers 404 (Rally's ``check_deletion``)."""
        failed = {s.lower() for s in failures}

        def done(body: dict[str, Any] | None) -> bool:
            if body is None:
                return True
            status = str(body.get("status") or "").lower()
            if status in failed:
                raise ResourceErrorStatus(
                    f"{what} {path.rsplit('/', 1)[-1]} went to status "
                    f"{status.upper()} while being deleted{_fault(body)}"
                )
            return False

        self._poll(proxy, path, None, done, f"{what} to be deleted")

    def _poll(
        self,
        proxy: Any,
        path: str,
        key: str | None,
        done: Callable[[dict[str, Any] | None], bool],
        waiting_for: str,
    ) -> dict[str, Any] | None:
        from openstack import exceptions

        deadline = time.monotonic() + self.poll.timeout
        abort = self.context.get("abort_event")
        while True:
            resp = proxy.get(path)
            body: dict[str, Any] | None = None
            if resp.status_code != 404:
                exceptions.raise_from_response(resp)
                body = resp.json()
                body = body.get(key, body) if key else body
            if done(body):
                return body
            if time.monotonic() > deadline:
                state = str((body or {}).get("status") or "without status").upper()
                raise ResourceTimeout(
                    f"timed out after {self.poll.timeout:g} s waiting for "
                    f"{waiting_for} ({path.rsplit('/', 1)[-1]} is still {state})"
                )
            if abort is not None and abort.is_set():
                raise ResourceTimeout(f"run aborted while waiting for {waiting_for}")
            self.interruptible_sleep(self.poll.interval)

    def tenant_networks(self) -> list[dict[str, Any]]:
        return self.context.get("tenant", {}).get("networks", [])
