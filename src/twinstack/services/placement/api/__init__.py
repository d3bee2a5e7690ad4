"""Placement's HTTP API. Every path negotiates a microversion (``placement X``)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from twinstack.core.errors import placement_fault
from twinstack.core.http import ServiceApi
from twinstack.core.microversion import MicroversionSpec

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud

MIN_VERSION = "1.0"
MAX_VERSION = "1.39"
MICROVERSIONS = MicroversionSpec("placement", MIN_VERSION, MAX_VERSION)

TOPICS = ("discovery",)


def build(cloud: Cloud) -> ServiceApi:
    api = ServiceApi("placement", fault=placement_fault, microversions=MICROVERSIONS, microversion_prefixes=("/",))
    for topic in TOPICS:
        importlib.import_module(f"twinstack.services.placement.api.{topic}").register(api)
    return api
