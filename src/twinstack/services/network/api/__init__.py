"""Neutron's HTTP API: one module per topic, all thin adapters over ``NetworkService``."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from twinstack.core.errors import neutron_fault
from twinstack.core.http import ServiceApi

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud

# Topic modules, each with ``register(api)``. Actions and tags come before the generic CRUD
# routes only for readability: routes are matched exactly, so order does not matter.
TOPICS = ("discovery", "extensions", "actions", "tags", "quotas", "agents", "resources")


def build(cloud: Cloud) -> ServiceApi:
    api = ServiceApi("network", fault=neutron_fault)
    for topic in TOPICS:
        importlib.import_module(f"twinstack.services.network.api.{topic}").register(api)
    return api
