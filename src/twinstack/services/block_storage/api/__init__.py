"""Cinder's HTTP API. Paths under /v3 negotiate a microversion."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from twinstack.core.errors import nova_fault
from twinstack.core.http import ServiceApi
from twinstack.core.microversion import MicroversionSpec

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud

MIN_VERSION = "3.0"
MAX_VERSION = "3.71"
MICROVERSIONS = MicroversionSpec("volume", MIN_VERSION, MAX_VERSION)

TOPICS = ("discovery",)


def build(cloud: Cloud) -> ServiceApi:
    api = ServiceApi("block_storage", fault=nova_fault, microversions=MICROVERSIONS, microversion_prefixes=("/v3/",))
    for topic in TOPICS:
        importlib.import_module(f"twinstack.services.block_storage.api.{topic}").register(api)
    return api
