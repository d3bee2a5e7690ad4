"""Glance's HTTP API: one module per topic, all registered on one ``ServiceApi``."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from twinstack.core.errors import glance_fault
from twinstack.core.http import ServiceApi

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud

TOPICS = ("discovery", "schemas", "images", "data", "members", "info", "tasks", "metadefs", "fallback")


def build(cloud: Cloud) -> ServiceApi:
    api = ServiceApi("image", fault=glance_fault)
    for topic in TOPICS:
        importlib.import_module(f"twinstack.services.image.api.{topic}").register(api)
    return api
