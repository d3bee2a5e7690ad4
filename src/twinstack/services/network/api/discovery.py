"""Neutron's version documents: ``GET /networking/`` and ``GET /networking/v2.0/``."""

from __future__ import annotations

from typing import Any

from twinstack.core.http import ApiRequest, ServiceApi

# Resources listed by ``GET /v2.0/`` (neutron lists its core resources there).
CORE_RESOURCES = (
    ("network", "networks"),
    ("subnet", "subnets"),
    ("subnetpool", "subnetpools"),
    ("port", "ports"),
)


def versions(req: ApiRequest) -> dict[str, Any]:
    return {
        "versions": [
            {
                "id": "v2.0",
                "status": "CURRENT",
                "links": [{"rel": "self", "href": req.url_for("/networking/v2.0/")}],
            }
        ]
    }


def resources(req: ApiRequest) -> dict[str, Any]:
    return {
        "resources": [
            {
                "links": [{"href": req.url_for(f"/networking/v2.0/{collection}"), "rel": "self"}],
                "name": name,
                "collection": collection,
            }
            for name, collection in CORE_RESOURCES
        ]
    }


def register(api: ServiceApi) -> None:
    api.add("GET", "/", versions, auth=False)
    api.add("GET", "/v2.0", resources)
