"""Member actions: router interfaces and extra routes, trunk sub-ports."""

from __future__ import annotations

from typing import Any

from twinstack.core.http import ApiRequest, ServiceApi
from twinstack.services.network.errors import bad_request


def _svc(req: ApiRequest) -> Any:
    return req.cloud.service("network")


def _body(req: ApiRequest) -> Any:
    if req.body is None:
        raise bad_request("Resource body required")
    return req.body


def add_router_interface(req: ApiRequest) -> dict[str, Any]:
    return _svc(req).add_router_interface(req.ctx, req.path["id"], _body(req))  # type: ignore[no-any-return]


def remove_router_interface(req: ApiRequest) -> dict[str, Any]:
    return _svc(req).remove_router_interface(req.ctx, req.path["id"], _body(req))  # type: ignore[no-any-return]


def add_extraroutes(req: ApiRequest) -> dict[str, Any]:
    return _svc(req).add_extraroutes(req.ctx, req.path["id"], _body(req))  # type: ignore[no-any-return]


def remove_extraroutes(req: ApiRequest) -> dict[str, Any]:
    return _svc(req).remove_extraroutes(req.ctx, req.path["id"], _body(req))  # type: ignore[no-any-return]


def add_subports(req: ApiRequest) -> dict[str, Any]:
    return _svc(req).add_subports(req.ctx, req.path["id"], _body(req))  # type: ignore[no-any-return]


def remove_subports(req: ApiRequest) -> dict[str, Any]:
    return _svc(req).remove_subports(req.ctx, req.path["id"], _body(req))  # type: ignore[no-any-return]


def get_subports(req: ApiRequest) -> dict[str, Any]:
    return {"sub_ports": _svc(req).get_subports(req.ctx, req.path["id"])}


def register(api: ServiceApi) -> None:
    api.add("PUT", "/v2.0/routers/{id}/add_router_interface", add_router_interface)
    api.add("PUT", "/v2.0/routers/{id}/remove_router_interface", remove_router_interface)
    api.add("PUT", "/v2.0/routers/{id}/add_extraroutes", add_extraroutes)
    api.add("PUT", "/v2.0/routers/{id}/remove_extraroutes", remove_extraroutes)
    api.add("PUT", "/v2.0/trunks/{id}/add_subports", add_subports)
    api.add("PUT", "/v2.0/trunks/{id}/remove_subports", remove_subports)
    api.add("GET", "/v2.0/trunks/{id}/get_subports", get_subports)
