"""Keystone v3 HTTP API: one module per topic, all registered on one ``ServiceApi``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from twinstack.core.errors import keystone_fault
from twinstack.core.http import ServiceApi

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud

# Topic modules; each has ``register(api)``.
TOPICS = (
    "discovery",
    "auth",
    "projects",
    "users",
    "roles",
    "assignments",
    "catalog",
    "credentials",
)


def build(cloud: Cloud) -> ServiceApi:
    import importlib

    from twinstack.services.identity import policies

    policies.register(cloud.policy)
    api = ServiceApi("identity", fault=keystone_fault)
    for topic in TOPICS:
        importlib.import_module(f"twinstack.services.identity.api.{topic}").register(api)
    return api
