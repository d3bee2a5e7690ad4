"""Neutron's HTTP API."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from twinstack.core.errors import neutron_fault
from twinstack.core.http import ServiceApi

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud

TOPICS = ("discovery",)


def build(cloud: Cloud) -> ServiceApi:
    api = ServiceApi("network", fault=neutron_fault)
    for topic in TOPICS:
        importlib.import_module(f"twinstack.services.network.api.{topic}").register(api)
    return api
