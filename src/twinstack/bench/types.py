"""Resource types: turn ``{name|regex|id}`` arguments into IDs when an iteration starts.

A scenario lists its typed arguments in ``ARG_TYPES`` (``{"image": "glance_image"}``). At
validation only the shape is checked; lookups happen lazily at run time, through the iteration
user's connection, and are cached per run.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable
from typing import Any, ClassVar

from twinstack.bench.registry import register


class ResourceNotFound(Exception):
    """No resource, or more than one, matches the argument."""


SPEC_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string"},
        {
            "type": "object",
            "minProperties": 1,
            "properties": {
                "id": {"type": "string"},
                "name": {"type": "string"},
                "regex": {"type": "string"},
                "list_kwargs": {"type": "object"},
            },
            "anyOf": [{"required": ["id"]}, {"required": ["name"]}, {"required": ["regex"]}],
        },
    ]
}


def find_by_spec(spec: dict[str, Any], resources: Iterable[Any], typename: str) -> Any:
    """Rally's lookup: an exact name wins, else ``name``/``regex`` is searched as a regex."""
    resources = list(resources)
    if "id" in spec:
        for res in resources:
            if res.id == spec["id"]:
                return res
        raise ResourceNotFound(f"{typename} with id {spec['id']!r} not found")
    if "name" in spec:
        exact = [r for r in resources if r.name == spec["name"]]
        if len(exact) == 1:
            return exact[0]
        if len(exact) > 1:
            ids = ", ".join(r.id for r in exact)
            raise ResourceNotFound(f"{typename} with name {spec['name']!r} is ambiguous: {ids}")
        pattern = spec["name"]
    elif "regex" in spec:
        pattern = spec["regex"]
    else:
        raise ResourceNotFound(f"{typename}: give one of 'id', 'name' or 'regex', not {spec!r}")
    matching = [r for r in resources if re.search(pattern, r.name or "")]
    if not matching:
        raise ResourceNotFound(f"{typename} matching {pattern!r} not found")
    if len(matching) > 1:
        ids = ", ".join(f"{r.id} ({r.name})" for r in matching)
        raise ResourceNotFound(f"{typename} matching {pattern!r} is ambiguous: {ids}")
    return matching[0]


class ResourceType:
    """Base: ``resolve(conn, spec)`` returns the value ``run()`` receives."""

    SCHEMA: ClassVar[dict[str, Any]] = SPEC_SCHEMA
    NEEDS_CLOUD: ClassVar[bool] = True
    plugin_name: ClassVar[str]

    def resolve(self, conn: Any, spec: Any) -> Any:
        if isinstance(spec, str):
            spec = {"name": spec}
        if "id" in spec and len(spec) == 1:
            return spec["id"]
        return find_by_spec(spec, self.list(conn, spec), self.plugin_name).id

    def list(self, conn: Any, spec: dict[str, Any]) -> Iterable[Any]:
        raise NotImplementedError


@register("resource_type", "glance_image")
class GlanceImage(ResourceType):
    """Glance image ID from ``{id}``, ``{name}`` or ``{regex}`` (active images)."""

    def list(self, conn: Any, spec: dict[str, Any]) -> Iterable[Any]:
        return conn.image.images(**spec.get("list_kwargs", {}))


@register("resource_type", "nova_flavor")
class NovaFlavor(ResourceType):
    """Nova flavor ID from ``{id}``, ``{name}`` or ``{regex}``."""

    def list(self, conn: Any, spec: dict[str, Any]) -> Iterable[Any]:
        return conn.compute.flavors()


@register("resource_type", "cinder_volume_type")
class CinderVolumeType(ResourceType):
    """Cinder volume type ID from ``{id}``, ``{name}`` or ``{regex}``."""

    def list(self, conn: Any, spec: dict[str, Any]) -> Iterable[Any]:
        return conn.block_storage.types()


@register("resource_type", "neutron_network")
class NeutronNetwork(ResourceType):
    """Neutron network ID from ``{id}``, ``{name}`` or ``{regex}``."""

    def list(self, conn: Any, spec: dict[str, Any]) -> Iterable[Any]:
        return conn.network.networks()


@register("resource_type", "path")
class ExpandedPath(ResourceType):
    """A local file path with ``~`` and environment variables expanded."""

    SCHEMA: ClassVar[dict[str, Any]] = {"type": "string"}
    NEEDS_CLOUD: ClassVar[bool] = False

    def resolve(self, conn: Any, spec: Any) -> Any:
        return os.path.expandvars(os.path.expanduser(spec))


class Resolver:
    """Per-run cache of resolved typed arguments (keyed by type, spec and project)."""

    def __init__(self, arg_types: dict[str, str]) -> None:
        from twinstack.bench.registry import get

        self.types = {arg: get("resource_type", t)() for arg, t in arg_types.items()}
        self._cache: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()

    def resolve(self, args: dict[str, Any], conn_for: Any, project: str) -> dict[str, Any]:
        """Replace typed arguments in ``args`` (a per-iteration copy) by their resolved values."""
        for arg, rtype in self.types.items():
            if arg not in args or args[arg] is None:
                continue
            key = (rtype.plugin_name, repr(args[arg]), project)
            with self._lock:
                hit = key in self._cache
                value = self._cache.get(key)
            if not hit:
                value = rtype.resolve(conn_for() if rtype.NEEDS_CLOUD else None, args[arg])
                with self._lock:
                    self._cache[key] = value
            args[arg] = value
        return args
