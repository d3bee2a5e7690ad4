"""Nova's HTTP API. Every path under /v2.1 (and /v2) negotiates a microversion."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from twinstack.core.errors import nova_fault
from twinstack.core.http import ServiceApi
from twinstack.core.microversion import MicroversionSpec

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud

MIN_VERSION = "2.1"
MAX_VERSION = "2.100"
MICROVERSIONS = MicroversionSpec("compute", MIN_VERSION, MAX_VERSION, legacy_header="X-OpenStack-Nova-API-Version")

TOPICS = ("discovery",)


def build(cloud: Cloud) -> ServiceApi:
    api = ServiceApi("compute", fault=nova_fault, microversions=MICROVERSIONS, microversion_prefixes=("/v2.1", "/v2/"))
    for topic in TOPICS:
        importlib.import_module(f"twinstack.services.compute.api.{topic}").register(api)
    return api
