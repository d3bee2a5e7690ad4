"""Cinder's version documents: ``GET /volume/`` (300) and ``GET /volume/v3/`` (200)."""

from __future__ import annotations

from typing import Any

from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.block_storage.api import MAX_VERSION, MIN_VERSION


def _v3(req: ApiRequest) -> dict[str, Any]:
    return {
        "id": "v3.0",
        "status": "CURRENT",
        "version": MAX_VERSION,
        "min_version": MIN_VERSION,
        "updated": "2023-08-31T00:00:00Z",
        "links": [
            {"rel": "describedby", "type": "text/html", "href": "https://docs.openstack.org/"},
            {"rel": "self", "href": req.url_for("/volume/v3/")},
        ],
        "media-types": [
            {"base": "application/json", "type": "application/vnd.openstack.volume+json;version=3"}
        ],
    }


def versions(req: ApiRequest) -> ApiResponse:
    return ApiResponse({"versions": [_v3(req)]}, status=300)


def version(req: ApiRequest) -> dict[str, Any]:
    return {"versions": [_v3(req)]}


def register(api: ServiceApi) -> None:
    api.add("GET", "/", versions, auth=False)
    api.add("GET", "/v3", version, auth=False)
