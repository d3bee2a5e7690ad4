"""Glance's version document: ``GET /image/`` answers 300 with every v2 minor version."""

from __future__ import annotations

from typing import Any

from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi

CURRENT = 16  # v2.16


def _versions(req: ApiRequest) -> list[dict[str, Any]]:
    href = req.url_for("/image/v2/")
    return [
        {
            "id": f"v2.{minor}",
            "status": "CURRENT" if minor == CURRENT else "SUPPORTED",
            "links": [{"rel": "self", "href": href}],
        }
        for minor in range(CURRENT, -1, -1)
    ]


def versions(req: ApiRequest) -> ApiResponse:
    return ApiResponse({"versions": _versions(req)}, status=300)


def register(api: ServiceApi) -> None:
    api.add("GET", "/", versions, auth=False)
    api.add("GET", "/versions", lambda req: {"versions": _versions(req)}, auth=False)
