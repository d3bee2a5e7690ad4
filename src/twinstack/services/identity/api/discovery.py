"""Keystone's version documents: ``GET /identity`` (300) and ``GET /identity/v3`` (200)."""

from __future__ import annotations

from typing import Any

from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi


def v3_version(req: ApiRequest) -> dict[str, Any]:
    return {
        "id": "v3.14",
        "status": "stable",
        "updated": "2020-04-07T00:00:00Z",
        "links": [{"rel": "self", "href": req.url_for("/identity/v3/")}],
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}],
    }


def versions(req: ApiRequest) -> ApiResponse:
    return ApiResponse({"versions": {"values": [v3_version(req)]}}, status=300)


def version(req: ApiRequest) -> dict[str, Any]:
    return {"version": v3_version(req)}


def register(api: ServiceApi) -> None:
    api.add("GET", "/", versions, auth=False)
    api.add("GET", "/v3", version, auth=False)
