"""CRUD for every declared resource: ``/v2.0/{collection}`` and ``/v2.0/{collection}/{id}``.

One set of handlers serves all resources: the ``Resource`` declaration gives the body key,
the filters, sorting and paging; the service method is ``create_<name>``, ``list_<collection>``,
``show_<name>``, ``update_<name>`` or ``delete_<name>``. Bulk creation
(``{"networks": [...]}``) is all or nothing, as neutron's emulated bulk is.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from twinstack.core.errors import ApiError
from twinstack.core.http import ApiRequest, ApiResponse, ServiceApi
from twinstack.services.network.attributes import (
    ADDRESS_SCOPE,
    FLOATINGIP,
    NETWORK,
    PORT,
    RBAC_POLICY,
    ROUTER,
    SECURITY_GROUP,
    SECURITY_GROUP_RULE,
    SUBNET,
    SUBNETPOOL,
    TRUNK,
)
from twinstack.services.network.errors import bad_request
from twinstack.services.network.resource import Resource

# URL collection -> declaration
URLS: dict[str, Resource] = {
    "networks": NETWORK,
    "subnets": SUBNET,
    "subnetpools": SUBNETPOOL,
    "ports": PORT,
    "routers": ROUTER,
    "floatingips": FLOATINGIP,
    "security-groups": SECURITY_GROUP,
    "security-group-rules": SECURITY_GROUP_RULE,
    "address-scopes": ADDRESS_SCOPE,
    "rbac-policies": RBAC_POLICY,
    "trunks": TRUNK,
}
BULK = {"networks", "subnets", "ports", "security-group-rules", "subnetpools"}
EXTRA_FILTERS = {"ports": ("fixed_ips",)}


def service(req: ApiRequest) -> Any:
    return req.cloud.service("network")


def fields_of(req: ApiRequest) -> list[str] | None:
    fields = [f for f in req.query.getlist("fields") if f]
    return fields or None


def make_list(url: str, res: Resource) -> Callable[[ApiRequest], dict[str, Any]]:
    method = f"list_{res.collection}"

    def handler(req: ApiRequest) -> dict[str, Any]:
        params = res.list_params(req.query, EXTRA_FILTERS.get(url, ()))
        filters = params.filters
        if (
            "project_id" in filters
            and "tenant_id" in filters
            and filters["project_id"] != filters["tenant_id"]
        ):
            raise ApiError(
                "Both tenant_id and project_id passed as filters.",
                400,
                kind="TenantIdProjectIdFilterConflict",
            )
        items = getattr(service(req), method)(req.ctx, params)
        body: dict[str, Any] = {}
        links = res.links(req.url_for(req.request.url.path), req.query, items, params)
        if params.fields and "id" not in params.fields:
            items = [{k: v for k, v in item.items() if k != "id"} for item in items]
        body[res.collection] = items
        if links:
            body[f"{res.collection}_links"] = links
        return body

    return handler


def make_create(url: str, res: Resource) -> Callable[[ApiRequest], Any]:
    method = f"create_{res.name}"
    delete = f"delete_{res.name}"

    def handler(req: ApiRequest) -> Any:
        body = req.body
        if body is None:
            raise bad_request("Resource body required")
        svc = service(req)
        if isinstance(body, dict) and res.collection in body and url in BULK:
            items = body[res.collection]
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise bad_request(f"Unable to find '{res.name}' in request body")
            created: list[dict[str, Any]] = []
            try:
                for item in items:
                    created.append(getattr(svc, method)(req.ctx, item))
            except ApiError:
                for done in reversed(created):
                    with contextlib.suppress(ApiError):
                        getattr(svc, delete)(req.ctx, done["id"])
                raise
            return ApiResponse({res.collection: created}, 201)
        return ApiResponse({res.name: getattr(svc, method)(req.ctx, res.body_of(body))}, 201)

    return handler


def make_show(res: Resource) -> Callable[[ApiRequest], dict[str, Any]]:
    method = f"show_{res.name}"

    def handler(req: ApiRequest) -> dict[str, Any]:
        return {res.name: getattr(service(req), method)(req.ctx, req.path["id"], fields_of(req))}

    return handler


def make_update(res: Resource) -> Callable[[ApiRequest], dict[str, Any]]:
    method = f"update_{res.name}"

    def handler(req: ApiRequest) -> dict[str, Any]:
        if req.body is None:
            raise bad_request("Resource body required")
        data = res.body_of(req.body)
        res.precheck_update(data)
        return {res.name: getattr(service(req), method)(req.ctx, req.path["id"], data)}

    return handler


def make_delete(res: Resource) -> Callable[[ApiRequest], None]:
    method = f"delete_{res.name}"

    def handler(req: ApiRequest) -> None:
        getattr(service(req), method)(req.ctx, req.path["id"])

    return handler


def register(api: ServiceApi) -> None:
    for url, res in URLS.items():
        api.add("GET", f"/v2.0/{url}", make_list(url, res))
        api.add("POST", f"/v2.0/{url}", make_create(url, res), status=201)
        api.add("GET", f"/v2.0/{url}/{{id}}", make_show(res))
        api.add("PUT", f"/v2.0/{url}/{{id}}", make_update(res))
        api.add("DELETE", f"/v2.0/{url}/{{id}}", make_delete(res), status=204)
