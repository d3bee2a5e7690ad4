"""``/v2.0/quotas`` (quotas, quota_details)."""

from __future__ import annotations

from typing import Any

from twinstack.core.http import ApiRequest, ServiceApi
from twinstack.services.network.base import DEFAULT_QUOTAS


def _svc(req: ApiRequest) -> Any:
    return req.cloud.service("network")


def list_quotas(req: ApiRequest) -> dict[str, Any]:
    return {"quotas": _svc(req).list_quotas(req.ctx)}


def show_quota(req: ApiRequest) -> dict[str, Any]:
    project_id = req.path["project_id"]
    if project_id == "tenant":
        return {"tenant": {"tenant_id": req.ctx.project_id}}
    if project_id == "project":
        return {"project": {"project_id": req.ctx.project_id}}
    return {"quota": _svc(req).get_quota(req.ctx, project_id)}


def default_quota(req: ApiRequest) -> dict[str, Any]:
    return {"quota": dict(DEFAULT_QUOTAS)}


def quota_details(req: ApiRequest) -> dict[str, Any]:
    return {"quota": _svc(req).quota_details(req.ctx, req.path["project_id"])}


def update_quota(req: ApiRequest) -> dict[str, Any]:
    return {"quota": _svc(req).update_quota(req.ctx, req.path["project_id"], req.body)}


def delete_quota(req: ApiRequest) -> None:
    _svc(req).delete_quota(req.ctx, req.path["project_id"])


def register(api: ServiceApi) -> None:
    api.add("GET", "/v2.0/quotas", list_quotas)
    api.add("GET", "/v2.0/quotas/{project_id}", show_quota)
    api.add("PUT", "/v2.0/quotas/{project_id}", update_quota)
    api.add("DELETE", "/v2.0/quotas/{project_id}", delete_quota, status=204)
    api.add("GET", "/v2.0/quotas/{project_id}/default", default_quota)
    api.add("GET", "/v2.0/quotas/{project_id}/details", quota_details)
