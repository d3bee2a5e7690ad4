"""``/v2/info/import``, ``/v2/info/stores`` (one file store, ``file``) and ``/v2/images/{id}/tasks``."""

from __future__ import annotations

from typing import Any

from twinstack.core.errors import Forbidden
from twinstack.core.http import ApiRequest, ServiceApi

STORE = {"id": "file", "description": "twinstack's local file store", "default": "true"}


def info_import(req: ApiRequest) -> dict[str, Any]:
    methods = list(req.cloud.service("image").settings.enabled_import_methods)
    return {"import-methods": {"description": "Import methods available.", "type": "array", "value": methods}}


def info_stores(req: ApiRequest) -> dict[str, Any]:
    return {"stores": [dict(STORE)]}


def info_stores_detail(req: ApiRequest) -> dict[str, Any]:
    image = req.cloud.service("image")
    if not req.cloud.policy.check(req.ctx, "stores_info_detail"):
        raise Forbidden("You are not authorized to complete stores_info_detail action.")
    store = {
        **STORE,
        "type": "file",
        "weight": 0,
        "properties": {"data_dir": str(image.store.root), "chunk_size": 65536, "thin_provisioning": False},
    }
    return {"stores": [store]}


def image_tasks(req: ApiRequest) -> dict[str, Any]:
    return {"tasks": req.cloud.service("image").image_tasks(req.ctx, req.path["image_id"])}


def register(api: ServiceApi) -> None:
    api.add("GET", "/v2/info/import", info_import)
    api.add("GET", "/v2/info/stores", info_stores)
    api.add("GET", "/v2/info/stores/detail", info_stores_detail)
    api.add("GET", "/v2/images/{image_id}/tasks", image_tasks)
