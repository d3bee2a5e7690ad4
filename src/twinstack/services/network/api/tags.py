"""``/v2.0/{collection}/{id}/tags`` (standard-attr-tag)."""

from __future__ import annotations

from typing import Any

from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.network.extras import TAGGABLE


def _svc(req: ApiRequest) -> Any:
    return req.cloud.service("network")


def _parent(req: ApiRequest, collection: str) -> tuple[str, str]:
    return collection, req.path["id"]


def register(api: ServiceApi) -> None:
    for collection in TAGGABLE:

        def get_tags(req: ApiRequest, c: str = collection) -> dict[str, Any]:
            return {"tags": _svc(req).get_tags(req.ctx, *_parent(req, c))}

        def replace_tags(req: ApiRequest, c: str = collection) -> dict[str, Any]:
            return {"tags": _svc(req).replace_tags(req.ctx, *_parent(req, c), req.body)}

        def delete_tags(req: ApiRequest, c: str = collection) -> None:
            _svc(req).remove_all_tags(req.ctx, *_parent(req, c))

        def has_tag(req: ApiRequest, c: str = collection) -> ApiResponse:
            _svc(req).has_tag(req.ctx, *_parent(req, c), req.path["tag"])
            return ApiResponse(None, 204)

        def add_tag(req: ApiRequest, c: str = collection) -> ApiResponse:
            _svc(req).add_tag(req.ctx, *_parent(req, c), req.path["tag"])
            return ApiResponse(None, 201)

        def delete_tag(req: ApiRequest, c: str = collection) -> None:
            _svc(req).remove_tag(req.ctx, *_parent(req, c), req.path["tag"])

        base = f"/v2.0/{collection}/{{id}}/tags"
        api.add("GET", base, get_tags)
        api.add("PUT", base, replace_tags)
        api.add("DELETE", base, delete_tags, status=204)
        api.add("GET", base + "/{tag}", has_tag)
        api.add("PUT", base + "/{tag}", add_tag, body="none")
        api.add("DELETE", base + "/{tag}", delete_tag, status=204)
