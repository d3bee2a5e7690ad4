"""One registry for every pluggable thing (filters, weighers, drivers, bench plugins).

Plugins register by kind and name; a duplicate name is an error that names both places.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class DuplicatePlugin(Exception):
    pass


class Registry:
    def __init__(self) -> None:
        self._plugins: dict[tuple[str, str], Any] = {}

    def register(self, kind: str, name: str) -> Callable[[T], T]:
        def decorate(obj: T) -> T:
            self.add(kind, name, obj)
            return obj

        return decorate

    def add(self, kind: str, name: str, obj: Any) -> None:
        key = (kind, name)
        if key in self._plugins and self._plugins[key] is not obj:
            raise DuplicatePlugin(
                f"{kind} plugin {name!r} is defined twice: "
                f"in {_where(self._plugins[key])} and in {_where(obj)}"
            )
        self._plugins[key] = obj

    def get(self, kind: str, name: str) -> Any:
        try:
            return self._plugins[(kind, name)]
        except KeyError:
            raise KeyError(f"no {kind} plugin named {name!r}") from None

    def names(self, kind: str) -> list[str]:
        return sorted(name for (k, name) in self._plugins if k == kind)


def _where(obj: Any) -> str:
    try:
        return f"{inspect.getsourcefile(obj)}:{inspect.getsourcelines(obj)[1]}"
    except (TypeError, OSError):
        return repr(obj)


registry = Registry()
