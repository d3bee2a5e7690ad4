"""One registry for bench plugins, keyed by (kind, name).

Kinds used by the engine: ``scenario``, ``runner``, ``context``, ``sla``, ``hook_action``,
``hook_trigger``, ``resource_type``, ``exporter``. A duplicate (kind, name) is an error that
names both places. Third-party packages add plugins through the entry-point group
``twinstack.bench.plugins``: each entry point names a module, which is imported (its
``@register`` decorators run on import).
"""

from __future__ import annotations

import builtins
import difflib
import importlib
import inspect
import threading
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any, TypeVar

ENTRY_POINT_GROUP = "twinstack.bench.plugins"

T = TypeVar("T")

_plugins: dict[tuple[str, str], Any] = {}
_loaded = False
_load_lock = threading.Lock()

# Modules holding the built-in plugins; imported on first lookup.
_BUILTIN_MODULES = (
    "twinstack.bench.runners",
    "twinstack.bench.sla",
    "twinstack.bench.hooks",
    "twinstack.bench.types",
    "twinstack.bench.scenarios.dummy",
    "twinstack.bench.scenarios.http",
    "twinstack.bench.scenarios.openstack.authenticate",
    "twinstack.bench.scenarios.openstack.keystone",
    "twinstack.bench.scenarios.openstack.nova",
    "twinstack.bench.scenarios.openstack.cinder",
    "twinstack.bench.scenarios.openstack.neutron",
    "twinstack.bench.scenarios.openstack.glance",
    "twinstack.bench.scenarios.openstack.quotas",
    "twinstack.bench.scenarios.openstack.vm",
    "twinstack.bench.contexts.dummy",
    "twinstack.bench.contexts.openstack.users",
    "twinstack.bench.contexts.openstack.resources",
    "twinstack.bench.contexts.openstack.network",
    "twinstack.bench.contexts.openstack.cleanup",
)


class PluginError(Exception):
    """A plugin cannot be registered or found."""


def _where(obj: Any) -> str:
    try:
        file = inspect.getsourcefile(obj) or "?"
        line = inspect.getsourcelines(obj)[1]
        return f"{obj.__module__}.{obj.__qualname__} ({file}:{line})"
    except (TypeError, OSError):
        return repr(obj)


def register(kind: str, name: str) -> Callable[[T], T]:
    """Class decorator: register ``cls`` as plugin ``name`` of ``kind``.

    The class gets ``plugin_kind`` and ``plugin_name`` attributes.
    """

    def decorate(cls: T) -> T:
        key = (kind, name)
        existing = _plugins.get(key)
        if existing is not None and existing is not cls:
            raise PluginError(f"duplicate {kind} plugin {name!r}: {_where(existing)} and {_where(cls)}")
        cls.plugin_kind = kind  # type: ignore[attr-defined]
        cls.plugin_name = name  # type: ignore[attr-defined]
        _plugins[key] = cls
        return cls

    return decorate


def unregister(kind: str, name: str) -> None:
    """Remove a plugin (tests use this to clean up after themselves)."""
    _plugins.pop((kind, name), None)


def load_plugins() -> None:
    """Import the built-in plugin modules and the entry points, once."""
    global _loaded
    if _loaded:
        return
    with _load_lock:
        if _loaded:
            return
        for module in _BUILTIN_MODULES:
            importlib.import_module(module)
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            ep.load()
        _loaded = True


def get(kind: str, name: str) -> Any:
    """Return the plugin class; ``PluginError`` with close matches if it is unknown."""
    load_plugins()
    try:
        return _plugins[(kind, name)]
    except KeyError:
        names = list(kind)
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise PluginError(f"no {kind} plugin named {name!r}.{hint}") from None


def list(kind: str) -> builtins.list[str]:  # noqa: A001 - the API the lead asked for
    """Names of all plugins of ``kind``, sorted."""
    load_plugins()
    return sorted(n for (k, n) in _plugins if k == kind)


def kinds() -> builtins.list[str]:
    load_plugins()
    return sorted({k for (k, _n) in _plugins})


def doc(plugin: Any) -> str:
    """First paragraph of the plugin's docstring (or its run() docstring for scenarios)."""
    text = inspect.getdoc(plugin) or ""
    if not text and hasattr(plugin, "run"):
        text = inspect.getdoc(plugin.run) or ""
    return text.split("\n\n")[0].replace("\n", " ")
