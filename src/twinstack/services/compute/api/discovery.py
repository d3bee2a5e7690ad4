"""Nova's version documents: ``GET /compute/`` and ``GET /compute/v2.1``."""

from __future__ import annotations

from typing import Any

from twinstack.core.http import ApiRequest, ServiceApi
from twinstack.services.compute.api import MAX_VERSION, MIN_VERSION


def _v20(req: ApiRequest) -> dict[str, Any]:
    return {
        "id": "v2.0",
        "status": "SUPPORTED",
        "version": "",
        "min_version": "",
        "updated": "2011-01-21T11:33:21Z",
        "links": [{"rel": "self", "href": req.url_for("/compute/v2/")}],
    }


def _v21(req: ApiRequest) -> dict[str, Any]:
    return {
        "id": "v2.1",
        "status": "CURRENT",
        "version": MAX_VERSION,
        "min_version": MIN_VERSION,
        "updated": "2013-07-23T11:33:21Z",
        "links": [{"rel": "self", "href": req.url_for("/compute/v2.1/")}],
    }


def versions(req: ApiRequest) -> dict[str, Any]:
    return {"versions": [_v20(req), _v21(req)]}


def _one(doc: dict[str, Any], req: ApiRequest, media: str) -> dict[str, Any]:
    doc = dict(doc)
    doc["links"] = [
        *doc["links"],
        {"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"},
    ]
    doc["media-types"] = [{"base": "application/json", "type": media}]
    return {"version": doc}


def version_21(req: ApiRequest) -> dict[str, Any]:
    return _one(_v21(req), req, "application/vnd.openstack.compute+json;version=2.1")


def version_20(req: ApiRequest) -> dict[str, Any]:
    return _one(_v20(req), req, "application/vnd.openstack.compute+json;version=2")


def register(api: ServiceApi) -> None:
    api.add("GET", "/", versions, auth=False)
    api.add("GET", "/v2.1", version_21, auth=False)
    api.add("GET", "/v2", version_20, auth=False)
