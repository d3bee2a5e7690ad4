"""Atomic action timers: nested, with (xN) merging for reports.

An atomic action is a dict ``{"name", "started_at", "finished_at", "children", ["failed"]}``
(Rally's shape). Timers nest: a timer opened while another is running becomes its child.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class HasAtomics(Protocol):
    _atomic_actions: list[dict[str, Any]]


def _open_parent(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The children list of the innermost still-running action (or the root list)."""
    while actions and "finished_at" not in actions[-1]:
        actions = actions[-1]["children"]
    return actions


class ActionTimer:
    """``with ActionTimer(scenario, "nova.boot_server"):`` records one atomic action."""

    __slots__ = ("action",)

    def __init__(self, owner: HasAtomics, name: str) -> None:
        self.action: dict[str, Any] = {"name": name, "children": [], "started_at": None}
        _open_parent(owner._atomic_actions).append(self.action)

    def __enter__(self) -> ActionTimer:
        self.action["started_at"] = time.time()
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.action["finished_at"] = time.time()
        if exc_type is not None:
            self.action["failed"] = True


def action_timer(name: str) -> Callable[[F], F]:
    """Decorator form of :class:`ActionTimer` for scenario methods."""

    def wrap(func: F) -> F:
        @functools.wraps(func)
        def timed(self: HasAtomics, *args: Any, **kwargs: Any) -> Any:
            with ActionTimer(self, name):
                return func(self, *args, **kwargs)

        return timed  # type: ignore[return-value]

    return wrap


def duration(action: dict[str, Any]) -> float:
    started = action.get("started_at")
    finished = action.get("finished_at")
    if started is None or finished is None:
        return 0.0
    return float(finished) - float(started)


def merge(actions: list[dict[str, Any]], depth: int = 2) -> dict[str, dict[str, Any]]:
    """Merge repeated actions of one iteration: ``{name: {duration, count, failed, children}}``."""
    merged: dict[str, dict[str, Any]] = {}
    for action in actions:
        entry = merged.setdefault(action["name"], {"duration": 0.0, "count": 0, "children": {}})
        entry["duration"] += duration(action)
        entry["count"] += 1
        if action.get("failed"):
            entry["failed"] = True
        if action.get("children") and depth > 0:
            child = merge(action["children"], depth - 1)
            for cname, cval in child.items():
                target = entry["children"].setdefault(
                    cname, {"duration": 0.0, "count": 0, "children": cval["children"]}
                )
                target["duration"] += cval["duration"]
                target["count"] += cval["count"]
                if cval.get("failed"):
                    target["failed"] = True
    return merged


def display_name(name: str, count: int) -> str:
    """Rally's display name: ``nova.boot_server (x3)`` when an action repeats in an iteration."""
    return f"{name} (x{count})" if count > 1 else name


def flatten(
    merged: dict[str, dict[str, Any]], parent: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    """Walk a merged tree yielding ``(path of display names, entry)``, parents first."""
    for name, entry in merged.items():
        path = (*parent, display_name(name, entry["count"]))
        yield path, entry
        if entry["children"]:
            yield from flatten(entry["children"], path)
