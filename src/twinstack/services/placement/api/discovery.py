"""Placement's version document: ``GET /placement/``."""

from __future__ import annotations

from typing import Any

from twinstack.core.http import ApiRequest, ServiceApi
from twinstack.services.placement.api import MAX_VERSION, MIN_VERSION


def versions(req: ApiRequest) -> dict[str, Any]:
    return {
        "versions": [
            {
                "id": "v1.0",
                "max_version": MAX_VERSION,
                "min_version": MIN_VERSION,
                "status": "CURRENT",
                "links": [{"rel": "self", "href": ""}],
            }
        ]
    }


def register(api: ServiceApi) -> None:
    api.add("GET", "/", versions, auth=False)
