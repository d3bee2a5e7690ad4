"""Cinder's HTTP API. Paths under /v3 negotiate a microversion.

Every operation answers at ``/v3/{project_id}/...`` and at the project-less ``/v3/...``
(cinder 3.67); a project id in the URL that is not the token's is cinder's 400.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import orjson

from twinstack.core.errors import ApiError, nova_fault
from twinstack.core.http import ServiceApi
from twinstack.core.microversion import MicroversionSpec

if TYPE_CHECKING:
    from twinstack.core.cloud import Cloud

MIN_VERSION = "3.0"
MAX_VERSION = "3.71"
MICROVERSIONS = MicroversionSpec("volume", MIN_VERSION, MAX_VERSION)

TOPICS = (
    "discovery",
    "volumes",
    "volume_actions",
    "types",
    "qos",
    "snapshots",
    "backups",
    "transfers",
    "attachments",
    "misc",
)


def cinder_fault(err: ApiError, request_id: str) -> tuple[bytes, str]:
    """Nova's shape, plus ``retryAfter`` on a 413 as cinder's ``Fault`` adds it."""
    body, ctype = nova_fault(err, request_id)
    retry = err.headers.get("Retry-After")
    if err.status == 413 and retry:
        data = orjson.loads(body)
        for value in data.values():
            value["retryAfter"] = retry
        body = orjson.dumps(data)
    return body, ctype


def build(cloud: Cloud) -> ServiceApi:
    api = ServiceApi(
        "block_storage", fault=cinder_fault, microversions=MICROVERSIONS, microversion_prefixes=("/v3/",)
    )
    for topic in TOPICS:
        importlib.import_module(f"twinstack.services.block_storage.api.{topic}").register(api)
    return api
